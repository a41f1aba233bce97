/** Building ResourceLists the way kpt and kustomize send them, and reading outputs. */
import { parseAllDocuments, parseDocument } from "yaml";
import type { KubeObject } from "../../function/krm/resource-list.js";

/** Indent a YAML document's text as one item of a block sequence at column 0. */
export function asItem(docText: string): string {
  const lines = docText.replace(/\n+$/, "").split("\n");
  const first = lines.findIndex((l) => !/^\s*(#.*)?$/.test(l)); // leading comments stay above the "- "
  return lines.map((l, i) => (i < first ? l : i === first ? `- ${l}` : l === "" ? "" : `  ${l}`)).join("\n") + "\n";
}

/** Split a multi-document YAML text into the documents' texts (without `---`). */
export function documents(text: string): string[] {
  return text
    .split(/^---[ \t]*\n/m)
    .map((d) => d.replace(/^\n+/, ""))
    .filter((d) => d.trim() !== "");
}

/** A ResourceList whose items and functionConfig keep the given texts byte for byte. */
export function resourceList(functionConfig: string | undefined, itemTexts: string[] = []): string {
  let out = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
  out += itemTexts.length === 0 ? "items: []\n" : "items:\n" + itemTexts.map(asItem).join("");
  if (functionConfig !== undefined) {
    out +=
      "functionConfig:\n" +
      functionConfig
        .replace(/\n+$/, "")
        .split("\n")
        .map((l) => (l === "" ? "" : `  ${l}`))
        .join("\n") +
      "\n";
  }
  return out;
}

export interface ParsedOutput {
  items: KubeObject[];
  functionConfig?: KubeObject;
  results: Array<{ severity: string; message: string; field?: { path: string }; resourceRef?: Record<string, string> }>;
}

export function parseOutput(text: string): ParsedOutput {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`output is not YAML: ${doc.errors[0].message}`);
  const js = doc.toJS() as {
    kind: string;
    apiVersion: string;
    items?: KubeObject[];
    functionConfig?: KubeObject;
    results?: ParsedOutput["results"];
  };
  if (js.kind !== "ResourceList" || js.apiVersion !== "config.kubernetes.io/v1")
    throw new Error("output is not a config.kubernetes.io/v1 ResourceList");
  return { items: js.items ?? [], functionConfig: js.functionConfig, results: js.results ?? [] };
}

export function parseStream(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject)
    .filter((o) => o != null);
}

/** Items the function generated (they carry its managed-by label). */
export function generatedItems(items: KubeObject[]): KubeObject[] {
  return items.filter(
    (o) =>
      (o.metadata?.labels as Record<string, string> | undefined)?.["app.kubernetes.io/managed-by"] === "mlflow-infra",
  );
}
