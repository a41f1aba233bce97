/**
 * The schema check (function/config/schema-check.ts) is a small evaluator of schema.ts's schema
 * that must report exactly what ajv reports; validate.ts derives from its errors what ajv's
 * verbose option and messages held: each error's parent schema (its schemaPath in schema.ts's
 * schema), its data (its instancePath in the input, or the key in a propertyNames subschema) and,
 * for the keywords it does not word itself, ajv's message. This checks, against ajv compiled at
 * run time:
 * - that the schema uses no keyword the evaluator does not evaluate, in no form it does not;
 * - the evaluator's raw errors against ajv's with the options the build once compiled it with
 *   (allErrors, strict, unicode: false, no messages, not verbose): equal, in the same order, on
 *   every golden config, on configs drawn from the schema and mutated, and on a value of every
 *   kind put at every place of the schema (wrong types, bounds, lengths in UTF-16 units, patterns,
 *   duplicates, unknown and awkward keys); and that these inputs make every keyword of the schema
 *   both pass and fail at every place it is; and on small schemas that combine the same keywords
 *   in ways schema.ts does not (yet);
 * - the derived errors against verbose ajv's (messages on): the same errors, parent schema
 *   object, data and message, so the results built from them are too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import fc from "fast-check";
import { parse } from "yaml";
import { mlflowConfigSchema } from "../function/config/schema.js";
import { ANNOTATIONS, KEYWORDS, schemaCheck } from "../function/config/schema-check.js";
import { keywordMessage, schemaErrors, type SchemaError } from "../function/config/validate.js";
import { ROOT } from "./helpers/paths.js";
import { arbitraryFor, type SchemaNode } from "./helpers/schema-arbitrary.js";
import { runs, seed } from "./helpers/fuzz.js";

const SEED = seed(20261127);

/** ajv with every error's message, schema and data (verbose), as validate.ts once read them. */
const verbose = new Ajv({
  allErrors: true,
  verbose: true,
  strict: true,
  unicode: false,
  logger: { log() {}, warn() {}, error: console.error },
});
verbose.addVocabulary(["x-rule"]);
const validateVerbose = verbose.compile(mlflowConfigSchema);

/** ajv as scripts/build.mjs compiled its standalone validator: errors without messages or verbose fields. */
const lean = new Ajv({
  allErrors: true,
  verbose: false,
  messages: false,
  loopRequired: 2,
  strict: true,
  unicode: false,
  logger: { log() {}, warn() {}, error: console.error },
});
lean.addVocabulary(["x-rule"]);
const validateLean = lean.compile(mlflowConfigSchema);

/** The keywords validate.ts words itself (toResult, stringFormatResult); ajv's message words the others. */
const OWN_WORDING = new Set([
  "required",
  "additionalProperties",
  "propertyNames",
  "type",
  "const",
  "enum",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "pattern",
  "minLength",
  "maxLength",
]);

/** The keywords of the schema that can fail, walking its subschemas. */
function failingKeywords(node: Record<string, unknown>, out = new Set<string>()): Set<string> {
  const quiet = ["properties", "items", "$schema", "$id", "title", "description", "default", "x-rule"];
  for (const [keyword, value] of Object.entries(node)) {
    if (!quiet.includes(keyword)) out.add(keyword);
    const subschemas =
      keyword === "properties"
        ? Object.values(value as object)
        : ["items", "propertyNames"].includes(keyword)
          ? [value]
          : [];
    if (keyword === "additionalProperties" && typeof value === "object") subschemas.push(value);
    for (const sub of subschemas) failingKeywords(sub as Record<string, unknown>, out);
  }
  return out;
}

const GOLDEN = join(ROOT, "test/golden");
const seeds: unknown[] = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => parse(readFileSync(join(GOLDEN, d.name, "config.yaml"), "utf8")))
  .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Keys and values that break some rule: wrong types, out of bounds, keys that need escaping in a pointer. */
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom("spec", "name", "server", "gcp", "a/b~1c", "a b", "%", "__proto__", "UPPER", "-bad-"),
);
const value = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom("", "x".repeat(300), "a/b", "UPPER", "1\u00b5s", "1m", "mlflow"),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 4 }),
  fc.dictionary(key, fc.string({ maxLength: 6 }), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);
type Mutation = { at: number; op: string; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("delete", "replace", "replace", "add", "rename", "lengthen", "repeat", "empty", "bound", "entry"),
  key,
  value,
});

/** The paths of the schema's maps (an additionalProperties schema), where any key may hold a value. */
function mapPaths(node: SchemaNode, path: string[] = []): string[][] {
  const maps = typeof node.additionalProperties === "object" ? [path] : [];
  return maps.concat(...Object.entries(node.properties ?? {}).map(([k, sub]) => mapPaths(sub, [...path, k])));
}
const MAPS = mapPaths(mlflowConfigSchema as unknown as SchemaNode);

type Slot = [Record<string, unknown> | unknown[], string | number];

/** Every [container, key] of a JSON-like value, depth first. */
function slots(v: unknown, out: Slot[] = []): Slot[] {
  if (typeof v !== "object" || v === null) return out;
  for (const [k, x] of Object.entries(v)) {
    out.push(Array.isArray(v) ? [v, Number(k)] : [v as Record<string, unknown>, k]);
    slots(x, out);
  }
  return out;
}

function mutate(config: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(config);
  for (const m of mutations) {
    const all = slots(copy);
    const values = [copy, ...all.map(([parent, k]) => (parent as Record<string, unknown>)[k])];
    const arrays = values.filter(Array.isArray);
    const objects = values.filter(
      (v): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v),
    );
    if (m.op === "entry") {
      const path = MAPS[m.at % MAPS.length];
      const parent = path.slice(0, -1).reduce<any>((node, k) => node?.[k], copy);
      const map = typeof parent === "object" && parent !== null ? (parent[path.at(-1)!] ??= {}) : undefined;
      // As JSON.parse and YAML make it: an own property, "__proto__" included.
      if (map)
        Object.defineProperty(map, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    } else if (m.op === "bound") {
      const numbers = all.filter(([parent, k]) => typeof (parent as Record<string, unknown>)[k] === "number");
      const [parent, k] = numbers[m.at % Math.max(numbers.length, 1)] ?? [];
      if (parent) (parent as Record<string, unknown>)[k!] = m.at % 2 ? 2 ** 31 : -1;
    } else if (["lengthen", "repeat", "empty"].includes(m.op)) {
      const list = arrays[m.at % Math.max(arrays.length, 1)];
      if (!list) continue;
      if (m.op === "empty") list.length = 0;
      else if (m.op === "repeat") list.push(list[0] ?? m.value, list[0] ?? m.value);
      else list.push(...Array.from({ length: 55 }, (_, i) => (i % 3 ? `${m.key}${i}` : list[0])));
    } else if (m.op === "add" && objects.length) objects[m.at % objects.length][m.key] = m.value;
    else if (all.length) {
      const [parent, k] = all[m.at % all.length];
      if (Array.isArray(parent)) {
        if (m.op === "delete") parent.splice(k as number, 1);
        else parent[k as number] = m.value;
        continue;
      }
      const old = parent[k];
      delete parent[k];
      if (m.op === "rename") parent[m.key] = old;
      else if (m.op !== "delete") parent[k] = m.value;
    }
  }
  return copy;
}

const config = fc
  .tuple(
    fc.oneof(fc.constantFrom(...seeds), arbitraryFor(mlflowConfigSchema as unknown as SchemaNode)),
    fc.array(mutation, { maxLength: 4 }),
  )
  .map(([c, ms]) => mutate(c, ms));

const comparable = (e: ErrorObject | SchemaError) => ({
  instancePath: e.instancePath,
  schemaPath: e.schemaPath,
  keyword: e.keyword,
  params: e.params,
  propertyName: (e as { propertyName?: string }).propertyName,
});

test("the derived errors are verbose ajv's: same errors, parent schema, data and message", () => {
  const seen = new Set<string>();
  let failed = 0;
  fc.assert(
    fc.property(config, (input) => {
      compareRaw(input);
      const ours = schemaErrors(input);
      const valid = validateVerbose(input);
      const theirs = validateVerbose.errors ?? [];
      expect(ours.length === 0).toBe(valid);
      expect(ours.map(comparable)).toEqual(theirs.map(comparable));
      ours.forEach((e, i) => {
        seen.add(e.keyword);
        expect(e.parentSchema).toBe(theirs[i].parentSchema);
        expect(e.data).toBe(theirs[i].data);
        if (!OWN_WORDING.has(e.keyword)) expect(keywordMessage(e)).toBe(theirs[i].message);
      });
      if (!valid) failed++;
    }),
    { seed: SEED + 10, numRuns: runs(3000) },
  );
  // The inputs reach every keyword of the schema that can fail, and mostly fail.
  expect([...failingKeywords(mlflowConfigSchema)].filter((k) => !seen.has(k))).toEqual([]);
  expect(failed).toBeGreaterThan(runs(3000) / 2);
});

test("ajv's messages for the keywords validate.ts does not word", () => {
  const withPolicy = (networkPolicy: object) => ({ ...(seeds[0] as object), spec: { server: { networkPolicy } } });
  const cases = [
    withPolicy({ databaseCidrs: [] }),
    withPolicy({ clientNamespaces: Array.from({ length: 51 }, (_, i) => `ns${i}`) }),
    withPolicy({ clientNamespaces: ["a", "b", "a"] }),
  ];
  const messages = cases
    .flatMap((c) => schemaErrors(c))
    .filter((e) => !OWN_WORDING.has(e.keyword))
    .map(keywordMessage);
  expect(messages).toEqual([
    "must NOT have fewer than 1 items",
    "must NOT have more than 50 items",
    "must NOT have duplicate items (items ## 2 and 0 are identical)",
  ]);
  expect(keywordMessage({ keyword: "maxProperties", params: { limit: 3 } })).toBe("is not valid");
});

// ---- The evaluator's raw errors against ajv's ----

/**
 * The evaluator's errors for `input` are ajv's, in the same order, with the same keys in the same
 * order (JSON text keeps it; toStrictEqual also tells undefined from absent, and shows the difference).
 */
function compareRaw(input: unknown, strict = true): ErrorObject[] {
  const ours = schemaCheck(mlflowConfigSchema, input);
  validateLean(input);
  const theirs = validateLean.errors ?? null;
  const same = JSON.stringify(ours) === JSON.stringify(theirs);
  if (strict || !same) expect(ours).toStrictEqual(theirs);
  if (!same) expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
  return theirs ?? [];
}

const escapePointer = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** The keywords that report errors (items, properties and a schema of additionalProperties apply subschemas). */
const REPORTING: Record<string, string | undefined> = {
  type: undefined,
  const: undefined,
  enum: undefined,
  maximum: "number",
  minimum: "number",
  maxLength: "string",
  minLength: "string",
  pattern: "string",
  maxItems: "array",
  minItems: "array",
  uniqueItems: "array",
  required: "object",
  propertyNames: "object",
  additionalProperties: "object",
};
const reports = (node: SchemaNode, keyword: string) =>
  keyword in REPORTING && (keyword !== "additionalProperties" || node.additionalProperties === false);

/** Every place in the schema where a keyword can fail: its schemaPath. */
function places(node: SchemaNode, at = "#", out: string[] = []): string[] {
  for (const keyword of Object.keys(node)) if (reports(node, keyword)) out.push(`${at}/${keyword}`);
  if (node.items) places(node.items, `${at}/items`, out);
  if (node.propertyNames) places(node.propertyNames, `${at}/propertyNames`, out);
  if (typeof node.additionalProperties === "object")
    places(node.additionalProperties, `${at}/additionalProperties`, out);
  for (const [key, sub] of Object.entries(node.properties ?? {}))
    places(sub, `${at}/properties/${encodeURIComponent(escapePointer(key))}`, out);
  return out;
}

/** For each place, how often a value reached it and passed, and reached it and failed. */
type Outcomes = Map<string, { pass: number; fail: number }>;

/**
 * Which keywords `data` reaches (a keyword of a type only on a value of that type), and whether
 * each passed: failed when ajv reported an error there, for that value (or key).
 */
function tally(
  node: SchemaNode,
  data: unknown,
  errors: Set<string>,
  outcomes: Outcomes,
  at = "#",
  path = "",
  name?: string,
) {
  const kind = Array.isArray(data)
    ? "array"
    : data === null
      ? "null"
      : typeof data === "number" && !Number.isFinite(data)
        ? "non-finite"
        : typeof data;
  for (const keyword of Object.keys(node)) {
    if (!reports(node, keyword) || (REPORTING[keyword] !== undefined && REPORTING[keyword] !== kind)) continue;
    const place = `${at}/${keyword}`;
    const failed = errors.has(`${place}|${path}|${name}`);
    const count = outcomes.get(place) ?? { pass: 0, fail: 0 };
    count[failed ? "fail" : "pass"]++;
    outcomes.set(place, count);
  }
  if (kind === "array" && node.items)
    (data as unknown[]).forEach((v, i) => tally(node.items!, v, errors, outcomes, `${at}/items`, `${path}/${i}`, name));
  if (kind !== "object") return;
  const obj = data as Record<string, unknown>;
  const props = node.properties ?? {};
  for (const key in obj) {
    if (node.propertyNames) tally(node.propertyNames, key, errors, outcomes, `${at}/propertyNames`, path, key);
    if (typeof node.additionalProperties === "object" && !Object.hasOwn(props, key)) {
      const sub = node.additionalProperties;
      tally(sub, obj[key], errors, outcomes, `${at}/additionalProperties`, `${path}/${escapePointer(key)}`, name);
    }
  }
  for (const [key, sub] of Object.entries(props)) {
    if (obj[key] === undefined) continue;
    const place = `${at}/properties/${encodeURIComponent(escapePointer(key))}`;
    tally(sub, obj[key], errors, outcomes, place, `${path}/${escapePointer(key)}`, name);
  }
}

/** What in a schema node schema-check.ts does not evaluate, or not in that form. */
function unsupported(node: Record<string, unknown>, at = "#", out: string[] = []): string[] {
  const known = new Set<string>([...KEYWORDS, ...ANNOTATIONS]);
  const scalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);
  const isNode = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  const types = ["string", "integer", "number", "boolean", "object", "array", "null"];
  const bad = (what: string) => out.push(`${at}: ${what}`);
  for (const keyword of Object.keys(node)) if (!known.has(keyword)) bad(keyword);
  if (at !== "#" && (node.$id !== undefined || node.$schema !== undefined)) bad("$id or $schema below the root");
  if (node.type !== undefined && !types.includes(node.type as string)) bad(`type ${JSON.stringify(node.type)}`);
  if (node.const !== undefined && !scalar(node.const)) bad("const of an object or array");
  if (node.enum !== undefined && !(Array.isArray(node.enum) && node.enum.every(scalar))) bad("enum not of scalars");
  for (const keyword of ["maximum", "minimum", "maxLength", "minLength", "maxItems", "minItems"])
    if (node[keyword] !== undefined && typeof node[keyword] !== "number") bad(`${keyword} not a number`);
  if (node.pattern !== undefined && typeof node.pattern !== "string") bad("pattern not a string");
  if (
    node.required !== undefined &&
    !(Array.isArray(node.required) && node.required.every((r) => typeof r === "string"))
  )
    bad("required not a list of names");
  if (node.uniqueItems !== undefined && typeof node.uniqueItems !== "boolean") bad("uniqueItems not a boolean");
  // With items of one scalar type, ajv compares items by value; otherwise by deep equality.
  const itemType = isNode(node.items) ? (node.items as Record<string, unknown>).type : undefined;
  if (node.uniqueItems === true && !["string", "integer", "number", "boolean", "null"].includes(itemType as string))
    bad("uniqueItems without items of one scalar type");
  if (node.additionalProperties !== undefined && typeof node.additionalProperties !== "boolean") {
    if (isNode(node.additionalProperties))
      unsupported(node.additionalProperties as never, `${at}/additionalProperties`, out);
    else bad("additionalProperties neither a boolean nor a schema");
  }
  for (const keyword of ["items", "propertyNames"]) {
    if (node[keyword] === undefined) continue;
    if (isNode(node[keyword])) unsupported(node[keyword] as never, `${at}/${keyword}`, out);
    else bad(`${keyword} not a schema`);
  }
  if (node.properties !== undefined) {
    if (!isNode(node.properties)) bad("properties not a map");
    else
      for (const [key, sub] of Object.entries(node.properties as object)) {
        if (isNode(sub)) unsupported(sub, `${at}/properties/${key}`, out);
        else bad(`properties/${key} not a schema`);
      }
  }
  return out;
}

test("the schema uses only the keywords schema-check.ts evaluates, in the forms it evaluates", () => {
  expect(unsupported(mlflowConfigSchema as never)).toEqual([]);
  // The guard itself: what it must refuse.
  const refused = [
    { type: "object", properties: { a: { type: "string", format: "email" } } },
    { type: ["string", "null"] },
    { items: [{ type: "string" }] },
    { type: "array", uniqueItems: true, items: { type: "object" } },
    { type: "array", uniqueItems: true },
    { enum: [{ a: 1 }] },
    { properties: { a: { $id: "x" } } },
    { additionalProperties: { exclusiveMinimum: 1 } },
    { propertyNames: { oneOf: [] } },
  ];
  expect(refused.map((schema) => unsupported(schema).length > 0)).toEqual(refused.map(() => true));
});

test("KEYWORDS are in ajv's order of evaluation", () => {
  const rules = (lean as unknown as { RULES: { rules: { rules: { keyword: string }[] }[] } }).RULES.rules;
  const order = rules.flatMap((group) => group.rules.map((rule) => rule.keyword));
  expect(order.filter((k) => (KEYWORDS as readonly string[]).includes(k))).toEqual([...KEYWORDS]);
});

const ITEM = Symbol("item");
const EXTRA = Symbol("extra key");
const NAME = Symbol("key");
type Step = string | symbol;

/** Every node of the schema, with the steps from a config's root to a value (or key) it checks. */
function nodes(node: SchemaNode, steps: Step[] = [], out: [SchemaNode, Step[]][] = []): [SchemaNode, Step[]][] {
  out.push([node, steps]);
  if (node.items) nodes(node.items, [...steps, ITEM], out);
  if (node.propertyNames) nodes(node.propertyNames, [...steps, NAME], out);
  if (typeof node.additionalProperties === "object") nodes(node.additionalProperties, [...steps, EXTRA], out);
  for (const [key, sub] of Object.entries(node.properties ?? {})) nodes(sub, [...steps, key], out);
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** Sets an own, enumerable property, as JSON.parse and YAML do: "__proto__" included. */
const own = (obj: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });

/** A copy of `base` with `value` where `steps` lead (as the key of a map, for NAME), making the parents needed. */
function place(base: unknown, steps: Step[], value: unknown): unknown {
  const root: Record<string | number, unknown> = { v: structuredClone(base) };
  let holder: Record<string | number, unknown> = root;
  let slot: string | number = "v";
  for (const step of steps) {
    if (step === NAME) {
      const map = isMap(holder[slot]) ? (holder[slot] as Record<string, unknown>) : (holder[slot] = {});
      own(map as Record<string, unknown>, String(value), "v");
      return root.v;
    }
    if (step === ITEM) {
      if (!Array.isArray(holder[slot])) holder[slot] = [];
      holder = holder[slot] as Record<number, unknown>;
      slot = 0;
    } else {
      if (!isMap(holder[slot])) holder[slot] = {};
      holder = holder[slot] as Record<string, unknown>;
      slot = step === EXTRA ? "k" : (step as string);
    }
  }
  holder[slot] = value;
  return root.v;
}

const ASTRAL = "\u{1F600}";
/** Keys that are awkward in JavaScript or in a JSON pointer. */
const AWKWARD_KEYS = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "a/b",
  "a~b",
  "~1",
  "~0/",
  "",
  "a b",
  "%",
];
const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, "", "s", [], ["s"], [null], {}, { x: 1 }];

/**
 * Values for a node: of every type, valid ones (drawn from it, or for an object what the bases hold
 * there), and ones just inside and outside each bound.
 */
function valuesFor(node: SchemaNode, held: unknown[]): unknown[] {
  const drawn = node.type === "object" ? held.filter(isMap) : fc.sample(arbitraryFor(node), { seed: SEED, numRuns: 3 });
  const out: unknown[] = [...WRONG_TYPES, ...drawn];
  if (node.const !== undefined) out.push(node.const, `${String(node.const)}x`);
  if (node.enum) out.push(...node.enum, ...node.enum.map((v) => String(v).toUpperCase()), "other");
  for (const limit of [node.minLength, node.maxLength]) {
    if (limit === undefined) continue;
    for (const n of [limit - 1, limit, limit + 1]) {
      const k = Math.floor(n / 2);
      // n UTF-16 units: n - k characters, k of them astral (unicode: false counts units).
      out.push("a".repeat(n), "\u00e9".repeat(n), ASTRAL.repeat(k) + "a".repeat(n - 2 * k));
    }
  }
  if (node.pattern) out.push("UPPER", "-bad-", "a/b", "a b", "1\u00b5s", "\u00b5", ASTRAL, "\ud800", "a".repeat(300));
  if (node.type === "integer" || node.minimum !== undefined || node.maximum !== undefined) {
    out.push(0.5, -0.5, Number("1e400"), -Infinity, NaN, 2 ** 53, 2 ** 31, -(2 ** 31), "3", -0);
    for (const limit of [node.minimum, node.maximum])
      if (limit !== undefined) out.push(limit - 1, limit - 0.5, limit, limit + 0.5, limit + 1);
  }
  if (node.type === "array") {
    const strings = (n: number) => Array.from({ length: Math.max(n, 0) }, (_, i) => `a${i}`);
    for (const n of [node.minItems, node.maxItems])
      if (n !== undefined) out.push(strings(n - 1), strings(n), strings(n + 1));
    out.push(
      ["a", "b", "a"],
      ["a", "a", "a"],
      ["b", "a", "b", "a"],
      ["A", "A"],
      ["a", 1, "a"],
      [1, 1],
      [1, "1", 1],
      [1.5, 1.5],
      [null, null],
      [true, true],
      [["x"], ["x"]],
      [{}, {}],
      ["__proto__", "__proto__"],
      ["constructor", "constructor"],
      ["toString", "a", "toString"],
      ["hasOwnProperty", "hasOwnProperty"],
      ...drawn.filter((v) => Array.isArray(v) && v.length).map((v) => [...(v as unknown[]), (v as unknown[])[0]]),
    );
  }
  if (node.type === "object") {
    const objects = [{}, ...drawn.filter(isMap)];
    for (const obj of objects) {
      AWKWARD_KEYS.forEach((key, i) => out.push(own(structuredClone(obj), key, ["v", 1, null][i % 3])));
      for (const key of node.required ?? []) {
        const copy = structuredClone(obj);
        delete copy[key];
        out.push(copy);
      }
    }
    out.push(Object.fromEntries(AWKWARD_KEYS.map((k) => [k, "v"])));
  }
  return out;
}

const BASES = ["seed", "full"].map((name) => parse(readFileSync(join(GOLDEN, name, "config.yaml"), "utf8")));

/** Hand-picked inputs: roots of every type, and keys as JSON.parse makes them. */
const EDGES: unknown[] = [
  undefined,
  ...WRONG_TYPES,
  JSON.parse('{"__proto__": {"spec": 1}, "constructor": 1}'),
  {
    ...(BASES[0] as object),
    spec: JSON.parse('{"gcp": {"projectId": "abcdef"}, "labels": {"__proto__": "x", "a/b": 1}}'),
  },
  {
    ...(BASES[0] as object),
    spec: { gcp: { projectId: "abcdef" }, labels: Object.fromEntries(AWKWARD_KEYS.map((k) => [k, `${k}!`])) },
  },
];

test("the evaluator's errors are ajv's, in order: golden configs, edge cases, a value of every kind everywhere", () => {
  const outcomes: Outcomes = new Map();
  const check = (input: unknown, strict = true) => {
    const errors = compareRaw(input, strict).map((e) => `${e.schemaPath}|${e.instancePath}|${e.propertyName}`);
    tally(mlflowConfigSchema as never, input, new Set(errors), outcomes);
  };
  for (const golden of seeds) {
    check(golden);
  }
  expect(schemaCheck(mlflowConfigSchema, BASES[0])).toBeNull();
  for (const input of EDGES) check(input);
  let count = 0;
  for (const [node, steps] of nodes(mlflowConfigSchema as unknown as SchemaNode)) {
    const held = BASES.map((base) =>
      steps.reduce<any>((v, step) => (typeof step === "string" ? v?.[step] : undefined), base),
    );
    let values = valuesFor(node, held);
    if (steps.at(-1) === NAME) values = [...values, ...AWKWARD_KEYS].filter((v) => typeof v === "string");
    for (const base of BASES)
      for (const value of values) {
        check(place(base, steps, value), false);
        count++;
      }
  }
  for (const input of fc.sample(config, { seed: SEED + 20, numRuns: runs(2000) })) check(input);
  // Every keyword at every place it is in the schema both passed and failed; a key is always a
  // string, so a propertyNames subschema's `type: string` can only pass.
  const missed = places(mlflowConfigSchema as unknown as SchemaNode).filter((place) => {
    const { pass = 0, fail = 0 } = outcomes.get(place) ?? {};
    return !(pass && (fail || place.endsWith("/propertyNames/type")));
  });
  expect(missed).toEqual([]);
  expect([...outcomes.keys()].filter((place) => !places(mlflowConfigSchema as never).includes(place))).toEqual([]);
  expect(count).toBeGreaterThan(5000);
});

/**
 * Small schemas that combine the same keywords in ways schema.ts does not (yet): a type with an
 * enum or const, numbers, null, more than 8 properties, keys that need escaping in a schemaPath,
 * patterns where the "u" flag matters. (Strict ajv refuses a keyword of a type in a schema without that type.)
 */
const SMALL: object[] = [
  { type: "string", enum: ["a", "b"] },
  { type: "string", const: "a", maxLength: 3 },
  { type: "string", enum: ["a"], pattern: "^a$" },
  { type: "integer", enum: [1, 2], maximum: 5 },
  { type: "integer", const: 3 },
  { type: "number", minimum: 1, maximum: 3 },
  { type: "number" },
  { type: "null" },
  { type: "boolean", const: true },
  { type: "string", pattern: "^.$" },
  { type: "string", pattern: "^[^a]$", minLength: 1, maxLength: 1 },
  {
    type: "object",
    properties: { "a b": { type: "string" }, "a/b": { type: "integer" }, "%": { const: 1 }, "~": { enum: ["x"] } },
    additionalProperties: { type: "string", maxLength: 1 },
  },
  {
    type: "object",
    required: ["a", "b", "c"],
    additionalProperties: false,
    properties: Object.fromEntries([..."abcdefghij"].map((k) => [k, { type: "string" }])),
  },
  { type: "object", propertyNames: { maxLength: 2, pattern: "^[a-z]+$" }, additionalProperties: { type: "integer" } },
  { type: "array", items: { type: "integer" }, uniqueItems: true, maxItems: 3 },
  { type: "array", items: { type: "boolean" }, uniqueItems: true },
  { type: "array", items: { type: "array", items: { type: "string" } }, minItems: 1 },
  { enum: ["a", 5, "abc", null, true] },
  { type: "array", items: { type: "string" }, uniqueItems: false },
  { type: "object", additionalProperties: true, properties: { a: { type: "object", additionalProperties: false } } },
];
const SMALL_VALUES: unknown[] = [
  ...WRONG_TYPES,
  undefined,
  ...["a", "b", "ab", "abc", "x", "\u00e9", ASTRAL, ASTRAL + ASTRAL, "\ud800"],
  ...[1, 2, 2.5, 3, 5, 6, 0.5, -0, NaN, Infinity, -Infinity, Number("1e400")],
  [1, 1],
  [1, 2, 1],
  [1, 2, 3, 4],
  [1, 1.0, "1"],
  [true, true, false],
  [[], ["a"], 1],
  ["a", "a"],
  JSON.parse('{"a b": 1, "a/b": 1.5, "%": 2, "~": "y", "zz": "long", "a~b": "", "__proto__": "q"}'),
  JSON.parse('{"a": "x", "b": 1, "k": 1, "constructor": "x", "toString": 2, "__proto__": {}}'),
  { ab: 1, ABC: 2, toolong: 3, x: 1.5, "": 0 },
  { a: { b: 1 } },
];

test("the evaluator's errors are ajv's on small schemas that combine the keywords otherwise", () => {
  for (const schema of SMALL) {
    const validate = lean.compile(schema);
    for (const value of SMALL_VALUES) {
      validate(value);
      const ours = schemaCheck(schema, value);
      expect({ schema, value, errors: ours }).toStrictEqual({ schema, value, errors: validate.errors ?? null });
      expect(JSON.stringify(ours)).toBe(JSON.stringify(validate.errors ?? null));
    }
  }
});
