/**
 * The precompiled validator is built without ajv's messages and verbose fields
 * (scripts/build.mjs), and validate.ts derives what they held: each error's parent schema (its
 * schemaPath in schema.ts's schema), its data (its instancePath in the input, or the key in a
 * propertyNames subschema) and, for the keywords it does not word itself, ajv's message. This
 * checks, on random and mutated configs, that the derived errors are exactly those of ajv compiled
 * at run time as the validator used to be (verbose: true, messages on): same errors in the same
 * order, the same parent schema object, the same data and the same message, so the results built
 * from them are too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import fc from "fast-check";
import { parse } from "yaml";
import { mlflowConfigSchema } from "../function/config/schema.js";
import { keywordMessage, schemaErrors, type SchemaError } from "../function/config/validate.js";
import { ROOT } from "./helpers/paths.js";
import { arbitraryFor, type SchemaNode } from "./helpers/schema-arbitrary.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(10, Math.round(n * SCALE));

/** The validator as scripts/build.mjs compiled it before: every error with its message, schema and data. */
const verbose = new Ajv({
  allErrors: true,
  verbose: true,
  strict: true,
  unicode: false,
  logger: { log() {}, warn() {}, error: console.error },
});
verbose.addVocabulary(["x-rule"]);
const validateVerbose = verbose.compile(mlflowConfigSchema);

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
