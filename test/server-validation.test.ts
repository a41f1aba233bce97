/**
 * Bad spec.server inputs: each is refused with an error result naming the field path and the
 * rule, and no object is generated (the function exits non-zero on error results). Legal but
 * risky values get warnings and render.
 */
import { mlflowConfigSchema } from "../function/config/schema.js";
import { withServer, renderList } from "./helpers/server.js";

type Server = Record<string, unknown>;

function run(server: Server) {
  const config = withServer();
  (config.spec as unknown as { server: Server }).server = server;
  return renderList(config);
}

const image = "ghcr.io/mlflow/mlflow:v3.10.0-full";

test.each<[string, Server, string, RegExp]>([
  ["no image", { replicas: 1 }, "spec.server.image", /required/],
  ["an image that is not a reference", { image: "MLflow Image" }, "spec.server.image", /container image reference/],
  ["replicas 0", { image, replicas: 0 }, "spec.server.replicas", /at least 1/],
  ["replicas as a string", { image, replicas: "2" }, "spec.server.replicas", /integer/],
  ["workers over 32", { image, workers: 64 }, "spec.server.workers", /at most 32/],
  ["a misspelt field", { image, replica: 2 }, "spec.server.replica", /did you mean replicas/],
  ["an ingress without a host", { image, ingress: { className: "nginx" } }, "spec.server.ingress.host", /required/],
  [
    "an ingress host that is not DNS",
    { image, ingress: { host: "Not A Host" } },
    "spec.server.ingress.host",
    /DNS-1123 subdomain/,
  ],
  [
    "a body size nginx does not know",
    { image, ingress: { host: "m.example.com", maxBodySize: "1GB" } },
    "spec.server.ingress.maxBodySize",
    /nginx size/,
  ],
  [
    "an unknown ingress field",
    { image, ingress: { host: "m.example.com", tls: true } },
    "spec.server.ingress.tls",
    /not a known field/,
  ],
  [
    "a malformed instance connection name",
    { image, cloudSqlProxy: { instanceConnectionName: "my-instance" } },
    "spec.server.cloudSqlProxy.instanceConnectionName",
    /<project>:<region>:<instance>/,
  ],
  [
    "privateIp as a string",
    { image, cloudSqlProxy: { instanceConnectionName: "p-123456:europe-west1:db", privateIp: "yes" } },
    "spec.server.cloudSqlProxy.privateIp",
    /true or false/,
  ],
  [
    "autoscaling without maxReplicas",
    { image, autoscaling: { minReplicas: 2 } },
    "spec.server.autoscaling.maxReplicas",
    /required/,
  ],
  [
    "autoscaling with min above max",
    { image, autoscaling: { minReplicas: 5, maxReplicas: 3 } },
    "spec.server.autoscaling.minReplicas",
    /must not exceed/,
  ],
  [
    "autoscaling whose default min (replicas) is above max",
    { image, replicas: 4, autoscaling: { maxReplicas: 3 } },
    "spec.server.autoscaling.minReplicas",
    /\(4\) must not exceed/,
  ],
  [
    "autoscaling without a CPU request",
    { image, resources: { requests: { memory: "1Gi" } }, autoscaling: { maxReplicas: 3 } },
    "spec.server.resources.requests.cpu",
    /autoscaler measures CPU/,
  ],
  [
    "a memory request that is not a quantity",
    { image, resources: { requests: { memory: "lots" } } },
    "spec.server.resources.requests.memory",
    /quantity/,
  ],
  [
    "an unknown resource",
    { image, resources: { requests: { gpu: "1" } } },
    "spec.server.resources.requests.gpu",
    /not a known field/,
  ],
  [
    "an allowed host with a comma",
    { image, allowedHosts: ["a.example,b.example"] },
    "spec.server.allowedHosts[0]",
    /without commas or spaces/,
  ],
  [
    "an allowed host with a space",
    { image, allowedHosts: ["ok.example", "bad host"] },
    "spec.server.allowedHosts[1]",
    /without commas or spaces/,
  ],
  ["allowedHosts as a string", { image, allowedHosts: "a.example" }, "spec.server.allowedHosts", /a list/],
  ["a tmp size limit that is not a quantity", { image, tmpSizeLimit: "big" }, "spec.server.tmpSizeLimit", /quantity/],
  ["running as root", { image, runAsUser: 0 }, "spec.server.runAsUser", /at least 1/],
  [
    "a database CIDR out of range",
    { image, networkPolicy: { databaseCidrs: ["10.0.0.0/33"] } },
    "spec.server.networkPolicy.databaseCidrs[0]",
    /IPv4 CIDR/,
  ],
  [
    "no database CIDR",
    { image, networkPolicy: { databaseCidrs: [] } },
    "spec.server.networkPolicy.databaseCidrs",
    /fewer than 1/,
  ],
  [
    "a client namespace that is not a DNS label",
    { image, networkPolicy: { clientNamespaces: ["Bad_NS"] } },
    "spec.server.networkPolicy.clientNamespaces[0]",
    /DNS-1123 label/,
  ],
  [
    "an empty ingress controller namespace",
    { image, networkPolicy: { ingressControllerNamespace: "" } },
    "spec.server.networkPolicy.ingressControllerNamespace",
    /DNS-1123 label/,
  ],
  [
    "networkPolicy.enabled as a string",
    { image, networkPolicy: { enabled: "yes" } },
    "spec.server.networkPolicy.enabled",
    /true or false/,
  ],
  [
    "a googleApis value that is not one of the three",
    { image, networkPolicy: { googleApis: "google" } },
    "spec.server.networkPolicy.googleApis",
    /one of "any", "private", "restricted"/,
  ],
  [
    "a proxy-only subnet that is not a CIDR",
    { image, networkPolicy: { proxyOnlySubnetCidrs: ["10.129.0.0"] } },
    "spec.server.networkPolicy.proxyOnlySubnetCidrs[0]",
    /IPv4 CIDR/,
  ],
])("rejects %s at its field path", (_name, server, path, message) => {
  const { ok, results, generated } = run(server);
  expect(ok).toBe(false);
  expect(generated).toEqual([]);
  const errors = results.filter((r) => r.severity === "error");
  const hit = errors.find((r) => r.field?.path === path);
  expect(hit ? [hit.field?.path, hit.message] : errors.map((r) => `${r.field?.path}: ${r.message}`)).toEqual([
    path,
    expect.stringMatching(message),
  ]);
});

test.each<[string, Server, string, RegExp]>([
  [
    'allowedHosts "*"',
    { image, allowedHosts: ["*"] },
    "spec.server.allowedHosts[0]",
    /turns off MLflow's Host header check/,
  ],
  [
    "an upload limit above the /tmp size limit",
    {
      image,
      ingress: { host: "m.example.com", className: "nginx", clusterIssuer: "le", maxBodySize: "10g" },
      tmpSizeLimit: "4Gi",
    },
    "spec.server.ingress.maxBodySize",
    /larger than spec.server.tmpSizeLimit/,
  ],
  [
    "an unlimited upload size",
    { image, ingress: { host: "m.example.com", className: "nginx", clusterIssuer: "le", maxBodySize: "0" } },
    "spec.server.ingress.maxBodySize",
    /unlimited/,
  ],
  [
    "the NetworkPolicy turned off",
    { image, networkPolicy: { enabled: false } },
    "spec.server.networkPolicy.enabled",
    /anywhere/,
  ],
  [
    "an ingress without TLS",
    { image, ingress: { host: "m.example.com" } },
    "spec.server.ingress.clusterIssuer",
    /plain HTTP/,
  ],
  ["an image without a digest", { image }, "spec.server.image", /no digest/],
  [
    "gce-internal without its proxy-only subnet",
    { image, ingress: { host: "m.example.com", className: "gce-internal", clusterIssuer: "le" } },
    "spec.server.networkPolicy.proxyOnlySubnetCidrs",
    /proxy-only subnet, which the NetworkPolicy then blocks/,
  ],
  [
    "a proxy-only subnet without gce-internal",
    {
      image,
      ingress: { host: "m.example.com", className: "gce", clusterIssuer: "le" },
      networkPolicy: { proxyOnlySubnetCidrs: ["10.129.0.0/23"] },
    },
    "spec.server.networkPolicy.proxyOnlySubnetCidrs",
    /not used/,
  ],
  [
    "maxBodySize with GKE's Ingress",
    { image, ingress: { host: "m.example.com", className: "gce", clusterIssuer: "le", maxBodySize: "2g" } },
    "spec.server.ingress.maxBodySize",
    /not used with className gce/,
  ],
])("warns about %s and still renders", (_name, server, path, message) => {
  const { ok, results, generated } = run(server);
  expect(ok).toBe(true);
  expect(generated.length).toBeGreaterThan(0);
  const hit = results.find((r) => r.severity === "warning" && r.field?.path === path);
  expect(hit?.message).toMatch(message);
});

test("the body size and /tmp limits default to the schema's defaults in the warning", () => {
  const server = mlflowConfigSchema.properties.spec.properties.server.properties;
  const [maxBodySize, tmpSizeLimit] = [server.ingress.properties.maxBodySize.default, server.tmpSizeLimit.default];
  const bigBody = run({
    image,
    ingress: { host: "m.example.com", className: "nginx", clusterIssuer: "le", maxBodySize: "10g" },
  });
  expect(bigBody.results.find((r) => r.field?.path === "spec.server.ingress.maxBodySize")?.message).toContain(
    `(10g) is larger than spec.server.tmpSizeLimit (${tmpSizeLimit})`,
  );
  const smallTmp = run({
    image,
    ingress: { host: "m.example.com", className: "nginx", clusterIssuer: "le" },
    tmpSizeLimit: "256Mi",
  });
  expect(smallTmp.results.find((r) => r.field?.path === "spec.server.ingress.maxBodySize")?.message).toContain(
    `(${maxBodySize}) is larger than spec.server.tmpSizeLimit (256Mi)`,
  );
});

test("GKE's Ingress set up as it should be is not flagged; nor is its default body size against a small /tmp", () => {
  const narrow = { googleApis: "private", databaseCidrs: ["10.20.0.0/16"] } as const;
  const ingress = (className: string) => ({ host: "m.example.com", className, clusterIssuer: "le" });
  const gce = run({ image, ingress: ingress("gce"), tmpSizeLimit: "256Mi", networkPolicy: narrow });
  const proxyOnly = { ...narrow, proxyOnlySubnetCidrs: ["10.129.0.0/23"] };
  const internal = run({ image, ingress: ingress("gce-internal"), networkPolicy: proxyOnly });
  for (const { results } of [gce, internal]) {
    expect(
      results.filter(
        (r) =>
          r.field?.path === "spec.server.ingress.maxBodySize" || r.field?.path?.startsWith("spec.server.networkPolicy"),
      ),
    ).toEqual([]);
  }
});

test("an upload limit within /tmp is not flagged", () => {
  const { results } = run({
    image,
    ingress: { host: "m.example.com", className: "nginx", clusterIssuer: "le", maxBodySize: "2g" },
    tmpSizeLimit: "4Gi",
  });
  expect(results.filter((r) => r.field?.path === "spec.server.ingress.maxBodySize")).toEqual([]);
});
