/** MlflowConfigs and lookups shared by the server tests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { resolve } from "../../function/config/defaults.js";
import type { MlflowConfig, ServerSpec } from "../../function/config/types.js";
import type { KubeObject } from "../../function/krm/resource-list.js";
import { processResourceList } from "../../function/processor.js";
import { buildAll } from "../../function/resources/index.js";
import { generatedItems, parseOutput, resourceList } from "./krm.js";
import { ROOT } from "./paths.js";

export const IMAGE = "ghcr.io/mlflow/mlflow:v3.10.0-full";

/** The seed config plus spec.server (and any other spec overrides). */
export function withServer(server: Partial<ServerSpec> = {}, spec: Partial<MlflowConfig["spec"]> = {}): MlflowConfig {
  return {
    apiVersion: "mlflow-infra.dev/v1alpha1",
    kind: "MlflowConfig",
    metadata: { name: "mlflow" },
    spec: { stack: "zenml", gcp: { projectId: "zenml-470505" }, ...spec, server: { image: IMAGE, ...server } },
  };
}

export type Obj = KubeObject & { spec: any };

export function render(config: MlflowConfig): Obj[] {
  return buildAll(resolve(config)) as Obj[];
}

/** `config` through the whole KRM function, as YAML: whether it passed, its results and the objects it generated. */
export function renderList(config: unknown): { ok: boolean; results: any[]; generated: Obj[] } {
  const outcome = processResourceList(resourceList(stringify(config)));
  const parsed = parseOutput(outcome.output);
  return { ok: outcome.ok, results: parsed.results, generated: generatedItems(parsed.items) as Obj[] };
}

/** The first object of `kind` (and `name`, when given). */
export function find(objects: Obj[], kind: string, name?: string): Obj {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata?.name === name));
  if (!o) throw new Error(`no ${kind}${name ? ` ${name}` : ""} in ${objects.map((x) => x.kind).join(", ")}`);
  return o;
}

/** The pod specs of every workload: the server Deployment's and the migration Job's. */
export function podSpecs(objects: Obj[]): Array<{ owner: string; spec: any }> {
  return objects
    .filter((o) => o.kind === "Deployment" || o.kind === "Job")
    .map((o) => ({ owner: `${String(o.kind)}/${String(o.metadata?.name)}`, spec: o.spec.template.spec }));
}

export const GOLDEN_SERVER_CASES = [
  "server-minimal",
  "server-ingress",
  "server-gke-ingress",
  "server-gke-ingress-iap",
  "server-gateway-iap",
  "server-gateway-internal-basic-auth",
  "server-proxy",
  "server-autoscaling",
];

export function goldenConfig(name: string): MlflowConfig {
  return parse(readFileSync(join(ROOT, "test/golden", name, "config.yaml"), "utf8")) as MlflowConfig;
}
