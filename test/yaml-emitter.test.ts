/**
 * The emitter of generated objects (function/krm/yaml.ts: toYaml, toSequenceItem,
 * toYamlStream): whatever it writes must read back as exactly the value it was given, under
 * YAML 1.1 (kyaml, kubectl and Argo CD read YAML as 1.1) and under YAML 1.2 (core schema), with
 * no error or warning; it never writes plain what the yaml package (which wrote this output
 * before) quotes; and the tricky strings are written as the tables below say.
 *
 * The seed is fixed (FUZZ_SEED overrides it; FUZZ_RUNS scales the run counts).
 */
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { Document, parseAllDocuments, parseDocument } from "yaml";
import { toSequenceItem, toYaml, toYamlStream } from "../function/krm/yaml.js";
import { runs, seed } from "./helpers/fuzz.js";

const SEED = seed(20261128);
const VERSIONS = ["1.1", "1.2"] as const;

/** The value of one YAML document read strictly; any error or warning fails the test. */
function readBack(text: string, version: (typeof VERSIONS)[number]): unknown {
  const doc = parseDocument(text, { version, strict: true, uniqueKeys: true, prettyErrors: false });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  if (problems.length > 0) throw new Error(`YAML ${version} reading ${JSON.stringify(text)}: ${problems.join("; ")}`);
  return doc.toJS({ maxAliasCount: -1 });
}

function expectRoundTrip(value: unknown): void {
  const text = toYaml(value);
  for (const version of VERSIONS) {
    const back = readBack(text, version);
    if (!isDeepStrictEqual(back, value)) {
      throw new Error(
        `YAML ${version} read ${JSON.stringify(text)} as ${JSON.stringify(back)}, not ${JSON.stringify(value)}`,
      );
    }
  }
}

/** How the yaml package's Document (the writer before this emitter) wrote `{k: value}`. */
function previous(value: unknown): string {
  return new Document({ k: value }, { version: "1.1" }).toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true });
}

// -------------------------------------------------------------------------------------------
// Arbitraries: strings from an alphabet rich in YAML indicators, digits, number and timestamp
// letters, white space, line breaks and unicode (YAML 1.1 line breaks, BOM, controls), and
// strings made of tokens that are, or nearly are, booleans, nulls, numbers and markers.

const CHARS = [
  ..."-?:,[]{}#&*!|>'\"%@`~=<+._/\\$()",
  ..."0123456789",
  ..."aeoxbpinfytzAEOXBPINFYTZglmsuv",
  " ",
  " ",
  "\t",
  "\n",
  "\n",
  "\r",
  "é",
  "ß",
  "中",
  "🚀",
  "\u00a0",
  "\u0085",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\u0000",
  "\u0007",
  "\u001b",
  "\u007f",
  "\u0080",
  "\u009f",
  "\ufffd",
];
const TOKENS = [
  "yes",
  "No",
  "ON",
  "off",
  "y",
  "n",
  "true",
  "False",
  "null",
  "NULL",
  "~",
  "<<",
  "=",
  ".inf",
  "-.Inf",
  ".NaN",
  "Infinity",
  "0",
  "1",
  "07",
  "e",
  "E4",
  "0755",
  "1_000",
  "0x1F",
  "0o17",
  "0b101",
  "1.0",
  "1e3",
  "1E+3",
  "0x1p3",
  ".5",
  "-",
  "+",
  ".",
  "_",
  ":",
  "1:30",
  "2024-01-01",
  "T10:00:00Z",
  " ",
  "  ",
  "\n",
  "\n\n",
  "\t",
  "#",
  "- ",
  ": ",
  " #",
  "---",
  "...",
  "|",
  ">",
  "{{ .x }}",
  "a",
  "set -eu",
];
const TRICKY_CONSTANTS = [
  "",
  " ",
  "yes",
  "on",
  "0755",
  "1_000",
  "0",
  "1.0",
  "~",
  "null",
  "{{ .x }}",
  "a: b",
  "a #b",
  " a",
  "a ",
  "-",
  "- x",
  "\n",
  "\r\n",
];

const richString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 12 }) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 4 }).map((t) => t.join("")) },
  { weight: 1, arbitrary: fc.constantFrom(...TRICKY_CONSTANTS) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,10}[a-z0-9])?$/) },
);

const { value: jsonLike } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: richString },
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    tie("array"),
    tie("object"),
  ),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(richString, tie("value"), { maxKeys: 4, noNullPrototype: true }),
}));

// -------------------------------------------------------------------------------------------
// Properties

describe("every value reads back exactly, as YAML 1.1 and as YAML 1.2", () => {
  test("documents (toYaml)", () => {
    fc.assert(
      fc.property(jsonLike, (v) => expectRoundTrip(v)),
      { seed: SEED, numRuns: runs(3000) },
    );
  });

  test("strings and keys alone", () => {
    fc.assert(
      fc.property(richString, richString, (k, s) => {
        expectRoundTrip({ [k]: s });
        expectRoundTrip([s]);
        expectRoundTrip({ a: { [k]: [s, { [k]: s }] } });
      }),
      { seed: SEED, numRuns: runs(5000) },
    );
  });

  test("numbers, including fractions, exponents, -0, NaN and the infinities", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger()), (n) => expectRoundTrip({ n, list: [n] })),
      {
        seed: SEED,
        numRuns: runs(2000),
      },
    );
  });

  test("sequence items at any indentation (toSequenceItem) and streams (toYamlStream)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(richString, jsonLike, { minKeys: 1, maxKeys: 4, noNullPrototype: true }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom(0, 2, 4),
        (objects, indent) => {
          const text = `items:\n${objects.map((o) => toSequenceItem(o, indent)).join("")}`;
          const stream = toYamlStream(objects);
          for (const version of VERSIONS) {
            expect(readBack(text, version)).toStrictEqual({ items: objects });
            const docs = parseAllDocuments(stream, { version, strict: true, uniqueKeys: true });
            expect(Array.isArray(docs)).toBe(true);
            expect((docs as Document[]).flatMap((d) => [...d.errors, ...d.warnings])).toEqual([]);
            expect((docs as Document[]).map((d) => d.toJS())).toStrictEqual(objects);
          }
        },
      ),
      { seed: SEED, numRuns: runs(1000) },
    );
  });

  test("never plain where the yaml package's Document quoted", () => {
    fc.assert(
      fc.property(richString, (s) => {
        const before = previous(s).slice(3);
        const now = toYaml({ k: s }).slice(3);
        const plain = (t: string) => !/^["'|>]/.test(t);
        if (plain(now)) expect(plain(before)).toBe(true);
      }),
      { seed: SEED, numRuns: runs(5000) },
    );
  });
});

// -------------------------------------------------------------------------------------------
// Tables

describe("strings a YAML 1.1 or 1.2 reader could take for something else are double-quoted", () => {
  const QUOTED: Array<[string, string]> = [
    ["", '""'],
    ["yes", '"yes"'],
    ["Yes", '"Yes"'],
    ["YES", '"YES"'],
    ["y", '"y"'],
    ["n", '"n"'],
    ["no", '"no"'],
    ["NO", '"NO"'],
    ["on", '"on"'],
    ["On", '"On"'],
    ["off", '"off"'],
    ["OFF", '"OFF"'],
    ["true", '"true"'],
    ["False", '"False"'],
    ["tRuE", '"tRuE"'],
    ["null", '"null"'],
    ["Null", '"Null"'],
    ["~", '"~"'],
    ["<<", '"<<"'],
    ["=", '"="'],
    ["0", '"0"'],
    ["0755", '"0755"'],
    ["1_000", '"1_000"'],
    ["1.0", '"1.0"'],
    ["1e3", '"1e3"'],
    ["-1", '"-1"'],
    ["+1", '"+1"'],
    ["1-a", '"1-a"'],
    ["e4", '"e4"'],
    ["E4", '"E4"'],
    ["-e5", '"-e5"'],
    ["0x1F", '"0x1F"'],
    ["0o17", '"0o17"'],
    ["0b101", '"0b101"'],
    [".5", '".5"'],
    ["1.", '"1."'],
    ["1:30", '"1:30"'],
    ["190:20:30", '"190:20:30"'],
    [".inf", '".inf"'],
    ["-.Inf", '"-.Inf"'],
    [".NaN", '".NaN"'],
    ["-Infinity", '"-Infinity"'],
    ["+inf", '"+inf"'],
    ["NaN", '"NaN"'],
    ["2.26.0", '"2.26.0"'],
    ["2024-01-01", '"2024-01-01"'],
    ["2001-12-14t21:59:43.10-05:00", '"2001-12-14t21:59:43.10-05:00"'],
    ["2001-12-14 21:59:43.10 -5", '"2001-12-14 21:59:43.10 -5"'],
    [".", '"."'],
    ["._", '"._"'],
    ["-._", '"-._"'],
    ["--", '"--"'],
    ["+", '"+"'],
    ["{{ .x }}", '"{{ .x }}"'],
    ["{{ .password }}", '"{{ .password }}"'],
    ["a: b", '"a: b"'],
    ["a:", '"a:"'],
    ["a #b", '"a #b"'],
    ["#a", '"#a"'],
    [" a", '" a"'],
    ["a ", '"a "'],
    [" ", '" "'],
    ["-", '"-"'],
    ["- a", '"- a"'],
    ["?", '"?"'],
    ["? a", '"? a"'],
    ["?a", '"?a"'],
    [":", '":"'],
    [":a", '":a"'],
    [",a", '",a"'],
    ["[a]", '"[a]"'],
    ["]", '"]"'],
    ["{a}", '"{a}"'],
    ["}", '"}"'],
    ["&a", '"&a"'],
    ["*a", '"*a"'],
    ["!a", '"!a"'],
    ["!!binary x", '"!!binary x"'],
    ["|", '"|"'],
    ["|a", '"|a"'],
    [">a", '">a"'],
    ["'a'", `"'a'"`],
    ['"a"', '"\\"a\\""'],
    ["%a", '"%a"'],
    ["@a", '"@a"'],
    ["`a", '"`a"'],
    ["---", '"---"'],
    ["--- a", '"--- a"'],
    ["---a", '"---a"'],
    ["...", '"..."'],
    ["... a", '"... a"'],
    ["a\tb", '"a\\tb"'],
    ["\t", '"\\t"'],
    ["a\\b", "a\\b"],
    ["é", '"é"'],
    ["🚀", '"🚀"'],
    ["\u00a0", '"\u00a0"'],
    ["\u2028", '"\\u2028"'],
    ["\u2029", '"\\u2029"'],
    ["\u0085", '"\\u0085"'],
    ["\ufeff", '"\\ufeff"'],
    ["\u007f", '"\\u007f"'],
    ["\u009f", '"\\u009f"'],
    ["\u0000", '"\\u0000"'],
    ["\u001b", '"\\u001b"'],
    ["\b\f\r", '"\\b\\f\\r"'],
    ["\ufffe", '"\\ufffe"'],
  ];
  test.each(QUOTED)("%j is written %s, as a value and as a key", (s, expected) => {
    expect(toYaml({ k: s })).toBe(`k: ${expected}\n`);
    expect(toYaml([s])).toBe(`- ${expected}\n`);
    expect(toYaml({ [s]: 1 })).toBe(`${expected}: 1\n`);
    expectRoundTrip({ [s]: s, list: [s] });
  });
});

describe("strings no reader can misread stay plain", () => {
  const PLAIN = [
    "mlflow",
    "v1",
    "app.kubernetes.io/name",
    "--port=3306",
    "--structured-logs",
    "-c",
    "-foo",
    ".foo",
    "sh",
    "100m",
    "256Mi",
    "1Gi",
    "1h",
    "30s",
    "10.42.0.0/24",
    "0.0.0.0/0",
    "169.254.169.254/32",
    "127.0.0.1:*",
    "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.26.0",
    "a:b",
    "a#b",
    "a - b",
    "zenml-470505:australia-southeast1:zenml-mysql",
    "mysql+pymysql://{{ .username | urlquery }}:{{ .password }}@127.0.0.1:3306/{{ .database }}",
    "spec.server.image has no digest (image:tag@sha256:...)",
    "yes-please",
    "nullable",
    "Only",
    "echo",
    "e",
    "x=y",
    "a'b",
    'a"b',
    "a\\b",
    "a%20",
    "<a>",
  ];
  test.each(PLAIN)("%j", (s) => {
    expect(toYaml({ k: s })).toBe(`k: ${s}\n`);
    expect(toYaml({ [s]: 1 })).toBe(`${s}: 1\n`);
    expectRoundTrip({ [s]: s, list: [s] });
  });
});

describe("multi-line strings are literal blocks", () => {
  const LITERALS: Array<[string, unknown, string]> = [
    ["no final line break: |-", { s: "a\nb" }, "s: |-\n  a\n  b\n"],
    ["one final line break: |", { s: "a\n" }, "s: |\n  a\n"],
    ["more final line breaks: |+", { s: "a\n\n" }, "s: |+\n  a\n\n"],
    ["empty lines inside stay empty", { s: "a\n\nb\n" }, "s: |\n  a\n\n  b\n"],
    ["a first line that starts with a space: an indentation indicator", { s: " a\nb" }, "s: |2-\n   a\n  b\n"],
    ["leading empty lines before an indented line: an indentation indicator", { s: "\n  a\n" }, "s: |2\n\n    a\n"],
    ["a first line that starts with a tab: an indentation indicator", { s: "\ta\nb" }, "s: |2-\n  \ta\n  b\n"],
    ["leading empty lines alone need none", { s: "\na" }, "s: |-\n\n  a\n"],
    ["lines of spaces are kept", { s: "a\n   \nb" }, "s: |-\n  a\n     \n  b\n"],
    [
      "indicators and markers inside are content",
      { s: "- a\n# b\n---\n...\nc: d\n" },
      "s: |\n  - a\n  # b\n  ---\n  ...\n  c: d\n",
    ],
    ["in a sequence", ["set -eu\nexec x\n"], "- |\n  set -eu\n  exec x\n"],
    ["in a nested sequence", { args: ["a\nb"] }, "args:\n  - |-\n    a\n    b\n"],
    ["in a sequence of sequences", [["a\nb"]], "- - |-\n    a\n    b\n"],
    ["unicode is carried as is", { s: "é\n🚀\n" }, "s: |\n  é\n  🚀\n"],
    ["CR: double-quoted", { s: "a\r\nb" }, 's: "a\\r\\nb"\n'],
    ["YAML 1.1 line breaks: double-quoted", { s: "a\u2028\nb" }, 's: "a\\u2028\\nb"\n'],
    ["control characters: double-quoted", { s: "a\n\u0007" }, 's: "a\\n\\u0007"\n'],
    ["only line breaks: double-quoted", { s: "\n\n" }, 's: "\\n\\n"\n'],
    ["only white space: double-quoted", { s: " \n " }, 's: " \\n "\n'],
    [
      "a last line of only white space: double-quoted (the yaml package drops it after |2)",
      { s: " a\n " },
      's: " a\\n "\n',
    ],
    ["also without an indentation indicator", { s: "a\n \t\n" }, 's: "a\\n \\t\\n"\n'],
    ["keys: double-quoted", { "a\nb": 1 }, '"a\\nb": 1\n'],
  ];
  test.each(LITERALS)("%s", (_name, value, expected) => {
    expect(toYaml(value)).toBe(expected);
    expectRoundTrip(value);
  });

  test("the migration Job's script keeps its lines, inside a generated item", () => {
    const script =
      "set -eu\npython - <<'PY'\nimport os\n\nif tables:\n    print(\"x\", flush=True)\nPY\nexec mlflow db " +
      'upgrade "$URI"\n';
    const item = { spec: { containers: [{ name: "migrate", command: ["sh", "-c"], args: [script] }] } };
    const text = toSequenceItem(item, 0);
    expect(text).toContain(
      "        args:\n          - |\n            set -eu\n            python - <<'PY'\n            import " +
        'os\n\n            if tables:\n                print("x", flush=True)\n',
    );
    for (const version of VERSIONS) expect(readBack(`items:\n${text}`, version)).toStrictEqual({ items: [item] });
  });
});

describe("structure", () => {
  test("block style, 2-space indentation, sequences indented under their key, keys in insertion order", () => {
    const value = {
      kind: "Role",
      metadata: { name: "r", labels: { b: "1m", a: "y" } },
      rules: [{ verbs: ["get"], apiGroups: [""] }],
      z: [[1, 2], []],
      e: {},
    };
    expect(toYaml(value)).toBe(
      'kind: Role\nmetadata:\n  name: r\n  labels:\n    b: 1m\n    a: "y"\nrules:\n  - verbs:\n      - ' +
        'get\n    apiGroups:\n      - ""\nz:\n  - - 1\n    - 2\n  - []\ne: {}\n',
    );
    expectRoundTrip(value);
  });

  test("scalars: integers, booleans, null; undefined entries are left out", () => {
    expect(
      toYaml({ i: 3, neg: -7, t: true, f: false, nil: null, gone: undefined, big: 1e21, tiny: 1e-7, half: 0.5 }),
    ).toBe("i: 3\nneg: -7\nt: true\nf: false\nnil: null\nbig: 1.0e+21\ntiny: 1.0e-7\nhalf: 0.5\n");
    expect(toYaml({ only: undefined })).toBe("{}\n");
    expect(toYaml({ nested: { only: undefined } })).toBe("nested: {}\n");
  });

  test("a sequence item lines up under its `-` at any indentation", () => {
    expect(toSequenceItem({ a: 1, b: { c: ["x"] } }, 2)).toBe("  - a: 1\n    b:\n      c:\n        - x\n");
    expect(toSequenceItem({ s: "p\nq" }, 2)).toBe("  - s: |-\n      p\n      q\n");
    expect(toYamlStream([{ a: 1 }, { b: 2 }])).toBe("---\na: 1\n---\nb: 2\n");
  });

  test("a key longer than an implicit key may be is written as an explicit key", () => {
    const long = "k".repeat(1500);
    const value = { [long]: { a: 1 }, short: 1, [`${long}:`]: "v" };
    expect(toYaml(value).startsWith(`? ${long}\n:\n  a: 1\nshort: 1\n? "${long}:"\n: v\n`)).toBe(true);
    expectRoundTrip(value);
  });

  test("a value holding one object twice (aliases in a user's input) is written with anchors and aliases", () => {
    const shared = { x: "yes" };
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(toYaml({ a: shared, b: shared })).toBe('a: &a1\n  x: "yes"\nb: *a1\n');
    expect(toYaml({ currentValue: cyclic })).toBe("currentValue: &a1\n  - *a1\n");
    expect(toSequenceItem({ a: shared, b: shared }, 2)).toBe('  - a: &a1\n      x: "yes"\n    b: *a1\n');
  });

  test("values that are not JSON-like are refused", () => {
    expect(() => toYaml({ when: new Date(0) })).toThrow(/type Date/);
    expect(() => toYaml({ m: new Map() })).toThrow(/type Map/);
    expect(() => toYaml({ n: 1n })).toThrow(/type BigInt/);
  });
});
