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
 * prove little. The seed is fixed (SCAN_SEED overrides it; SCAN_RUNS scales the run counts).
 */
import fc from "fast-check";
import { Document, isCollection, visit } from "yaml";
import { headOf, parseResourceList, sourceOf, writeResourceList } from "../function/krm/resource-list.js";
import type { ResourceList } from "../function/krm/resource-list.js";
import { scanResourceList } from "../function/krm/scan.js";
import { processResourceList } from "../function/processor.js";
import { asItem } from "./helpers/krm.js";

const SEED = Number(process.env.SCAN_SEED ?? 20261202);
const SCALE = Number(process.env.SCAN_RUNS ?? 1);
const runs = (n: number) => Math.max(10, Math.round(n * SCALE));

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
const fuzzed = fc.tuple(list, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([t, edits]) => {
  let s = t;
  for (const e of edits) {
    const at = e.at % (s.length + 1);
    if (e.op === "insert") s = s.slice(0, at) + e.c + s.slice(at);
    else if (e.op === "delete") s = s.slice(0, at) + s.slice(at + 1 + (e.at % 3));
    else s = s.slice(0, at) + e.c + s.slice(at + e.c.length);
  }
  return s;
});

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
