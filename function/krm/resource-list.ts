/**
 * Reading and writing a ResourceList without re-serializing what the function does not own.
 *
 * Every input item keeps the exact text it came with (comments, quoting, `0755`, dates,
 * anchors, indentation): the writer copies those bytes, and only objects the function
 * generated are serialized. This is why the `yaml` package's CST ranges are used here
 * rather than a parse/stringify round trip (see README, "Why not the kpt-functions SDK").
 *
 * Most items are only passed through, so they are not parsed at all: scan.ts cuts the items
 * out of the text and reads the few fields the function needs (apiVersion, kind, metadata
 * name, namespace, labels, annotations), and reads the functionConfig in full, so that a
 * render of plain block YAML (the seed, what kpt and kustomize send) never runs the `yaml`
 * package. The items the function may replace or prune (fullItem) and those whose head the
 * scanner declined are read whole by the scanner too (readItem), so that re-rendering a package
 * that holds the generated objects does not either; only what the scanner cannot read with
 * certainty is parsed. When the scanner is
 * unsure of the list's layout, or anything fails to parse, the whole input goes through the
 * full parser below, which also words every error.
 */
import { isMap, isSeq, type Document, type Node, type Pair, type YAMLSeq } from "yaml";
import type { Result } from "./results.js";
import { readFunctionConfig, readItemValue, scanResourceList } from "./scan.js";
import { readYaml, toSequenceItem, toYaml, YamlInputError } from "./yaml.js";

export type KubeObject = Record<string, unknown> & {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: Record<string, unknown>;
};

/** One item of the list: its value, and its original text when it came from the input. */
export interface Item {
  object: KubeObject;
  /** The item's exact input text, `- ` indicator and preceding comments included (or `span`). */
  source?: string;
  /** `object` holds only the fields the scanner read (scan.ts); fullItem() reads the rest. */
  partial?: boolean;
  /** Where `source` lies in the input (`ResourceList.text`): adjacent items are copied at once. */
  span?: readonly [number, number];
}

export interface ResourceList {
  items: Item[];
  functionConfig?: KubeObject;
  /** The `functionConfig:` entry exactly as written in the input. */
  functionConfigSource?: string;
  /** Column of the `-` of the input's item sequence; generated items line up with it. */
  indent: number;
  /** The input, when items carry spans into it. */
  text?: string;
}

export interface ReadOptions {
  /** Scan the items as text and parse only what is needed (default); false parses everything. */
  scan?: boolean;
}

/** A scanned item's head disagrees with its full parse: the caller reads the input again, fully. */
export class ScanMismatch extends Error {}

export class ResourceListError extends Error {
  /** What could be read before the error (the items' texts): written back unchanged. */
  constructor(
    message: string,
    readonly field?: string,
    readonly partial?: ResourceList,
  ) {
    super(message);
  }
}

/** Values the function reads are limited to keep hostile input (alias bombs) cheap. */
const TO_JS = { maxAliasCount: 1000 } as const;

export function parseResourceList(text: string, options: ReadOptions = {}): ResourceList {
  if (text.trim() === "") throw new ResourceListError("no input: expected a ResourceList on standard input");
  if (options.scan !== false) {
    const scanned = scannedList(text);
    if (scanned) return scanned;
  }
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
    if (!isObject(value))
      throw new ResourceListError("functionConfig must be a mapping", "functionConfig", {
        items,
        functionConfigSource,
        indent,
      });
    functionConfig = value;
  }
  return { items, functionConfig, functionConfigSource, indent };
}

/** The list as the scanner reads it, or undefined when anything needs the full parser. */
function scannedList(text: string): ResourceList | undefined {
  const scan = scanResourceList(text);
  if (!scan) return undefined;
  let functionConfig: KubeObject | undefined;
  let functionConfigSource: string | undefined;
  if (scan.functionConfig) {
    // Read by the scanner (no parser: it is what every run reads), or parsed when the scanner declines.
    const { start, end } = scan.functionConfig;
    const fc = readFunctionConfig(text, start) ?? parsedFunctionConfig(text.slice(start, end), start);
    if (!fc) return undefined;
    if (fc.value !== null) {
      if (!isObject(fc.value)) return undefined;
      functionConfig = fc.value;
      functionConfigSource = withNewline(text.slice(start, fc.end));
    }
  }
  const items: Item[] = [];
  for (const s of scan.items) {
    // An item that ends the input without a line break gets one: its text, not a span of the input.
    const span = text.charCodeAt(s.end - 1) === 10 ? ([s.start, s.end] as const) : undefined;
    const source = span ? undefined : withNewline(text.slice(s.start, s.end));
    if (s.head) {
      items.push({ object: s.head, source, partial: true, span });
      continue;
    }
    // The scanner is unsure of this item: the parser reads it alone, and must end it where the scanner did.
    const object = readItem(text.slice(s.start, s.gapEnd), s.end - s.start);
    if (!object) return undefined;
    items.push({ object, source, span });
  }
  return { items, functionConfig, functionConfigSource, indent: scan.indent, text };
}

/**
 * The `functionConfig:` entry's text (from `offset` of the input) parsed alone: its value (null
 * when it has none) and where its text ends in the input; undefined when it does not parse.
 */
export function parsedFunctionConfig(fcText: string, offset = 0): { value: unknown; end: number } | undefined {
  const doc = tryReadYaml(fcText);
  if (!doc || !isMap(doc.contents) || doc.contents.items.length !== 1) return undefined;
  const node = doc.contents.items[0].value as Node | null;
  if (node == null || isNullScalar(node)) return { value: null, end: offset };
  return { value: tryToJS(node, doc), end: offset + node.range![2] };
}

/**
 * One item's text alone, as a YAML document (a sequence of one mapping): its value, or
 * undefined unless it reads without error (and its content ends at `end` when given). The
 * scanner reads it when it can (the objects this function wrote, as kpt sends them back, on
 * every re-render), the `yaml` package when the scanner declines.
 */
export function readItem(itemText: string, end?: number): KubeObject | undefined {
  return readItemValue(itemText, end) ?? parsedItem(itemText, end);
}

/** readItem() by the `yaml` package alone. */
export function parsedItem(itemText: string, end?: number): KubeObject | undefined {
  const doc = tryReadYaml(itemText);
  if (!doc || !isSeq(doc.contents) || doc.contents.items.length !== 1) return undefined;
  const node = doc.contents.items[0] as Node;
  if (end !== undefined && lineBoundary(itemText, doc.contents.range![2]) !== end) return undefined;
  const value = tryToJS(node, doc);
  return isObject(value) ? value : undefined;
}

function tryReadYaml(text: string): Document | undefined {
  try {
    return readYaml(text);
  } catch (e) {
    if (e instanceof YamlInputError) return undefined;
    throw e;
  }
}

function tryToJS(node: Node, doc: Document): unknown {
  try {
    return node.toJS(doc, TO_JS);
  } catch {
    return undefined;
  }
}

/**
 * The item with its whole object: parsed from its text when the scanner read only its head
 * (which must agree with the parse, or the input is read again without the scanner).
 */
export function fullItem(item: Item, list: ResourceList): Item {
  if (!item.partial) return item;
  const source = sourceOf(item, list);
  const object = source === undefined ? undefined : readItem(source);
  if (!object || !sameHead(item.object, object)) throw new ScanMismatch("a scanned item reads differently in full");
  return { ...item, object, partial: false };
}

/** The item's exact input text (`source`, or its span of the input). */
export function sourceOf(item: Item, list: ResourceList): string | undefined {
  if (item.source !== undefined || !item.span || list.text === undefined) return item.source;
  return list.text.slice(item.span[0], item.span[1]);
}

/** The fields the scanner reads, as the full parse has them. */
export function headOf(o: KubeObject): KubeObject {
  const head: KubeObject = {};
  if ("apiVersion" in o) head.apiVersion = o.apiVersion;
  if ("kind" in o) head.kind = o.kind;
  if ("metadata" in o) {
    const md = o.metadata as Record<string, unknown>;
    const metadata: Record<string, unknown> = {};
    if (isObject(md)) for (const k of ["name", "namespace", "labels", "annotations"]) if (k in md) metadata[k] = md[k];
    head.metadata = isObject(md) ? metadata : md;
  }
  return head;
}

function sameHead(head: KubeObject, full: KubeObject): boolean {
  return JSON.stringify(sorted(head)) === JSON.stringify(sorted(headOf(full)));
}

function sorted(v: unknown): unknown {
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sorted(v[k])]),
  );
}

function readItems(doc: Document, text: string, seq: YAMLSeq, firstStart: number): { items: Item[]; indent: number } {
  const nodes = seq.items as Node[];
  // No partial list here: an item that cannot be read (an unresolved alias, an alias bomb)
  // would make the whole output unreadable to the orchestrator, and the error with it.
  const items: Item[] = nodes.map((node, i) => {
    const value = valueOf(node, doc, `items[${i}]`);
    if (!isObject(value))
      throw new ResourceListError(`items[${i}] must be a mapping (a Kubernetes object)`, `items[${i}]`);
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
  return { items, indent: column(text, seq.range![0]) };
}

/** The output ResourceList: items and functionConfig as they came, generated items serialized. */
export function writeResourceList(list: ResourceList, results: readonly Result[]): string {
  return resourceListParts(list, results).join("");
}

/** The output ResourceList in pieces; runs of items that follow each other in the input are one piece. */
export function resourceListParts(list: ResourceList, results: readonly Result[]): string[] {
  const parts = ["apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"];
  parts.push(list.items.length === 0 ? "items: []\n" : "items:\n");
  const { items, text } = list;
  let pending = "";
  for (let i = 0; i < items.length; i++) {
    const span = items[i].span;
    if (text !== undefined && span) {
      let end = span[1];
      while (i + 1 < items.length && items[i + 1].span?.[0] === end) end = items[++i].span![1];
      if (pending !== "") parts.push(pending);
      pending = "";
      parts.push(text.slice(span[0], end));
    } else {
      pending += items[i].source ?? toSequenceItem(items[i].object, list.indent);
    }
  }
  if (list.functionConfigSource !== undefined) pending += list.functionConfigSource;
  else if (list.functionConfig !== undefined) pending += indentBlock("functionConfig", list.functionConfig);
  if (results.length > 0) pending += indentBlock("results", results);
  if (pending !== "") parts.push(pending);
  return parts;
}

function indentBlock(key: string, value: unknown): string {
  const body = toYaml(value)
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => (l === "" ? "" : `  ${l}`))
    .join("\n");
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

/** Column of `pos` (a block sequence's range starts at its first `-`). */
function column(text: string, pos: number): number {
  return pos - lineStart(text, pos);
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
