/**
 * fast-check arbitraries derived from a JSON Schema (the subset function/config/schema.ts uses:
 * const, enum, string with pattern and lengths, integer with bounds, boolean, arrays, objects
 * with properties, required and additionalProperties/propertyNames), so that the fuzz tests
 * cover every field the schema has, with no hand-kept copy of it.
 *
 * Strings are drawn from the field's own pattern, kept short (realistic names, and derived names
 * such as "<stack>-<name>-artifacts" mostly within their limits); a field may be given a
 * narrower arbitrary in `overrides` (by dotted path), where the pattern alone admits values that
 * are legal but rarely meaningful together.
 */
import fc from "fast-check";
import type { SchemaNode } from "../../function/config/schema-check.js";

export type { SchemaNode };

export type Overrides = Record<string, fc.Arbitrary<unknown>>;

/** The dotted paths of every field in the schema (array items as "[]"). */
export function fieldPaths(schema: SchemaNode, path = ""): string[] {
  const out: string[] = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const p = path ? `${path}.${key}` : key;
    out.push(p, ...fieldPaths(sub, p));
  }
  return out;
}

function string(node: SchemaNode): fc.Arbitrary<string> {
  const min = node.minLength ?? 0;
  const max = node.maxLength ?? Infinity;
  const base = node.pattern
    ? fc.stringMatching(new RegExp(node.pattern), { size: "xsmall" })
    : fc.string({ maxLength: 12 });
  return base.filter((s) => s.length >= min && s.length <= max);
}

export function arbitraryFor(node: SchemaNode, overrides: Overrides = {}, path = ""): fc.Arbitrary<unknown> {
  if (overrides[path]) return overrides[path];
  if (node.const !== undefined) return fc.constant(node.const);
  if (node.enum) return fc.constantFrom(...node.enum);
  switch (node.type) {
    case "string":
      return string(node);
    case "integer":
      return fc.integer({ min: node.minimum ?? -1000, max: node.maximum ?? 1000 });
    case "boolean":
      return fc.boolean();
    case "array": {
      const items = arbitraryFor(node.items ?? {}, overrides, `${path}[]`);
      const constraints = { minLength: node.minItems ?? 0, maxLength: Math.min(node.maxItems ?? 3, 3) };
      return node.uniqueItems
        ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) })
        : fc.array(items, constraints);
    }
    case "object": {
      if (node.properties) {
        const record = Object.fromEntries(
          Object.entries(node.properties).map(([k, sub]) => [
            k,
            arbitraryFor(sub, overrides, path ? `${path}.${k}` : k),
          ]),
        );
        return fc.record(record, { requiredKeys: [...(node.required ?? [])] });
      }
      const values =
        typeof node.additionalProperties === "object"
          ? arbitraryFor(node.additionalProperties, overrides, `${path}[]`)
          : fc.string({ maxLength: 8 });
      const keys = node.propertyNames ? string(node.propertyNames) : fc.string({ maxLength: 8 });
      return fc.dictionary(keys, values, { maxKeys: 3 });
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}
