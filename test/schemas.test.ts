/**
 * The schema checks the golden and property tests rely on must be able to fail: each
 * mistake a hand-written set makes is caught.
 */
import { resolve } from "../function/config/defaults.js";
import type { MlflowConfig } from "../function/config/types.js";
import type { KubeObject } from "../function/krm/resource-list.js";
import { buildAll } from "../function/resources/index.js";
import { schemaErrors } from "./helpers/schemas.js";

const seed: MlflowConfig = {
  apiVersion: "mlflow-infra.dev/v1alpha1",
  kind: "MlflowConfig",
  metadata: { name: "mlflow" },
  spec: {
    stack: "zenml",
    gcp: { projectId: "zenml-470505", cluster: { name: "zenml", location: "australia-southeast1" } },
    argocd: { repoURL: "https://github.com/example/mlops.git" },
  },
};
const objects = buildAll(resolve(seed));
const find = (kind: string) =>
  structuredClone(objects.find((o) => o.kind === kind)) as KubeObject & { spec: any; rules?: any };

test("the generated objects are valid as generated", async () => {
  for (const o of objects) expect(await schemaErrors(o)).toEqual([]);
});

test.each([
  [
    "an ExternalSecret on external-secrets.io/v1beta1 (no longer served)",
    () => ({ ...find("ExternalSecret"), apiVersion: "external-secrets.io/v1beta1" }),
    /not served/,
  ],
  [
    "template engineVersion v1",
    () => {
      const o = find("ExternalSecret");
      o.spec.target.template.engineVersion = "v1";
      return o;
    },
    /allowed values/,
  ],
  [
    "a misspelt field the API server would prune",
    () => {
      const o = find("SecretStore");
      o.spec.provider.gcpsm.projectId = "x";
      return o;
    },
    /projectId/,
  ],
  [
    "a Role with verbs as a string",
    () => {
      const o = find("Role");
      o.rules[0].verbs = "get";
      return o;
    },
    /verbs/,
  ],
  [
    "an Application without a destination",
    () => {
      const o = find("Application");
      delete o.spec.destination;
      return o;
    },
    /destination/,
  ],
  [
    "an unknown kind",
    () => ({ apiVersion: "external-secrets.io/v1", kind: "Nope", metadata: { name: "x" } }),
    /no CRD/,
  ],
  [
    "an ExternalSecret with no namespace (the CRD is namespaced)",
    () => {
      const o = find("ExternalSecret");
      delete o.metadata!.namespace;
      return o;
    },
    /metadata.namespace/,
  ],
  [
    "an ExternalSecret named with '_'",
    () => {
      const o = find("ExternalSecret");
      o.metadata!.name = "mlflow_database";
      return o;
    },
    /DNS-1123 subdomain/,
  ],
  [
    "an ExternalSecret with a number as a label value",
    () => {
      const o = find("ExternalSecret");
      (o.metadata!.labels as any).n = 1;
      return o;
    },
    /labels must map strings/,
  ],
])("rejects %s", async (_name, make, pattern) => {
  const errors = await schemaErrors(make() as KubeObject);
  expect(errors.join("\n")).toMatch(pattern);
});

describe("core kinds are checked strictly, field by field (kubectl --validate=strict)", () => {
  const server: MlflowConfig = {
    ...seed,
    spec: {
      ...seed.spec,
      server: {
        image: "ghcr.io/mlflow/mlflow:v3.10.0-full",
        ingress: { host: "mlflow.example.com" },
        replicas: 2,
        autoscaling: { maxReplicas: 3 },
      },
    },
  };
  const all = buildAll(resolve(server));
  const one = (kind: string) => structuredClone(all.find((o) => o.kind === kind)) as any;
  const planted = (kind: string, change: (o: any) => void) => () => {
    const o = one(kind);
    change(o);
    return o;
  };

  test("every core object of a server config is valid as generated", async () => {
    const core = all.filter((o) => !/^(external-secrets|argoproj)\.io\//.test(String(o.apiVersion)));
    const kinds = ["Deployment", "Service", "Job", "Ingress", "NetworkPolicy", "HorizontalPodAutoscaler"];
    expect(core.map((o) => o.kind)).toEqual(expect.arrayContaining([...kinds, "PodDisruptionBudget", "Role"]));
    for (const o of core) expect(await schemaErrors(o)).toEqual([]);
  });

  test.each([
    [
      "a misspelt container field",
      planted("Deployment", (d) => (d.spec.template.spec.containers[0].imagePullPolcy = "Always")),
      /containers\[0\]: unknown field "imagePullPolcy"/,
    ],
    [
      "a misspelt field deep in a probe",
      planted("Deployment", (d) => (d.spec.template.spec.containers[0].readinessProbe.httpGet.paht = "/x")),
      /httpGet: unknown field "paht"/,
    ],
    ["a misspelt metadata field", planted("Service", (s) => (s.metadata.label = {})), /metadata: unknown field/],
    [
      "a port as a string where an integer is needed",
      planted("Service", (s) => (s.spec.ports[0].port = "5000")),
      /ports\[0\]\.port: must be an integer/,
    ],
    ["replicas as a fraction", planted("Deployment", (d) => (d.spec.replicas = 1.5)), /replicas: must be an integer/],
    ["a label value that is a number", planted("Service", (s) => (s.metadata.labels.team = 5)), /"team"\]: must be a/],
    ["a list where a map is needed", planted("Job", (j) => (j.spec.template.metadata.labels = ["a"])), /must be a map/],
    [
      "an unknown field in an HPA metric",
      planted("HorizontalPodAutoscaler", (h) => (h.spec.metrics[0].resource.targt = {})),
      /resource: unknown field "targt"/,
    ],
  ])("rejects %s", async (_name, make, pattern) => {
    expect((await schemaErrors(make() as KubeObject)).join("\n")).toMatch(pattern);
  });
});
