/**
 * The function: ResourceList in, ResourceList out. Pure (text to text); main.ts does the I/O.
 *
 * read ResourceList -> load and validate the config -> build manifests -> upsert -> write.
 * On any error, the items go back exactly as they came and nothing is generated.
 */
import { loadConfig } from "./config/load.js";
import type { ResolvedConfig } from "./config/types.js";
import type { KubeObject, ResourceList } from "./krm/resource-list.js";
import { isObject, parseResourceList, ResourceListError, writeResourceList } from "./krm/resource-list.js";
import type { Result } from "./krm/results.js";
import { hasErrors } from "./krm/results.js";
import { refOf, upsert } from "./krm/upsert.js";
import { buildAll, ownedBy, ownerLabels } from "./resources/index.js";

export interface Outcome {
  /** The ResourceList to write to stdout. */
  output: string;
  results: Result[];
  ok: boolean;
}

export function processResourceList(text: string): Outcome {
  let list: ResourceList;
  try {
    list = parseResourceList(text);
  } catch (e) {
    if (!(e instanceof ResourceListError)) throw e;
    const results: Result[] = [{ severity: "error", message: e.message, ...(e.field ? { field: { path: e.field } } : {}) }];
    // The items (and functionConfig) go back as they came when they could be cut out of the input.
    return { output: writeResourceList(e.partial ?? { items: [], indent: 0 }, results), results, ok: false };
  }

  const loaded = list.functionConfig
    ? loadConfig(list.functionConfig)
    : { results: [{ severity: "error", message: "functionConfig is missing: give the function a MlflowConfig (kpt: configPath; kustomize: the generator's config)", field: { path: "functionConfig" } }] as Result[] };
  const results = loaded.results.map((r) => attachConfigRef(r, list.functionConfig));
  if (!loaded.config || hasErrors(results)) {
    return { output: writeResourceList(list, results), results, ok: false };
  }

  const config = loaded.config;
  const generated = buildAll(config);
  const upserted = upsert(list.items, generated, ownedBy(config), (o) => fileFor(config, o), ownerLabels(config));
  const all = [...results, ...upserted.results];
  if (hasErrors(upserted.results)) return { output: writeResourceList(list, all), results: all, ok: false };
  return { output: writeResourceList({ ...list, items: upserted.items }, all), results: all, ok: true };
}

/**
 * Where kpt writes a generated object: one file per object, in a folder named after the
 * instance's namespace (which defaults to its name), so instances that share a name in
 * different namespaces write different files.
 */
export function fileFor(config: ResolvedConfig, o: KubeObject): string {
  const name = isObject(o.metadata) ? String(o.metadata.name) : "unnamed";
  return `${config.namespace}/${String(o.kind).toLowerCase()}_${name}.yaml`;
}

function attachConfigRef(r: Result, fc: KubeObject | undefined): Result {
  if (!fc || r.resourceRef) return r;
  const annotations = isObject(fc.metadata) && isObject(fc.metadata.annotations) ? fc.metadata.annotations : {};
  const path = annotations["internal.config.kubernetes.io/path"] ?? annotations["config.kubernetes.io/path"];
  return { ...r, resourceRef: refOf(fc), ...(typeof path === "string" ? { file: { path } } : {}) };
}
