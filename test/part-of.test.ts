/**
 * app.kubernetes.io/part-of comes from spec.partOf (default "mlflow"); it is not a selector
 * label, so selectors stay the same whatever it is. The golden case original-labels reproduces
 * the hand-written manifests' part-of: zenml-mlops-stack.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MlflowConfig } from "../function/config/types.js";
import { generatedItems, parseOutput } from "./helpers/krm.js";
import { ROOT } from "./helpers/paths.js";
import { render, withServer, type Obj, renderList } from "./helpers/server.js";

const PART_OF = "app.kubernetes.io/part-of";
const everything = (partOf?: string): MlflowConfig => {
  const config = withServer(
    { ingress: { host: "mlflow.example.com" }, replicas: 2, autoscaling: { maxReplicas: 4 } },
    { argocd: { repoURL: "https://github.com/example/mlops.git" } },
  );
  if (partOf !== undefined) config.spec.partOf = partOf;
  return config;
};

/** Every label selector in the objects (workload selectors, pod templates' labels, policies, spread constraints). */
function selectors(objects: Obj[]): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "selector" || k === "podSelector" || k === "labelSelector" || k === "matchLabels")
          out.push([path, k, x]);
        walk(x, `${path}.${k}`);
      }
    }
  };
  for (const o of objects) walk(o.spec, `${String(o.kind)}/${String(o.metadata?.name)}`);
  return out;
}

test("spec.partOf labels every generated object", () => {
  const objects = render(everything("zenml-mlops-stack"));
  expect(objects.length).toBeGreaterThan(10);
  for (const o of objects)
    expect([o.kind, (o.metadata as any)?.labels?.[PART_OF]]).toEqual([o.kind, "zenml-mlops-stack"]);
});

test("the default is mlflow", () => {
  for (const o of render(everything()))
    expect([o.kind, (o.metadata as any)?.labels?.[PART_OF]]).toEqual([o.kind, "mlflow"]);
});

test("selectors do not depend on it, and never use it", () => {
  const a = selectors(render(everything()));
  expect(a.length).toBeGreaterThan(3);
  expect(selectors(render(everything("zenml-mlops-stack")))).toEqual(a);
  expect(JSON.stringify(a)).not.toContain(PART_OF);
});

function results(config: unknown) {
  const { ok, results } = renderList(config);
  return { ok, results: results.filter((r) => r.severity === "error") };
}

test("through the function: accepted, and a bad value refused naming spec.partOf", () => {
  expect(results(everything("zenml-mlops-stack"))).toEqual({ ok: true, results: [] });
  const bad = results(everything("ZenML MLOps stack"));
  expect(bad.ok).toBe(false);
  expect(bad.results.map((r: any) => r.field.path)).toEqual(["spec.partOf"]);
});

test("spec.labels still cannot set it, and the error says where to", () => {
  const config = everything();
  config.spec.labels = { [PART_OF]: "zenml-mlops-stack" };
  const r = results(config);
  expect(r.ok).toBe(false);
  expect(r.results.map((x: any) => [x.field.path, x.message])).toEqual([
    [`spec.labels["${PART_OF}"]`, expect.stringMatching(/set spec\.partOf instead/)],
  ]);
});

test("the golden case original-labels carries the original manifests' part-of on every object", () => {
  const dir = join(ROOT, "test/golden/original-labels");
  const items = generatedItems(parseOutput(readFileSync(join(dir, "expected.yaml"), "utf8")).items);
  expect(items.map((o) => o.kind)).toEqual(
    expect.arrayContaining([
      "Namespace",
      "ServiceAccount",
      "Role",
      "RoleBinding",
      "SecretStore",
      "ExternalSecret",
      "Application",
    ]),
  );
  for (const o of items) expect([o.kind, (o.metadata as any).labels[PART_OF]]).toEqual([o.kind, "zenml-mlops-stack"]);
});
