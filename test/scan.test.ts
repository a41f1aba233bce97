/**
 * The ResourceList scanner (function/krm/scan.ts) against the full `yaml` parser, with
 * fast-check: generated ResourceLists written the many ways YAML writers and people write them,
 * then fuzzed (characters that matter to YAML inserted, deleted and replaced). For every input,
 * reading it with the scanner and reading it with the parser alone must agree:
 * - both fail with the same error, or both succeed;
 * - the same items, cut at the same bytes; the same indent, functionConfig and its text;
 * - each item the scanner read has the head the parser reads (apiVersion, kind, metadata name,
 *   namespace, labels, annotations); every other item the parser's whole value;
 * - the same bytes out, through the writer and through the whole function (upserting and
 *   pruning included).
 * The generated inputs must mostly take the scanner's path (checked), or the comparison would
 * prove little. The seed is fixed (FUZZ_SEED overrides it; FUZZ_RUNS scales the run counts).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { build } from "esbuild";
import fc from "fast-check";
import { Document, isCollection, visit } from "yaml";
import { mlflowConfigSchema } from "../function/config/schema.js";
import {
  headOf,
  parsedFunctionConfig,
  parsedItem,
  parseResourceList,
  sourceOf,
  writeResourceList,
} from "../function/krm/resource-list.js";
import type { ResourceList } from "../function/krm/resource-list.js";
import { readFunctionConfig, readItemValue, scanResourceList } from "../function/krm/scan.js";
import { toSequenceItem } from "../function/krm/yaml.js";
import { processResourceList } from "../function/processor.js";
import { asItem, resourceList } from "./helpers/krm.js";
import { ROOT } from "./helpers/paths.js";
import { arbitraryFor, fieldPaths, type SchemaNode } from "./helpers/schema-arbitrary.js";
import { runs, seed } from "./helpers/fuzz.js";

const SEED = seed(20261202);

const HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
const CONFIG = `apiVersion: mlflow-infra.dev/v1alpha1
kind: MlflowConfig
metadata:
  name: mlflow
spec:
  stack: zenml
  gcp: {projectId: zenml-470505}
`;
const FUNCTION_CONFIG = `functionConfig:\n${CONFIG.replace(/^(?=.)/gm, "  ")}`;

// -------------------------------------------------------------------------------------------
// Items

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const ODD = ["0755", "1.0", "yes", "true", "null", "~", "", " x", "a: b", "a #b", "#x", "-", "- x", "*x", "&x", "!x"];
const MORE_ODD = ["é", "\t", "'q'", '"d"', "x\ny", "x\n", "{a}", "[b]", "%x", "@x", "`x", ">", "|", "? x"];
const odd = fc.constantFrom(...ODD, ...MORE_ODD);
const text = fc.oneof({ weight: 30, arbitrary: word }, odd, fc.string({ maxLength: 6 }));
const number = fc.oneof(fc.integer({ min: -99, max: 99 }), fc.double({ noNaN: true }));
const scalar = fc.oneof({ weight: 20, arbitrary: text }, number, fc.boolean(), fc.constant(null));
const oddKey = fc.constantFrom("app.kubernetes.io/name", "a.b/c_d", "_x", "0755", "true", "Null", "yes", "a b", "x-1");
const key = fc.oneof({ weight: 40, arbitrary: word }, oddKey, text);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, { weight: 3, arbitrary: scalar }, tie("list"), tie("map")),
  list: fc.array(tie("value"), { maxLength: 3 }),
  map: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
}));
const labels = fc.dictionary(
  fc.oneof(word, fc.constantFrom("app.kubernetes.io/managed-by", "app.kubernetes.io/instance")),
  fc.oneof({ weight: 20, arbitrary: word }, fc.constantFrom("mlflow-infra", "mlflow"), scalar),
  { maxKeys: 3 },
);
const often = <T>(common: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 6, arbitrary: common }, other);
const metadata = fc.record(
  {
    name: often(fc.constantFrom("mlflow", "mlflow-secret-store", "app"), scalar),
    namespace: often(fc.constantFrom("mlflow", "team-a"), scalar),
    labels,
    annotations: labels,
  },
  { requiredKeys: [] },
);

const object = fc.record(
  {
    apiVersion: often(fc.constantFrom("v1", "apps/v1", "external-secrets.io/v1beta1", "argoproj.io/v1alpha1"), scalar),
    kind: often(
      fc.constantFrom("ConfigMap", "Deployment", "Namespace", "ServiceAccount", "SecretStore", "Application"),
      scalar,
    ),
    metadata: fc.oneof({ weight: 8, arbitrary: metadata }, value),
    data: fc.dictionary(key, value, { maxKeys: 4 }),
    spec: value,
  },
  { requiredKeys: [] },
);

/** How the `yaml` package writes an object, in one of many styles. */
const style = fc.record({
  indent: fc.constantFrom(2, 2, 4),
  indentSeq: fc.boolean(),
  flowLevel: fc.constantFrom(99, 99, 99, 1, 2, 3), // collections this deep and deeper in flow style
  string: fc.constantFrom("PLAIN", "PLAIN", "PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE", "BLOCK_LITERAL", "BLOCK_FOLDED"),
  lineWidth: fc.constantFrom(0, 0, 0, 20),
});

/** Comments, blank lines and repeated lines at random lines, at random indentation. */
const decoration = fc.array(
  fc.record({
    line: fc.nat(),
    kind: fc.constantFrom("comment", "comment", "blank", "blank", "trailing", "trailing", "repeat"),
    indent: fc.constantFrom(0, 1, 2, 4, 6),
  }),
  { maxLength: 4 },
);

type Style = typeof style extends fc.Arbitrary<infer T> ? T : never;
type Decoration = typeof decoration extends fc.Arbitrary<(infer T)[]> ? T : never;

function write(o: unknown, s: Style): string {
  const doc = new Document(o);
  visit(doc, {
    Collection(_, node, path) {
      if (path.filter((p) => isCollection(p)).length >= s.flowLevel) node.flow = true;
    },
  });
  const type = s.string as "PLAIN";
  const { indent, indentSeq, lineWidth } = s;
  return doc.toString({ indent, indentSeq, defaultStringType: type, lineWidth, minContentWidth: 0 });
}

function decorate(doc: string, decorations: readonly Decoration[]): string {
  const lines = doc.replace(/\n$/, "").split("\n");
  for (const d of decorations) {
    const at = d.line % (lines.length + 1);
    if (d.kind === "comment") lines.splice(at, 0, `${" ".repeat(d.indent)}# comment ${at}`);
    else if (d.kind === "blank") lines.splice(at, 0, " ".repeat(d.indent % 3));
    else if (d.kind === "repeat")
      lines.splice(at, 0, lines[at] ?? ""); // often a duplicate key
    else if (at < lines.length && !/^\s*(#.*)?$/.test(lines[at])) lines[at] += "  # trailing";
  }
  return `${lines.join("\n")}\n`;
}

const item = fc.tuple(object, style, decoration).map(([o, s, d]) => decorate(write(o, s), d));

/** Items as kpt and kubectl write them: block style, plain strings, names and numbers. */
const { kptValue } = fc.letrec((tie) => ({
  kptValue: fc.oneof(
    { depthSize: "small" },
    { weight: 4, arbitrary: fc.oneof(word, fc.integer()) },
    fc.array(tie("kptValue"), { maxLength: 3 }),
    fc.dictionary(word, tie("kptValue"), { maxKeys: 3 }),
  ),
}));
const kptObject = fc
  .record({
    kind: fc.constantFrom("ConfigMap", "Deployment", "Namespace"),
    name: word,
    namespace: word,
    labels: fc.dictionary(word, word, { maxKeys: 2 }),
    data: fc.dictionary(word, kptValue, { maxKeys: 4 }),
  })
  .map(({ kind, name, namespace, labels, data }) => {
    const annotations = { "internal.config.kubernetes.io/path": `${name}.yaml` };
    return { apiVersion: "v1", kind, metadata: { name, namespace, labels, annotations }, data };
  });
const kptStyle = style.map((s): Style => {
  return { ...s, string: "PLAIN", lineWidth: 0, flowLevel: s.flowLevel < 99 ? 3 : 99 };
});
const kptItem = fc.tuple(kptObject, kptStyle, decoration).map(([o, s, d]) => decorate(write(o, s), d));

/** A ResourceList as kpt and kustomize write them, sometimes with the items indented by two. */
const list = fc
  .record({
    items: fc.array(fc.oneof(item, kptItem), { maxLength: 6 }),
    indented: fc.boolean(),
    config: fc.boolean(),
    comments: decoration,
  })
  .map(({ items, indented, config, comments }) => {
    const body = items.map((t) => (indented ? asItem(t).replace(/^(?=.)/gm, "  ") : asItem(t))).join("");
    const out = decorate(`${HEADER}${items.length === 0 ? "items: []\n" : `items:\n${body}`}`, comments);
    return config ? `${out}${FUNCTION_CONFIG}` : out;
  });

/** Characters that matter to YAML, inserted, deleted or replaced at random places. */
const SIGNIFICANT = [" ", "  ", "-", "- ", ":", ": ", "#", " #", "\n", "\n  ", "'", '"', "[", "]", "{", "}", ","];
const edit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("insert", "delete", "replace"),
  c: fc.constantFrom(...SIGNIFICANT, "&a ", "*a", "!t ", "|", ">", "?", "\t", "\r", "é", "\\", "---\n", "\u0085"),
});
/** `text` with the edits applied in turn, each at a place from `from` on. */
function applyEdits(text: string, edits: readonly { at: number; op: string; c: string }[], from = 0): string {
  let s = text;
  for (const e of edits) {
    const at = from + (e.at % (s.length - from + 1));
    if (e.op === "insert") s = s.slice(0, at) + e.c + s.slice(at);
    else if (e.op === "delete") s = s.slice(0, at) + s.slice(at + 1 + (e.at % 3));
    else s = s.slice(0, at) + e.c + s.slice(at + e.c.length);
  }
  return s;
}
const fuzzed = fc.tuple(list, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([t, edits]) => applyEdits(t, edits));

// -------------------------------------------------------------------------------------------
// The comparison

type Read = { list: ResourceList } | { error: string };

function read(input: string, scan: boolean): Read {
  try {
    return { list: parseResourceList(input, { scan }) };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

const stats = { inputs: 0, valid: 0, scanned: 0, heads: 0, parsedItems: 0 };

function sameReading(input: string): void {
  stats.inputs++;
  const scanned = read(input, true);
  const full = read(input, false);
  if ("error" in full || "error" in scanned) {
    expect(scanned).toEqual(full);
    return;
  }
  stats.valid++;
  const a = scanned.list;
  const b = full.list;
  if (a.text !== undefined) stats.scanned++;
  expect(a.items.map((i) => sourceOf(i, a))).toEqual(b.items.map((i) => sourceOf(i, b)));
  a.items.forEach((item, i) => {
    if (item.partial) {
      stats.heads++;
      expect(item.object).toEqual(headOf(b.items[i].object));
    } else {
      stats.parsedItems++;
      expect(item.object).toEqual(b.items[i].object);
    }
  });
  const rest = (l: ResourceList) => [l.indent, l.functionConfigSource, l.functionConfig];
  expect(rest(a)).toEqual(rest(b));
  expect(writeResourceList(a, [])).toBe(writeResourceList(b, []));
}

const params = (n: number) => ({ seed: SEED, numRuns: runs(n), endOnFailure: true });

describe("the scanner reads what the parser reads", () => {
  test("generated ResourceLists: same items, fields and bytes; most take the scanner's path", () => {
    const before = { ...stats };
    fc.assert(
      fc.property(list, (input) => sameReading(input)),
      params(600),
    );
    const scanned = stats.scanned - before.scanned;
    const heads = stats.heads - before.heads;
    const valid = stats.valid - before.valid; // the lists the parser reads without error
    const parsed = stats.parsedItems - before.parsedItems;
    const line = `${stats.inputs - before.inputs} lists, ${valid} valid, ${scanned} scanned`;
    process.stderr.write(`scan: ${line}, ${heads} items scanned, ${parsed} parsed\n`);
    expect(scanned).toBeGreaterThan(valid * 0.5);
    expect(heads).toBeGreaterThan(parsed * 0.75);
  });

  test("fuzzed ResourceLists: the same reading or the same error", () => {
    fc.assert(
      fc.property(fuzzed, (input) => sameReading(input)),
      params(1500),
    );
  });

  test("the whole function gives the same output, upserting and pruning scanned items", () => {
    const seed = processResourceList(`${HEADER}items: []\n${FUNCTION_CONFIG}`);
    // The generated items, fed back: each kept, changed (replaced), or renamed (pruned as stale).
    const generated = seed.output
      .split("functionConfig:")[0]
      .split(/^(?=- )/m)
      .slice(1);
    expect(generated.length).toBeGreaterThan(3);
    const variant = fc.constantFrom("keep", "change", "rename", "comment");
    const picks = fc.array(fc.tuple(fc.nat(generated.length - 1), variant), { maxLength: 8 });
    const input = fc.tuple(picks, fc.array(item, { maxLength: 3 })).map(([picked, others]) => {
      const texts = picked.map(([i, v]) => {
        const t = generated[i];
        if (v === "change") return t.replace(/(sync-wave: )"?(-?\d+)"?/, '$1"9"');
        if (v === "rename") return t.replace(/^( {4}name: )(\S+)/m, "$1$2-old");
        if (v === "comment") return `# kept by hand\n${t}`;
        return t;
      });
      return `${HEADER}items:\n${[...texts, ...others.map(asItem)].join("")}${FUNCTION_CONFIG}`;
    });
    fc.assert(
      fc.property(input, (text) => {
        const a = processResourceList(text);
        const b = processResourceList(text, { scan: false });
        expect(a.output).toBe(b.output);
        expect(a.ok).toBe(b.ok);
      }),
      params(150),
    );
  });
});

describe("what the scanner declines", () => {
  const item = (body: string, name = "x") =>
    `${HEADER}items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: ${name}\n${body}`;
  const heads = (input: string) => scanResourceList(input)?.items.map((i) => i.head !== undefined);

  test("a plain block item is read; its head holds the fields the function reads", () => {
    const metadata = '    labels:\n      a: b\n    annotations: \n      c: "d"  # note\n';
    const input = item(`${metadata}  data:\n    k: [1, {x: y}]\n    s: |\n      text\n`);
    const metadataHead = { name: "x", labels: { a: "b" }, annotations: { c: "d" } };
    const head = { apiVersion: "v1", kind: "ConfigMap", metadata: metadataHead };
    expect(scanResourceList(input)?.items[0].head).toEqual(head);
  });

  test.each([
    ["an anchor", "  data: &a {x: y}\n"],
    ["an alias", "  data:\n    a: *x\n"],
    ["a tag", "  data:\n    a: !!str 1\n"],
    ["a duplicate key", "  data:\n    a: 1\n    a: 2\n"],
    ["a duplicate key in a flow mapping", "  data: {a: 1, a: 2}\n"],
    ["a multi-line plain scalar", "  data:\n    a: one\n      two\n"],
    ["a multi-line quoted scalar", '  data:\n    a: "one\n      two"\n'],
    ["a tab", "  data:\n    a: \tb\n"],
    ["non-ASCII text", "  data:\n    a: é\n"],
    ["a name that is a number", "  data: {}\n", "42"],
    ["odd indentation", "  data:\n     a: 1\n    b: 2\n"],
    ["a quoted key with an escape", '  data:\n    "\\x41": 1\n'],
    ["an explicit key", "  data:\n    ? a\n    : 1\n"],
    ["a block scalar with an indentation indicator", "  data:\n    a: |2\n       x\n"],
    ["labels that are a list", "    labels: [a]\n"],
  ])("%s: the item is left to the parser", (_, body, name = "x") => {
    expect(heads(item(body, name))).toEqual([false]);
  });

  test.each([
    ["a flow (JSON) ResourceList", '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}\n'],
    ["a second document", `${HEADER}items: []\n---\n${HEADER}`],
    ["a BOM", `\ufeff${HEADER}items: []\n`],
    ["CRLF line ends", `${HEADER}items: []\n`.replace(/\n/g, "\r\n")],
    ["a key after functionConfig", `${HEADER}functionConfig:\n  a: b\nitems: []\n`],
    ["an indented comment between items", `${HEADER}items:\n- a: 1\n  # after a\n- b: 2\n`],
    ["an unknown top-level key", `${HEADER}results: []\n`],
  ])("%s: the whole list is left to the parser", (_, input) => {
    expect(scanResourceList(input)).toBeUndefined();
  });
});

// -------------------------------------------------------------------------------------------
// The functionConfig, read by the scanner without the parser

/** Annotations as kpt and kustomize add them to the functionConfig they send. */
const kptAnnotations = fc.record(
  {
    "config.kubernetes.io/local-config": fc.constant("true"),
    "config.kubernetes.io/index": fc.constantFrom("0", "1"),
    "internal.config.kubernetes.io/path": fc.constantFrom("mlflow-config.yaml", "gen/mlflow config.yaml"),
    "internal.config.kubernetes.io/seqindent": fc.constantFrom("compact", "wide"),
    "config.kubernetes.io/function": fc.constantFrom(
      "container:\n  image: ghcr.io/example-org/mlflow-infra:0.1.0\n",
      "exec:\n  path: ./mlflow-infra\n",
      "container:\n  image: x\n\n  network: false",
    ),
  },
  { requiredKeys: [] },
);
const mlflowConfig = fc
  .tuple(
    arbitraryFor(mlflowConfigSchema as unknown as SchemaNode, {
      "metadata.annotations": kptAnnotations,
      "metadata.labels": labels, // any keys, by the schema
    }),
    fc.option(fc.dictionary(key, value, { maxKeys: 3 }), { freq: 3 }),
  )
  .map(([config, extra]) => {
    const o = config as { spec?: Record<string, unknown> };
    return extra && o.spec ? { ...o, spec: { ...o.spec, ...extra } } : o;
  });
/** `kpt fn eval -- key=value` and a Kptfile's `configMap:`: a ConfigMap of strings. */
const configMap = fc
  .dictionary(
    fc.oneof(fc.constantFrom(...fieldPaths(mlflowConfigSchema as unknown as SchemaNode)), key),
    fc.oneof(word, odd, fc.constantFrom("3", "true", "x y", "a b  c", "it's", "zenml-470505")),
    { maxKeys: 5 },
  )
  .map((data) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "function-input" }, data }));

/** Every mapping's keys in another order (kpt keeps the file's, kustomize sorts them). */
function shuffled(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x, i) => shuffled(x, seed + i));
  if (typeof v !== "object" || v === null) return v;
  const entries = Object.entries(v).map(([k, x], i) => [k, shuffled(x, seed + i)] as const);
  for (let i = entries.length - 1, s = seed; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }
  return Object.fromEntries(entries);
}

/** Configs are mostly block style, written by hand or by kyaml: long lines stay whole. */
const configStyle = style.chain(
  (s) =>
    fc.record({
      ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, fc.constant(v)])),
      flowLevel: fc.constantFrom(99, 99, 99, 99, s.flowLevel),
      lineWidth: fc.constantFrom(0, 0, 0, 0, s.lineWidth),
    }) as fc.Arbitrary<Style>,
);

/** The functionConfig entry of a ResourceList: `functionConfig:` and the config indented under it. */
const configEntry = fc
  .tuple(
    fc.oneof({ weight: 3, arbitrary: mlflowConfig }, configMap),
    configStyle,
    decoration,
    fc.nat(),
    fc.constantFrom(2, 2, 1, 4),
    fc.constantFrom("", "", "  # the config"),
  )
  .map(([o, s, d, seed, by, comment]) => {
    const body = decorate(write(seed % 3 === 0 ? o : shuffled(o, seed), s), d);
    return `functionConfig:${comment}\n${body.replace(/^(?=.)/gm, " ".repeat(by))}`;
  });

/** Scalars as people write them, plain or quoted, that the core schema reads as many types. */
const TOKENS = [
  ...["1", "-1", "+12", "-0", "0755", "0x1f", "0x1F", "0o17", "0o8", "0b11", "1e3", "1E-2", "-2.5e+3", ".5", "1."],
  ...["1.0", "-.inf", ".Inf", "+.INF", ".NaN", ".nan", "~", "null", "Null", "NULL", "true", "False", "TRUE"],
  ...["yes", "on", "1_000", "12:30", "2024-01-01", "-x", "x y", "a#b", "x:y", "a  b", "0x", "1e", ".", "+", "-."],
  ...["e1", "3.14.15", "a{{ b }}", "x]", "a,b", "-x-", "http://a/b?c=d&e", "a b #c", "%x", "@x", "`x", "!x", "&a x"],
  ...['"1"', "'1'", '"true"', "'it''s'", '""', "''", '"a\\"b"', '"\\x41\\u00e9\\t\\\\"', '"\\N\\_\\L\\P\\e\\0\\a\\ "'],
  ...['"\\U0001F600"', '"\\U00110000"', '"\\q"', '"#"', "'#'", '"a: b"', "'a'b'", '"a"b', '"a" # c', "'x'  #"],
  ...["[]", "{}", '[1, two, "3"]', "{a: 1, b: x y}", "[a b,  c ]", "[a,]", "{a: b,}", "[[1], {x: [y]}]"],
  ...["{a: 1, a: 2}", "[a #b]", "[- x]", "[-x]", "[-]", "[a: b]", "{a: , b: c}", `{"k": 'v'}`, "[~, null, .inf]"],
  ...["{a: x:y}", "[a", "{a: b}}", "[ ]", "{ }", "[0755, 0o17, +1]", "{__proto__: x}", "[a, {b: [c, {d: e}]}]"],
];
const HEADERS = ["|", "|-", "|+", ">", ">-", ">+", "|2", "| # note", ">-  # note", "|#x", "|-+"];
const BLOCK_LINES = ["x", "y z", "  more", "    most", "", "", "# not a comment", "   ", "- a", "a: b", "x  "];
/** Replace a line's value by a token, or by a block scalar on the lines below it. */
const valueEdit = fc.record({
  line: fc.nat(),
  token: fc.constantFrom(...TOKENS),
  block: fc.option(
    fc.record({
      header: fc.constantFrom(...HEADERS),
      lines: fc.array(fc.constantFrom(...BLOCK_LINES), { minLength: 0, maxLength: 5 }),
      indent: fc.constantFrom(1, 2, 2, 4),
    }),
    { freq: 3 },
  ),
});
type ValueEdit = typeof valueEdit extends fc.Arbitrary<infer T> ? T : never;

function editValue(text: string, e: ValueEdit): string {
  const lines = text.split("\n");
  const candidates = lines.flatMap((l, i) => (/^ +(?:- )?(?:[\w./-]+: |- )./.test(l) ? [i] : []));
  if (candidates.length === 0) return text;
  const at = candidates[e.line % candidates.length];
  const m = /^( +(?:- )?(?:[\w./-]+: |- ))/.exec(lines[at])!;
  if (!e.block) {
    lines[at] = m[1] + e.token;
    return lines.join("\n");
  }
  const parent = m[1].replace(/: $/, "").search(/[^ -]/);
  const pad = " ".repeat(parent + e.block.indent);
  const body = e.block.lines.map((l) => (l === "" ? "" : pad + l));
  lines.splice(at, 1, m[1] + e.block.header, ...body);
  return lines.join("\n");
}

const editedEntry = fc
  .tuple(configEntry, fc.array(valueEdit, { minLength: 1, maxLength: 3 }))
  .map(([t, edits]) => edits.reduce(editValue, t));
const fuzzedEntry = fc
  .tuple(editedEntry, fc.array(edit, { maxLength: 2 }))
  .map(([t, edits]) => applyEdits(t, edits, "functionConfig:".length));

/** A value with its mappings' key order made visible to toEqual. */
function ordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(ordered);
  if (typeof v !== "object" || v === null) return v;
  return { entries: Object.entries(v).map(([k, x]) => [k, ordered(x)]) };
}

const entryText = (input: string, end: number) => input.slice(0, end).replace(/\n?$/, "\n");

const LIST_HEAD = `${HEADER}items: []\n`;

/** Whether the scanner read the functionConfig; when it did, it must read what the parser reads. */
function readsAsParsed(fcText: string): boolean {
  const input = `${LIST_HEAD}${fcText}`;
  const at = scanResourceList(input)?.functionConfig?.start; // where the scanner hands it to the reader
  const read = at === undefined ? undefined : readFunctionConfig(input, at);
  if (!read) return false;
  const parsed = parsedFunctionConfig(input.slice(at), at);
  expect(parsed).toBeDefined();
  expect(ordered(read.value)).toEqual(ordered(parsed!.value));
  if (read.value !== null) expect(entryText(input, read.end)).toBe(entryText(input, parsed!.end));
  return true;
}

describe("the scanner reads the functionConfig as the parser does", () => {
  test("generated configs in many styles: same value and text; most are read without the parser", () => {
    const count = { valid: 0, read: 0 };
    fc.assert(
      fc.property(configEntry, (fcText) => {
        if (parsedFunctionConfig(fcText)?.value) count.valid++;
        if (readsAsParsed(fcText)) count.read++;
      }),
      params(800),
    );
    process.stderr.write(`scan: ${count.read} of ${count.valid} valid functionConfigs read without the parser\n`);
    expect(count.read).toBeGreaterThan(count.valid * 0.6);
  });

  test("edited values (numbers, booleans, nulls, quoting, escapes, flow, block scalars): same or declined", () => {
    fc.assert(
      fc.property(editedEntry, (t) => void readsAsParsed(t)),
      params(1500),
    );
  });

  test("fuzzed: same value and text, or declined", () => {
    fc.assert(
      fc.property(fuzzedEntry, (t) => void readsAsParsed(t)),
      params(1500),
    );
  });

  test("in a ResourceList: the same list and output as with the parser alone", () => {
    fc.assert(
      fc.property(fc.oneof(configEntry, editedEntry), (entry) => {
        const input = `${LIST_HEAD}${entry}`;
        sameReading(input);
        const a = processResourceList(input);
        const b = processResourceList(input, { scan: false });
        expect(a.output).toBe(b.output);
      }),
      params(200),
    );
  });

  test.each([
    ["plain scalars of every core schema type", "a: 1\nb: -0\nc: 0755\nd: 0x1f\ne: 0o17\nf: 1e3\ng: .inf\nh: -.Inf"],
    ["null, booleans and strings", "a: ~\nb: null\nc:\nd: true\ne: False\nf: yes\ng: x y  # c\nh: 2024-01-01"],
    ["quoted", `a: "1"\nb: 'true'\nc: 'it''s'\nd: "\\x41\\u00e9\\t\\"\\\\"\ne: ""`],
    ["flow", `a: [1, two, "3", 'x y']\nb: {k: x y, n: "0755", e: ""}\nc: []\nd: {}\ne: [[a], {b: c}]`],
    ["sequences, indented or not", "a:\n- x\n- y: 1\n  z: 2\nb:\n  - []\n  -\n    - 1\nc:\n  -\n    d: 1"],
    ["block scalars", "a: |\n  x\n\n    y\nb: |-\n  x\nc: >\n  x\n  y\n\n  z\n    w\nd: >-\n  x\ne: |+\n  x\nf: 1"],
  ])("%s", (_, body) => {
    const fcText = `functionConfig:\n${body.replace(/^(?=.)/gm, "  ")}\n`;
    const parsed = parsedFunctionConfig(fcText);
    const read = readFunctionConfig(fcText);
    expect(read).toBeDefined();
    expect(ordered(read!.value)).toEqual(ordered(parsed!.value));
  });

  test("the values the core schema gives, by type", () => {
    const fcText =
      "functionConfig:\n  a: 1\n  b: \"1\"\n  c: 0755\n  d: 0x1f\n  e: .inf\n  f: ~\n  g: 'true'\n  h: 1e3\n";
    const value = { a: 1, b: "1", c: 755, d: 31, e: Infinity, f: null, g: "true", h: 1000 };
    expect(readFunctionConfig(fcText)?.value).toEqual(value);
    expect(readFunctionConfig(`functionConfig:\n  s: |-\n    x\n\n      y\n  f: >\n    x\n    y\n`)?.value).toEqual({
      s: "x\n\n  y",
      f: "x y\n",
    });
  });

  test.each([
    ["an anchor and an alias", "a: &x 1\nb: *x"],
    ["a tag", "a: !!str 1"],
    ["a duplicate key", "a: 1\na: 2"],
    ["a multi-line plain scalar", "a: one\n  two"],
    ["a multi-line quoted scalar", 'a: "one\n  two"'],
    ["a tab", "a:\tb"],
    ["non-ASCII text", "a: é"],
    ["odd indentation", "a:\n    b: 1\n   c: 2"],
    ["an explicit key", "? a\n: 1"],
    ["a sequence in a sequence's entry", "a:\n- - x"],
    ["a null value with a comment at the end", "a:  # c\n   "],
    ["a block scalar with an indentation indicator", "a: |2\n   x"],
    ["an empty block scalar at the end", "a: |\n"],
    ["an empty block scalar keeping its line break", "a: |+\n\nb: 1"],
    ["kept blank lines after a block scalar", "a: |+\n  x\n\nb: 1"],
    ["a blank line more indented than a block scalar", "a: |\n  x\n    \nb: 1"],
    ["a __proto__ key", "__proto__: 1"],
    ["a value on the line after its key", "a:\n  1"],
    ["deep nesting", Array.from({ length: 70 }, (_, i) => `${" ".repeat(2 * i)}k:`).join("\n") + " 1"],
  ])("%s: left to the parser", (_, body) => {
    expect(readFunctionConfig(`functionConfig:\n${body.replace(/^(?=.)/gm, "  ")}\n`)).toBeUndefined();
  });

  /** What kpt and kustomize send (captured from kpt fn render/eval and kustomize's exec functions). */
  const SENT: Record<string, string> = {
    "kpt fn render": `functionConfig:
  # Input of the mlflow-infra function (the Kptfile's configPath).
  apiVersion: mlflow-infra.dev/v1alpha1
  kind: MlflowConfig
  metadata:
    name: mlflow
    annotations:
      config.kubernetes.io/local-config: "true"
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'mlflow-config.yaml'
      internal.config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/package-path: '/tmp/p'
      internal.config.kubernetes.io/path: 'mlflow-config.yaml'
      internal.config.kubernetes.io/seqindent: 'compact'
      internal.config.kubernetes.io/id: '2'
      config.k8s.io/id: '2'
  spec:
    stack: zenml
    gcp:
      projectId: zenml-470505
`,
    "kpt fn eval -- key=value": `functionConfig:
  metadata:
    name: function-input
  data: {gcp.projectId: zenml-470505, stack: zenml, name: x y, n: "0755", b: "true", e: "", d: ' lead', f: it's}
  kind: ConfigMap
  apiVersion: v1
`,
    "a Kptfile's configMap": `functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: function-input
  data: {gcp.projectId: zenml-470505, stack: zenml, argocd.syncWave: "3"}
`,
    kustomize: `functionConfig:
  apiVersion: mlflow-infra.dev/v1alpha1
  kind: MlflowConfig
  metadata:
    annotations:
      config.kubernetes.io/function: |
        container:
          image: ghcr.io/example-org/mlflow-infra:0.1.0
      config.kubernetes.io/local-config: 'true'
    name: mlflow
  spec:
    gcp:
      projectId: zenml-470505
    stack: zenml
`,
  };
  const configFiles = [
    ...readdirSync(join(ROOT, "test/golden")).map((c) => `test/golden/${c}/config.yaml`),
    ...readdirSync(join(ROOT, "examples")).map((d) => `examples/${d}/mlflow-config.yaml`),
    "base/generator/mlflow-config.yaml",
  ];

  test.each(configFiles)("%s is read without the parser", (file) => {
    const input = resourceList(readFileSync(join(ROOT, file), "utf8"));
    expect(readsAsParsed(input.slice(input.indexOf("functionConfig:")))).toBe(true);
  });

  test.each(Object.keys(SENT))("the functionConfig %s sends is read without the parser", (name) => {
    expect(readsAsParsed(SENT[name])).toBe(true);
  });

  test("the seed's render does not touch the yaml package (the sources bundled as the build does)", async () => {
    const { processResourceList: process, touched } = await bundledWithYamlSpy();
    const seed = resourceList(readFileSync(join(ROOT, "examples/seed/mlflow-config.yaml"), "utf8"));
    const outcome = process(seed);
    expect(outcome.output).toBe(readFileSync(join(ROOT, "test/golden/seed/expected.yaml"), "utf8"));
    expect([...touched]).toEqual([]);
    // The check can fail: a config the scanner leaves to the parser does touch it.
    process(seed.replace("name: mlflow", "name: &n mlflow"));
    expect(touched.size).toBeGreaterThan(0);
  });

  test("re-rendering the seed's output (every item owned, replaced) does not touch the yaml package", async () => {
    const { processResourceList: process, touched } = await bundledWithYamlSpy();
    const expected = readFileSync(join(ROOT, "test/golden/seed/expected.yaml"), "utf8");
    const outcome = process(expected);
    expect(outcome.output).toBe(expected);
    expect([...touched]).toEqual([]);
    // An owned item the scanner declines is read by the parser: the check can fail.
    process(expected.replace("  kind: Namespace\n", "  kind: !!str Namespace\n"));
    expect(touched.size).toBeGreaterThan(0);
  });

  test("kpt's re-render of its package parses only the one hand-written item the scanner declines", async () => {
    const { processResourceList: process, parses } = await bundledWithYamlSpy();
    const input = readFileSync(join(ROOT, "test/fixtures/kpt-rerender/seed.yaml"), "utf8");
    const outcome = process(input);
    expect(outcome.output).toBe(processResourceList(input, { scan: false }).output);
    // examples/kpt-package's app/feature-flags.yaml (first document): not generated, left to the parser.
    expect(parses).toEqual(["FeatureFlags/training-flags"]);
  });
});

/** The function's sources bundled as the build does, with every use of the `yaml` package recorded. */
async function bundledWithYamlSpy(): Promise<{
  processResourceList: typeof processResourceList;
  touched: Set<string>;
  /** Each text parseDocument was called with, by its first kind and name. */
  parses: string[];
}> {
  const result = await build({
    stdin: { contents: `export { processResourceList } from "./function/processor.ts";`, resolveDir: ROOT },
    bundle: true,
    platform: "node",
    format: "cjs",
    external: ["yaml"],
    write: false,
    logLevel: "silent",
  });
  const touched = new Set<string>();
  const parses: string[] = [];
  const real = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  const parseDocument = (text: string, options: object) => {
    const name = /^ {2,4}name: (.*)$/m.exec(text)?.[1];
    parses.push(`${/^(?:- | {2})kind: (.*)$/m.exec(text)?.[1]}/${name}`);
    return real.parseDocument(text, options);
  };
  const yaml = new Proxy(real, {
    get: (target, name) => (
      touched.add(String(name)),
      name === "parseDocument" ? parseDocument : Reflect.get(target, name)
    ),
  });
  const mod = { exports: {} as { processResourceList: typeof processResourceList } };
  const load = new Function("require", "module", "exports", result.outputFiles[0].text);
  load((id: string) => (id === "yaml" ? yaml : createRequire(import.meta.url)(id)), mod, mod.exports);
  return { processResourceList: mod.exports.processResourceList, touched, parses };
}

// -------------------------------------------------------------------------------------------
// Whole items (readItem: the items the function may replace or prune), read by the scanner

/** Whether the scanner read the item; when it did, it must read what the parser reads. */
function itemReadsAsParsed(itemText: string, end?: number): boolean {
  const read = readItemValue(itemText, end);
  if (!read) return false;
  const parsed = parsedItem(itemText, end);
  expect(parsed).toBeDefined();
  expect(ordered(read)).toEqual(ordered(parsed));
  return true;
}

/** Multi-line strings, as in scripts and config files the server objects carry. */
const multiLine = fc
  .array(fc.constantFrom("x", "y z", "  more", "", "# not a comment", "- a", "a: b", "é", "x  ", "\t", "\ty"), {
    minLength: 1,
    maxLength: 5,
  })
  .chain((lines) => fc.constantFrom(lines.join("\n"), `${lines.join("\n")}\n`, `${lines.join("\n")}\n\n`));
/** Objects like the generated ones: names, labels, strings of every kind, numbers, booleans, lists. */
const { emitted } = fc.letrec((tie) => ({
  emitted: fc.oneof(
    { depthSize: "small" },
    { weight: 4, arbitrary: fc.oneof(text, fc.integer(), fc.boolean(), multiLine) },
    fc.array(tie("emitted"), { maxLength: 3 }),
    fc.dictionary(key, tie("emitted"), { maxKeys: 3 }),
  ),
}));
const emittedObject = fc
  .tuple(object, fc.dictionary(key, emitted, { maxKeys: 4 }))
  .map(([o, extra]) => ({ ...o, ...extra }));
/** An item as the function writes it (toSequenceItem), or as `yaml` writes it in some style. */
const wholeItem = fc.oneof(
  fc.tuple(emittedObject, fc.constantFrom(0, 0, 2)).map(([o, indent]) => toSequenceItem(o, indent)),
  fc.tuple(emittedObject, style, decoration).map(([o, s, d]) => asItem(decorate(write(o, s), d))),
  kptItem.map(asItem),
);
/** What may follow an item's content in its text (the gap before the next item). */
const GAPS = ["", "", "", "\n", "\n\n", "  \n", "# next\n", "\n# next\n"];
const itemWithGap = fc.tuple(wholeItem, fc.constantFrom(...GAPS));

describe("the scanner reads whole items as the parser does", () => {
  test("items the function and `yaml` write: same value, key order included; most read without the parser", () => {
    const count = { items: 0, read: 0 };
    fc.assert(
      fc.property(itemWithGap, ([t, gap]) => {
        if (parsedItem(t)) count.items++;
        if (itemReadsAsParsed(t + gap, gap === "" ? undefined : t.length)) count.read++;
      }),
      params(1500),
    );
    process.stderr.write(`scan: ${count.read} of ${count.items} valid items read whole without the parser\n`);
    expect(count.read).toBeGreaterThan(count.items * 0.4); // the rest hold non-ASCII text, tabs, flow, ...
  });

  test("edited and fuzzed items: the same value, or declined", () => {
    const fuzzedItem = fc
      .tuple(itemWithGap, fc.array(valueEdit, { maxLength: 3 }), fc.array(edit, { maxLength: 2 }))
      .map(([[t, gap], values, edits]) => {
        return [applyEdits(values.reduce(editValue, t), edits), gap] as const;
      });
    fc.assert(
      fc.property(fuzzedItem, ([t, gap]) => void itemReadsAsParsed(t + gap, gap === "" ? undefined : t.length)),
      params(3000),
    );
  });

  test("the whole function gives the same output when owned items are read by the scanner", () => {
    const config = readFileSync(join(ROOT, "test/golden/server-gateway-internal-basic-auth/config.yaml"), "utf8");
    const rendered = processResourceList(resourceList(config)).output;
    const generated = rendered
      .split("functionConfig:")[0]
      .split(/^(?=- )/m)
      .slice(1);
    const picks = fc.array(fc.tuple(fc.nat(generated.length - 1), fc.nat(), valueEdit), { maxLength: 6 });
    const input = fc.tuple(picks, fc.array(wholeItem, { maxLength: 2 })).map(([picked, others]) => {
      const texts = picked.map(([i, n, e]) => (n % 3 === 0 ? editValue(generated[i], e) : generated[i]));
      return `${HEADER}items:\n${[...texts, ...others].join("")}${FUNCTION_CONFIG}`;
    });
    fc.assert(
      fc.property(input, (t) => {
        const a = processResourceList(t);
        const b = processResourceList(t, { scan: false });
        expect(a.output).toBe(b.output);
      }),
      params(100),
    );
  });

  const goldens = readdirSync(join(ROOT, "test/golden")).filter((c) =>
    /^items:\n- /m.test(readFileSync(join(ROOT, "test/golden", c, "expected.yaml"), "utf8")),
  );
  /** The names of the list's items the scanner does not read whole (checking those it reads). */
  function declined(input: string, only: (t: string) => boolean = () => true): string[] {
    const scan = scanResourceList(input);
    expect(scan).toBeDefined();
    return scan!.items.flatMap((s) => {
      const t = input.slice(s.start, s.end);
      if (!only(t) || itemReadsAsParsed(t)) return [];
      const o = parsedItem(t);
      return [`${String(o?.kind)}/${String(o?.metadata?.name)}`];
    });
  }
  const owned = (t: string) => /app.kubernetes.io\/managed-by: mlflow-infra$/m.test(t);

  test.each(goldens)("the items of golden %s are read whole without the parser", (c) => {
    const expected = readFileSync(join(ROOT, "test/golden", c, "expected.yaml"), "utf8");
    expect(declined(expected.replace(/^results:[^]*/m, ""))).toEqual([]); // results: after functionConfig
  });

  test.each(["seed", "server"])(
    "the %s objects kpt sends back on a re-render are read whole without the parser",
    (f) => {
      // Captured from kpt 1.0.0-beta.56 (`kpt fn render` of examples/kpt-package, rendered once
      // before, with the seed's or server-gateway-internal-basic-auth's config): what it sends.
      const input = readFileSync(join(ROOT, "test/fixtures/kpt-rerender", `${f}.yaml`), "utf8");
      expect(declined(input, owned)).toEqual([]);
      expect(processResourceList(input).output).toBe(processResourceList(input, { scan: false }).output);
    },
  );

  test.each([
    ["a block scalar with an indentation indicator", "  data:\n    a: |2\n       x\n"],
    ["an anchor", "  data: &a {x: y}\n"],
    ["a tag", "  data:\n    a: !!str 1\n"],
    ["a second entry", "- b: 1\n"],
  ])("%s: left to the parser", (_, body) => {
    const t = `- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x\n${body}`;
    expect(parsedItem(t) === undefined || readItemValue(t) === undefined).toBe(true);
    expect(readItemValue(t)).toBeUndefined();
  });

  test.each([
    ["a block scalar", "  data:\n    a: |\n      x\n", "\n"],
    ["a null", "  data:\n", "\n"],
    ["a comment", "  data: {}\n", "# c\n"],
  ])("an item ending in %s with a gap after it: left to the parser", (_, body, gap) => {
    const t = `- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x\n${body}`;
    expect(readItemValue(t + gap, t.length)).toBeUndefined();
    expect(readItemValue(t)).toBeDefined();
  });
});
