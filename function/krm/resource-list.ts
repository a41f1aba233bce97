/**
 * Reading and writing a ResourceList without re-serializing what the function does not own.
 *
 * Every input item keeps the exact text it came with (comments, quoting, `0755`, dates,
 * anchors, indentation): the writer copies those bytes, and only objects the function
 * generated are serialized. This is why the `yaml` package's CST ranges are used here
 * rather than a parse/stringify round trip (see README, "Why not the kpt-functions SDK").
 */
import { isMap, isSeq, type Document, type Node, type Pair, type YAMLSeq } from "yaml";
import type { Result } from "./results.js";
import { readYaml, toSequenceItem, toYaml, YamlInputError } from "./yaml.js";

export type KubeObject = Record<string, unknown> & {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: Record<string, unknown>;
};

/** One item of the list: its value, and its original text when it came from the input. */
export interface Item {
  object: KubeObject;
  /** The item's exact input text, `- ` indicator and preceding comments included. */
  source?: string;
}

export interface ResourceList {
  items: Item[];
  functionConfig?: KubeObject;
  /** The `functionConfig:` entry exactly as written in the input. */
  functionConfigSource?: string;
  /** Column of the `-` of the input's item sequence; generated items line up with it. */
  indent: number;
}

export class ResourceListError extends Error {
  /** What could be read before the error (the items' texts): written back unchanged. */
  constructor(message: string, readonly field?: string, readonly partial?: ResourceList) {
    super(message);
  }
}

/** Values the function reads are limited to keep hostile input (alias bombs) cheap. */
const TO_JS = { maxAliasCount: 1000 } as const;

export function parseResourceList(text: string): ResourceList {
  if (text.trim() === "") throw new ResourceListError("no input: expected a ResourceList on standard input");
  let doc: Document;
  try {
    doc = readYaml(text);
  } catch (e) {
    if (e instanceof YamlInputError) throw new ResourceListError(`input is not valid YAML: ${e.message}`);
    throw e;
  }
  if (!isMap(doc.contents)) throw new ResourceListError("input must be a YAML mapping of kind ResourceList");
  const kind = doc.get("kind");
  if (kind !== "ResourceList") {
    throw new ResourceListError(`input must have kind ResourceList, got ${JSON.stringify(kind ?? null)}`, "kind");
  }

  const itemsPair = findPair(doc, "items");
  const seq = itemsPair?.value;
  let items: Item[] = [];
  let indent = 0;
  if (seq != null && !(isSeq(seq) || isNullScalar(seq))) throw new ResourceListError("items must be a list", "items");
  if (isSeq(seq) && seq.items.length > 0) {
    ({ items, indent } = readItems(doc, text, seq, lineEnd(text, (itemsPair!.key as Node).range![1])));
  }

  const fcPair = findPair(doc, "functionConfig");
  let functionConfig: KubeObject | undefined;
  let functionConfigSource: string | undefined;
  if (fcPair && fcPair.value != null && !isNullScalar(fcPair.value)) {
    const node = fcPair.value as Node;
    if (doc.contents.flow) {
      // A flow (JSON) ResourceList: the key is not on a line of its own; keep the value's text.
      functionConfigSource = `functionConfig: ${reindent(text.slice(node.range![0], node.range![1]), 2)}\n`;
    } else {
      const start = lineStart(text, (fcPair.key as Node).range![0]);
      functionConfigSource = withNewline(text.slice(start, node.range![2]));
    }
    // The items were read: they go back with the error; the functionConfig only when readable.
    const value = valueOf(node, doc, "functionConfig", { items, indent });
    if (!isObject(value)) throw new ResourceListError("functionConfig must be a mapping", "functionConfig", { items, functionConfigSource, indent });
    functionConfig = value;
  }
  return { items, functionConfig, functionConfigSource, indent };
}

function readItems(doc: Document, text: string, seq: YAMLSeq, firstStart: number): { items: Item[]; indent: number } {
  const nodes = seq.items as Node[];
  // No partial list here: an item that cannot be read (an unresolved alias, an alias bomb)
  // would make the whole output unreadable to the orchestrator, and the error with it.
  const items: Item[] = nodes.map((node, i) => {
    const value = valueOf(node, doc, `items[${i}]`);
    if (!isObject(value)) throw new ResourceListError(`items[${i}] must be a mapping (a Kubernetes object)`, `items[${i}]`);
    return { object: value };
  });
  if (seq.flow) {
    // A flow list (`items: [...]`, JSON): each item keeps its own text, as a block list item.
    nodes.forEach((node, i) => {
      items[i].source = `- ${reindent(text.slice(node.range![0], node.range![1]), 2)}\n`;
    });
    return { items, indent: 0 };
  }
  let start = firstStart;
  nodes.forEach((node, i) => {
    const end = lineBoundary(text, i === nodes.length - 1 ? seq.range![2] : node.range![2]);
    items[i].source = withNewline(text.slice(start, end));
    start = end;
  });
  return { items, indent: dashColumn(text, nodes[0].range![0]) };
}

/** The output ResourceList: items and functionConfig as they came, generated items serialized. */
export function writeResourceList(list: ResourceList, results: readonly Result[]): string {
  let out = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
  out += list.items.length === 0 ? "items: []\n" : "items:\n";
  for (const item of list.items) out += item.source ?? toSequenceItem(item.object, list.indent);
  if (list.functionConfigSource !== undefined) out += list.functionConfigSource;
  else if (list.functionConfig !== undefined) out += indentBlock("functionConfig", list.functionConfig);
  if (results.length > 0) out += indentBlock("results", results);
  return out;
}

function indentBlock(key: string, value: unknown): string {
  const body = toYaml(value).replace(/\n$/, "").split("\n").map((l) => (l === "" ? "" : `  ${l}`)).join("\n");
  return `${key}:\n${body}\n`;
}

/** A node's value; an unresolved alias or an alias bomb is an input error, not a crash. */
function valueOf(node: Node, doc: Document, where: string, partial?: ResourceList): unknown {
  try {
    return node.toJS(doc, TO_JS);
  } catch (e) {
    throw new ResourceListError(`${where} cannot be read: ${(e as Error).message}`, where, partial);
  }
}

function findPair(doc: Document, key: string): Pair | undefined {
  if (!isMap(doc.contents)) return undefined;
  return doc.contents.items.find((p) => (p.key as { value?: unknown } | null)?.value === key) as Pair | undefined;
}

function isNullScalar(node: unknown): boolean {
  return (node as { value?: unknown }).value === null;
}

export function isObject(v: unknown): v is KubeObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf("\n", pos);
  return nl === -1 ? text.length : nl + 1;
}

/**
 * Items are cut at line starts: a node can end after the indentation of the next line (the
 * next item's `- ` would lose its indentation) or before a comment on its own last line.
 */
function lineBoundary(text: string, pos: number): number {
  const start = lineStart(text, pos);
  return text.slice(start, pos).trim() === "" ? start : lineEnd(text, pos);
}

/** Column of the `-` indicator that introduces the sequence item whose value starts at `pos`. */
function dashColumn(text: string, pos: number): number {
  let i = pos - 1;
  while (i >= 0 && text[i] !== "-") i--;
  return i - lineStart(text, i);
}

/**
 * Flow text moved into a block context: continuation lines are indented by `by` spaces so
 * they stay inside the enclosing entry. Indentation inside flow collections carries no
 * meaning (leading white space of a continuation line is folded away), so the value is kept.
 */
function reindent(flowText: string, by: number): string {
  const pad = " ".repeat(by);
  return flowText.replace(/\r?\n(?=[^\r\n])/g, (nl) => `${nl}${pad}`);
}

function withNewline(s: string): string {
  return s.endsWith("\n") ? s : `${s}\n`;
}
