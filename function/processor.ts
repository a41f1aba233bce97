/**
 * The function: ResourceList in, ResourceList out. Pure (text to text); main.ts does the I/O.
 *
 * read ResourceList -> load and validate the config -> build manifests -> upsert -> write.
 * On any error, the items go back exactly as they came and nothing is generated.
 */
import { loadConfig } from "./config/load.js";
import type { ResolvedConfig } from "./config/types.js";
import type { Item, KubeObject, ReadOptions, ResourceList } from "./krm/resource-list.js";
import {
  fullItem,
  isObject,
  parseResourceList,
  ResourceListError,
  resourceListParts,
  ScanMismatch,
} from "./krm/resource-list.js";
import type { Result } from "./krm/results.js";
import { hasErrors } from "./krm/results.js";
import { identity, refOf, upsert } from "./krm/upsert.js";
import { buildAll, carriesInstanceLabels, ownedBy, ownerLabels } from "./resources/index.js";

export interface Outcome {
  /** The ResourceList to write to stdout. */
  readonly output: string;
  /** The same text in the pieces it was made of (long runs of input text among them), to write one by one. */
  parts: string[];
  results: Result[];
  ok: boolean;
}

export function processResourceList(text: string, options: ReadOptions = {}): Outcome {
  try {
    return processOnce(text, options);
  } catch (e) {
    // A scanned item that reads differently when parsed: the whole input again, parsed.
    if (e instanceof ScanMismatch && options.scan !== false) return processOnce(text, { scan: false });
    throw e;
  }
}

function processOnce(text: string, options: ReadOptions): Outcome {
  let list: ResourceList;
  try {
    list = parseResourceList(text, options);
  } catch (e) {
    if (!(e instanceof ResourceListError)) throw e;
    const results: Result[] = [
      { severity: "error", message: e.message, ...(e.field ? { field: { path: e.field } } : {}) },
    ];
    // The items (and functionConfig) go back as they came when they could be cut out of the input.
    return outcome(resourceListParts(e.partial ?? { items: [], indent: 0 }, results), results, false);
  }

  const loaded = list.functionConfig
    ? loadConfig(list.functionConfig)
    : {
        results: [
          {
            severity: "error",
            message:
              "functionConfig is missing: give the function a MlflowConfig (kpt: configPath; kustomize: the " +
              "generator's config)",
            field: { path: "functionConfig" },
          },
        ] as Result[],
      };
  const results = loaded.results.map((r) => attachConfigRef(r, list.functionConfig));
  if (!loaded.config || hasErrors(results)) {
    return outcome(resourceListParts(list, results), results, false);
  }

  const config = loaded.config;
  const generated = buildAll(config);
  const items = withFullObjects(list, generated, config);
  const upserted = upsert(items, generated, ownedBy(config), (o) => fileFor(config, o), ownerLabels(config));
  const all = [...results, ...upserted.results];
  // An object the instance does not own is never replaced: nothing is generated, the items go back as they came.
  if (hasErrors(upserted.results)) return outcome(resourceListParts(list, all), all, false);
  return outcome(resourceListParts({ ...list, items: upserted.items }, all), all, true);
}

function outcome(parts: string[], results: Result[], ok: boolean): Outcome {
  let output: string | undefined;
  return {
    get output() {
      return (output ??= parts.join(""));
    },
    parts,
    results,
    ok,
  };
}

/**
 * The items upsert may replace or prune, with their whole objects (scanned items hold only the
 * fields scan.ts reads): those with a generated object's identity, and those carrying this
 * instance's managed-by and instance labels (ownedBy looks at nothing else first).
 */
function withFullObjects(list: ResourceList, generated: readonly KubeObject[], config: ResolvedConfig): Item[] {
  const ids = new Set(generated.map(identity));
  return list.items.map((item) => {
    if (!item.partial) return item;
    const mine = carriesInstanceLabels(item.object, config);
    return mine || ids.has(identity(item.object)) ? fullItem(item, list) : item;
  });
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
