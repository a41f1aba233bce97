/**
 * The ConfigMap functionConfig: what `kpt fn eval --exec dist/mlflow-infra -- key=value ...`
 * and a Kptfile `configMap:` send (a ConfigMap named function-input, every value a string).
 * Values are converted to the schema's types; problems are reported at the key the user
 * wrote (data.argocd.syncWave), not at the spec field it maps to.
 */
import { stringify } from "yaml";
import { processResourceList } from "../function/processor.js";
import { asItem, generatedItems, parseOutput, resourceList } from "./helpers/krm.js";

function configMap(data: Record<string, string>): string {
  return stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "function-input", annotations: { "config.kubernetes.io/local-config": "true" } },
    data,
  });
}

const BASE = { name: "mlflow", stack: "zenml", "gcp.projectId": "zenml-470505" };
const ITEM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: 0755\n";

function run(data: Record<string, string>) {
  const outcome = processResourceList(resourceList(configMap(data), [ITEM]));
  return { outcome, parsed: parseOutput(outcome.output) };
}

function errors(outcome: ReturnType<typeof processResourceList>) {
  return outcome.results.filter((r) => r.severity === "error");
}

describe("a ConfigMap functionConfig that maps cleanly", () => {
  const { outcome, parsed } = run({
    ...BASE,
    "argocd.repoURL": "https://github.com/example/mlops.git",
    "argocd.syncWave": "5",
    "labels.team": "ml",
  });
  const generated = generatedItems(parsed.items);

  test("succeeds", () => {
    expect(errors(outcome)).toEqual([]);
    expect(outcome.ok).toBe(true);
    expect(generated.length).toBeGreaterThan(0);
  });

  test("name is metadata.name: the objects are named and namespaced after it", () => {
    const ns = generated.find((o) => o.kind === "Namespace");
    expect(ns?.metadata?.name).toBe("mlflow");
    expect(
      generated.every((o) => (o.metadata?.labels as Record<string, string>)["app.kubernetes.io/instance"] === "mlflow"),
    ).toBe(true);
  });

  test("gcp.projectId reaches the service account and the SecretStore", () => {
    const sa = generated.find((o) => o.kind === "ServiceAccount");
    expect((sa?.metadata?.annotations as Record<string, string>)["iam.gke.io/gcp-service-account"]).toBe(
      "zenml-mlflow@zenml-470505.iam.gserviceaccount.com",
    );
    const store = generated.find((o) => o.kind === "SecretStore") as
      { spec: { provider: { gcpsm: { projectID: string } } } } | undefined;
    expect(store?.spec.provider.gcpsm.projectID).toBe("zenml-470505");
  });

  test("argocd.syncWave is converted to an integer (the annotation is its string)", () => {
    const app = generated.find((o) => o.kind === "Application");
    expect((app?.metadata?.annotations as Record<string, string>)["argocd.argoproj.io/sync-wave"]).toBe("5");
  });

  test("labels.team is the label team on every generated object", () => {
    for (const o of generated) expect((o.metadata?.labels as Record<string, string>).team).toBe("ml");
  });

  test("the same objects as the equivalent MlflowConfig", () => {
    const config = stringify({
      apiVersion: "mlflow-infra.dev/v1alpha1",
      kind: "MlflowConfig",
      metadata: { name: "mlflow" },
      spec: {
        stack: "zenml",
        gcp: { projectId: "zenml-470505" },
        labels: { team: "ml" },
        argocd: { repoURL: "https://github.com/example/mlops.git", syncWave: 5 },
      },
    });
    const direct = generatedItems(parseOutput(processResourceList(resourceList(config, [ITEM])).output).items);
    expect(generated).toEqual(direct);
  });
});

describe("ConfigMap values", () => {
  test("a negative syncWave is an integer too", () => {
    const { outcome, parsed } = run({
      ...BASE,
      "argocd.repoURL": "https://github.com/example/mlops.git",
      "argocd.syncWave": "-2",
    });
    expect(outcome.ok).toBe(true);
    const app = generatedItems(parsed.items).find((o) => o.kind === "Application");
    expect((app?.metadata?.annotations as Record<string, string>)["argocd.argoproj.io/sync-wave"]).toBe("-2");
  });

  test("booleans: argocd.applicationOnly=true", () => {
    const { outcome, parsed } = run({
      ...BASE,
      "argocd.repoURL": "https://github.com/example/mlops.git",
      "argocd.applicationOnly": "true",
    });
    expect(outcome.ok).toBe(true);
    expect(generatedItems(parsed.items).map((o) => o.kind)).toEqual(["Application"]);
  });

  test("keys may be written with the spec. prefix", () => {
    const { outcome } = run({ name: "mlflow", "spec.stack": "zenml", "spec.gcp.projectId": "zenml-470505" });
    expect(outcome.ok).toBe(true);
  });

  test("label keys with a prefix: labels.example.com/team", () => {
    const { outcome, parsed } = run({ ...BASE, "labels.example.com/team": "ml" });
    expect(outcome.ok).toBe(true);
    for (const o of generatedItems(parsed.items))
      expect((o.metadata?.labels as Record<string, string>)["example.com/team"]).toBe("ml");
  });
});

interface Bad {
  name: string;
  data: Record<string, string>;
  path: string;
  words: string[];
}

const BAD: Bad[] = [
  {
    name: "syncWave not an integer",
    data: { ...BASE, "argocd.repoURL": "https://github.com/example/mlops.git", "argocd.syncWave": "five" },
    path: "data.argocd.syncWave",
    words: ["must be an integer", '"five"'],
  },
  {
    name: "syncWave a decimal",
    data: { ...BASE, "argocd.repoURL": "https://github.com/example/mlops.git", "argocd.syncWave": "3.5" },
    path: "data.argocd.syncWave",
    words: ["must be an integer"],
  },
  {
    name: "syncWave out of range",
    data: { ...BASE, "argocd.repoURL": "https://github.com/example/mlops.git", "argocd.syncWave": "5000" },
    path: "data.argocd.syncWave",
    words: ["at most 1000"],
  },
  {
    name: "boolean not true/false",
    data: { ...BASE, "argocd.repoURL": "https://github.com/example/mlops.git", "argocd.applicationOnly": "yes" },
    path: "data.argocd.applicationOnly",
    words: ["must be true or false"],
  },
  {
    name: "unknown key",
    data: { ...BASE, colour: "blue" },
    path: "data.colour",
    words: ["is not a known key", "allowed here: name, stack, gcp"],
  },
  {
    name: "misspelt key",
    data: { name: "mlflow", "gcp.projctId": "zenml-470505" },
    path: "data.gcp.projctId",
    words: ["is not a known key", "did you mean gcp.projectId?"],
  },
  {
    name: "a section given a value",
    data: { name: "mlflow", gcp: "zenml-470505" },
    path: "data.gcp",
    words: ["is a section, not a value", "gcp.projectId"],
  },
  {
    name: "a value used as a section",
    data: { ...BASE, "gcp.projectId.id": "x" },
    path: "data.gcp.projectId.id",
    words: ["gcp.projectId is a value, not a section"],
  },
  { name: "projectId missing", data: { name: "mlflow" }, path: "data.gcp.projectId", words: ["is required"] },
  { name: "name missing", data: { "gcp.projectId": "zenml-470505" }, path: "data.name", words: ["is required"] },
  {
    name: "projectId malformed",
    data: { ...BASE, "gcp.projectId": "Zenml" },
    path: "data.gcp.projectId",
    words: ["GCP project id"],
  },
  { name: "name malformed", data: { ...BASE, name: "ML_flow" }, path: "data.name", words: ["DNS-1035 label"] },
  {
    name: "reserved label",
    data: { ...BASE, "labels.app.kubernetes.io/instance": "x" },
    path: 'data.labels["app.kubernetes.io/instance"]',
    words: ["is set by mlflow-infra"],
  },
  {
    name: "derived bucket invalid",
    data: { ...BASE, stack: "googly" },
    path: "data.artifacts.bucket",
    words: ["default bucket", "set data.artifacts.bucket"],
  },
];

describe("ConfigMap errors name the data key", () => {
  test.each(BAD.map((b) => [b.name, b] as const))("%s", (_name, b) => {
    const { outcome, parsed } = run(b.data);
    expect(outcome.ok).toBe(false);
    const errs = errors(outcome);
    const at = errs.filter((r) => r.field?.path === b.path);
    expect(at.map((r) => r.field?.path)).toEqual([b.path]);
    expect(at[0].message.startsWith(b.path)).toBe(true);
    for (const w of b.words) expect(at[0].message).toContain(w);
    // Nothing mentions the MlflowConfig's own paths: the user wrote a ConfigMap.
    for (const r of errs) expect(r.message).not.toMatch(/(^|\s)spec\./);
    expect(at[0].resourceRef).toEqual({ apiVersion: "v1", kind: "ConfigMap", name: "function-input" });
    expect(
      outcome.output.startsWith(`apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${asItem(ITEM)}`),
    ).toBe(true);
    expect(generatedItems(parsed.items)).toEqual([]);
  });

  test("a typo is reported once, not also as the missing key it was meant to be", () => {
    const { outcome } = run({ name: "mlflow", "gcp.projctId": "zenml-470505" });
    expect(errors(outcome).map((r) => r.field?.path)).toEqual(["data.gcp.projctId"]);
  });
});
