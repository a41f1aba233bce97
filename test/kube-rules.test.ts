/**
 * What the API server or the HPA controller would refuse in what a config produces is refused
 * first, naming the field (function/config/kube-rules.ts), and so is MlflowConfig metadata that
 * nothing reads. Every container of every golden pod is within its limits, and every container
 * an HPA counts has a CPU request.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MlflowConfig } from "../function/config/types.js";
import { canonicalCidr, quantityAbove } from "../function/config/kube-rules.js";
import { generatedItems, parseOutput } from "./helpers/krm.js";
import { ROOT } from "./helpers/paths.js";
import { withServer, renderList } from "./helpers/server.js";

const CONNECTION = "zenml-470505:australia-southeast1:zenml-mysql";

function run(config: MlflowConfig) {
  const { ok, results, generated } = renderList(config);
  const errors = results.filter((r) => r.severity === "error").map((r) => [r.field?.path, r.message]);
  return { ok, errors, generated };
}
const fieldsOf = (r: ReturnType<typeof run>) => r.errors.map((e) => e[0]);

test("quantities compare exactly across units", () => {
  expect(quantityAbove("1", "999m")).toBe(true);
  expect(quantityAbove("1Gi", "1024Mi")).toBe(false);
  expect(quantityAbove("1G", "1Gi")).toBe(false);
  expect(quantityAbove("1.5Gi", "1536Mi")).toBe(false);
  expect(quantityAbove("0.1", "100m")).toBe(false);
  expect(quantityAbove("1025Mi", "1Gi")).toBe(true);
});

describe("a request above its limit", () => {
  test.each<[string, MlflowConfig, string]>([
    [
      "server memory",
      withServer({ resources: { requests: { memory: "4Gi" }, limits: { memory: "2Gi" } } }),
      "spec.server.resources.requests.memory",
    ],
    [
      "server cpu, across units",
      withServer({ resources: { requests: { cpu: "1.5" }, limits: { cpu: "1200m" } } }),
      "spec.server.resources.requests.cpu",
    ],
    [
      "server ephemeral storage",
      withServer({
        resources: { requests: { cpu: "1", "ephemeral-storage": "2Gi" }, limits: { "ephemeral-storage": "1Gi" } },
      }),
      "spec.server.resources.requests.ephemeral-storage",
    ],
    [
      "the proxy sidecar (in the Deployment and the migration Job)",
      withServer({
        cloudSqlProxy: {
          instanceConnectionName: CONNECTION,
          resources: { requests: { cpu: "50m", memory: "512Mi" }, limits: { memory: "256Mi" } },
        },
      }),
      "spec.server.cloudSqlProxy.resources.requests.memory",
    ],
  ])("%s: refused naming the request", (_name, config, field) => {
    const r = run(config);
    expect([r.ok, r.generated.length, fieldsOf(r)]).toEqual([false, 0, [field]]);
    expect(r.errors[0][1]).toMatch(/must not exceed .*limits.*API server rejects/);
  });

  test("equal request and limit in other units: accepted", () => {
    expect(
      run(
        withServer({
          resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1000m", memory: "1024Mi" } },
        }),
      ).errors,
    ).toEqual([]);
  });
});

test.each(["10.0.0.1", "192.168.1.20"])("an Ingress host that is an IP address (%s) is refused", (host) => {
  const r = run(withServer({ ingress: { host } }));
  expect([r.ok, fieldsOf(r)]).toEqual([false, ["spec.server.ingress.host"]]);
  expect(r.errors[0][1]).toMatch(/IP address: an Ingress host must be a DNS name/);
});

test("canonical CIDRs: the address masked to its prefix", () => {
  expect(
    ["10.42.0.0/24", "10.42.0.1/24", "10.129.1.7/23", "0.0.0.0/0", "1.2.3.4/0", "1.2.3.4/32"].map(canonicalCidr),
  ).toEqual(["10.42.0.0/24", "10.42.0.0/24", "10.129.0.0/23", "0.0.0.0/0", "0.0.0.0/0", "1.2.3.4/32"]);
});

test("a NetworkPolicy CIDR with host bits set is refused naming the entry, with the network to write", () => {
  const r = run(
    withServer({
      networkPolicy: { databaseCidrs: ["10.42.0.0/24", "10.20.0.5/16"], proxyOnlySubnetCidrs: ["10.129.1.0/23"] },
    }),
  );
  expect(r.errors).toEqual([
    [
      "spec.server.networkPolicy.databaseCidrs[1]",
      expect.stringMatching(/bits set beyond its prefix.*10\.20\.0\.0\/16$/),
    ],
    ["spec.server.networkPolicy.proxyOnlySubnetCidrs[0]", expect.stringMatching(/10\.129\.0\.0\/23$/)],
  ]);
});

describe("CPU autoscaling needs a CPU request in every container of the pod", () => {
  const autoscaling = { maxReplicas: 4 };
  test("the proxy sidecar without one: refused naming it", () => {
    const r = run(
      withServer({
        autoscaling,
        cloudSqlProxy: {
          instanceConnectionName: CONNECTION,
          resources: { requests: { memory: "64Mi" }, limits: { memory: "256Mi" } },
        },
      }),
    );
    expect([r.ok, fieldsOf(r)]).toEqual([false, ["spec.server.cloudSqlProxy.resources.requests.cpu"]]);
    expect(r.errors[0][1]).toMatch(/missing request for cpu/);
  });
  test("the server without one: refused naming it", () => {
    const r = run(withServer({ autoscaling, resources: { requests: { memory: "1Gi" } } }));
    expect(fieldsOf(r)).toEqual(["spec.server.resources.requests.cpu"]);
  });
  test("a CPU limit without a request counts (the API server defaults the request from it)", () => {
    expect(run(withServer({ autoscaling, resources: { limits: { cpu: "1", memory: "1Gi" } } })).errors).toEqual([]);
  });
  test("a pod whose CPU requests add up to zero: refused", () => {
    const r = run(withServer({ autoscaling, resources: { requests: { cpu: "0", memory: "1Gi" } } }));
    expect(fieldsOf(r)).toEqual(["spec.server.resources.requests.cpu"]);
  });
  test("the defaults, with the proxy: accepted", () => {
    expect(run(withServer({ autoscaling, cloudSqlProxy: { instanceConnectionName: CONNECTION } })).errors).toEqual([]);
  });
});

describe("the MlflowConfig's own metadata", () => {
  const withMetadata = (m: Partial<MlflowConfig["metadata"]>, spec: Partial<MlflowConfig["spec"]> = {}) => {
    const c = withServer({}, spec);
    c.metadata = { ...c.metadata, ...m };
    return c;
  };
  test("labels: refused, pointing at spec.labels", () => {
    const r = run(withMetadata({ labels: { team: "ml" } }));
    expect(r.errors).toEqual([['metadata.labels["team"]', expect.stringMatching(/spec\.labels/)]]);
  });
  test("annotations of one's own: refused; kpt's and kustomize's: accepted", () => {
    expect(fieldsOf(run(withMetadata({ annotations: { owner: "ml-platform" } })))).toEqual([
      'metadata.annotations["owner"]',
    ]);
    const orchestrators = {
      "config.kubernetes.io/local-config": "true",
      "config.kubernetes.io/function": "exec:\n  path: ./mlflow-infra\n",
      "internal.config.kubernetes.io/path": "mlflow-config.yaml",
      "kustomize.config.k8s.io/id": "x",
    };
    expect(run(withMetadata({ annotations: orchestrators })).errors).toEqual([]);
  });
  test("a namespace other than the instance's: refused; the instance's: accepted", () => {
    expect(fieldsOf(run(withMetadata({ namespace: "team-a" })))).toEqual(["metadata.namespace"]);
    expect(run(withMetadata({ namespace: "mlflow" })).errors).toEqual([]);
    expect(run(withMetadata({ namespace: "team-a" }, { namespace: "team-a" })).errors).toEqual([]);
  });
});

describe("every golden case", () => {
  const GOLDEN = join(ROOT, "test/golden");
  const cases = readdirSync(GOLDEN, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const pods = cases.flatMap((c) =>
    generatedItems(parseOutput(readFileSync(join(GOLDEN, c, "expected.yaml"), "utf8")).items)
      .filter((o) => o.kind === "Deployment" || o.kind === "Job")
      .map((o) => ({ id: `${c} ${String(o.kind)}`, spec: (o.spec as any).template.spec })),
  );

  test("every container's requests are within its limits", () => {
    expect(pods.length).toBeGreaterThan(5);
    for (const { id, spec } of pods) {
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const [k, v] of Object.entries<string>(c.resources?.requests ?? {})) {
          const limit = c.resources?.limits?.[k];
          if (limit !== undefined) expect([id, c.name, k, quantityAbove(v, limit)]).toEqual([id, c.name, k, false]);
        }
      }
    }
  });

  test("with an HPA, every container it counts (native sidecars included) has a CPU request", () => {
    const scaled = cases.filter((c) =>
      readFileSync(join(GOLDEN, c, "expected.yaml"), "utf8").includes("kind: HorizontalPodAutoscaler"),
    );
    expect(scaled.length).toBeGreaterThan(0);
    for (const { id, spec } of pods.filter((p) => scaled.some((c) => p.id === `${c} Deployment`))) {
      const counted = [
        ...spec.containers,
        ...(spec.initContainers ?? []).filter((c: any) => c.restartPolicy === "Always"),
      ];
      for (const c of counted)
        expect([id, c.name, c.resources?.requests?.cpu ?? c.resources?.limits?.cpu]).toEqual([
          id,
          c.name,
          expect.any(String),
        ]);
    }
  });
});
