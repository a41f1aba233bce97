/**
 * The JSON Schema check of a MlflowConfig: a small evaluator that walks the schema (schema.ts) with
 * the input and returns exactly the errors ajv returns for it (allErrors, strict, `unicode: false`,
 * without messages or verbose fields): the same instancePath, schemaPath, keyword, params and
 * propertyName, in the same order. It replaced ajv's standalone code, a 100 kB function whose
 * bytecode cost about 0.9 ms of every start-up (docs/decisions.md); ajv stays the reference, in
 * test/schema-errors.test.ts, which also fails if the schema uses a keyword not in KEYWORDS.
 *
 * Ajv's order, per schema node: the type, unless the node has keywords of that type (then it is
 * reported after them, when the value is of another type); const, enum; then the keywords of each
 * type, only on a value of that type: maximum, minimum; maxLength, minLength, pattern; maxItems,
 * minItems, items, uniqueItems; required, propertyNames, additionalProperties, properties.
 */

/** The keywords evaluated here; ANNOTATIONS are ignored, as ajv ignores them. */
export const KEYWORDS = [
  "type",
  "const",
  "enum",
  "maximum",
  "minimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "items",
  "uniqueItems",
  "required",
  "propertyNames",
  "additionalProperties",
  "properties",
] as const;
export const ANNOTATIONS = ["$schema", "$id", "title", "description", "default", "x-rule"] as const;

/** An error as ajv reports it without messages and verbose fields. */
export interface SchemaCheckError {
  instancePath: string;
  /** The failed keyword in the schema, a URI fragment: #/properties/spec/properties/stack/pattern. */
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  /** Set on the errors of a propertyNames subschema: the key that failed. */
  propertyName?: string;
}

/**
 * A node of the schema, as far as it is evaluated, and its `default` (defaults.ts applies it;
 * test/helpers/schema-arbitrary.ts draws values from the same nodes).
 */
export interface SchemaNode {
  default?: unknown;
  type?: string;
  const?: unknown;
  enum?: readonly unknown[];
  maximum?: number;
  minimum?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  items?: SchemaNode;
  uniqueItems?: boolean;
  required?: readonly string[];
  propertyNames?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  properties?: Record<string, SchemaNode>;
}

const hasOwn = Object.prototype.hasOwnProperty;
/** Each pattern compiled on first use, with ajv's flag. */
const patterns = new Map<string, RegExp>();

// The walk's state: the errors so far (null: none), the keys from the root to the value (the
// instancePath) and to the schema node (the schemaPath), and the key under check in a
// propertyNames subschema.
let errors: SchemaCheckError[] | null = null;
const dataKeys: (string | number)[] = [];
const schemaKeys: string[] = [];
let propertyName: string | undefined;

/** The errors of `data` against `schema`, or null when it is valid (as ajv's `validate.errors`). */
export function schemaCheck(schema: object, data: unknown): SchemaCheckError[] | null {
  errors = null;
  dataKeys.length = schemaKeys.length = 0;
  propertyName = undefined;
  check(schema as SchemaNode, data);
  const found = errors;
  errors = null;
  return found;
}

/** ajv's type tests (strictNumbers: a number is finite). */
function isType(type: string, v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && !(v % 1) && !isNaN(v) && isFinite(v);
    case "number":
      return typeof v === "number" && isFinite(v);
    case "boolean":
      return typeof v === "boolean";
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    case "array":
      return Array.isArray(v);
    case "null":
      return v === null;
  }
  throw new Error(`schema-check: unknown type ${type}`);
}

function check(s: SchemaNode, data: unknown): void {
  const type = s.type;
  const numberRules = s.maximum !== undefined || s.minimum !== undefined;
  const stringRules = s.maxLength !== undefined || s.minLength !== undefined || s.pattern !== undefined;
  const arrayRules =
    s.maxItems !== undefined || s.minItems !== undefined || s.items !== undefined || s.uniqueItems !== undefined;
  const objectRules =
    s.required !== undefined ||
    s.propertyNames !== undefined ||
    s.additionalProperties !== undefined ||
    s.properties !== undefined;
  const typeLater =
    (type === "number" && numberRules) ||
    (type === "string" && stringRules) ||
    (type === "array" && arrayRules) ||
    (type === "object" && objectRules);
  if (type !== undefined && !typeLater && !isType(type, data)) fail("type", { type });
  if (s.const !== undefined && s.const !== data) fail("const", { allowedValue: s.const });
  if (s.enum !== undefined && s.enum.indexOf(data) < 0) fail("enum", { allowedValues: s.enum });

  if (numberRules) {
    if (typeof data === "number" && isFinite(data)) {
      if (s.maximum !== undefined && data > s.maximum) fail("maximum", { comparison: "<=", limit: s.maximum });
      if (s.minimum !== undefined && data < s.minimum) fail("minimum", { comparison: ">=", limit: s.minimum });
    } else if (typeLater) fail("type", { type });
  }

  if (stringRules) {
    if (typeof data === "string") {
      // unicode: false: lengths in UTF-16 code units.
      if (s.maxLength !== undefined && data.length > s.maxLength) fail("maxLength", { limit: s.maxLength });
      if (s.minLength !== undefined && data.length < s.minLength) fail("minLength", { limit: s.minLength });
      if (s.pattern !== undefined) {
        let re = patterns.get(s.pattern);
        if (re === undefined) patterns.set(s.pattern, (re = new RegExp(s.pattern, "u")));
        if (!re.test(data)) fail("pattern", { pattern: s.pattern });
      }
    } else if (typeLater) fail("type", { type });
  }

  if (arrayRules) {
    if (Array.isArray(data)) {
      if (s.maxItems !== undefined && data.length > s.maxItems) fail("maxItems", { limit: s.maxItems });
      if (s.minItems !== undefined && data.length < s.minItems) fail("minItems", { limit: s.minItems });
      if (s.items !== undefined) {
        schemaKeys.push("items");
        for (let i = 0; i < data.length; i++) {
          dataKeys.push(i);
          check(s.items, data[i]);
          dataKeys.pop();
        }
        schemaKeys.pop();
      }
      if (s.uniqueItems && data.length > 1) {
        // ajv's scan for items of one scalar type (the schema test allows no other): from the end,
        // skipping items of another type, remembering each value's index in a plain object (so a
        // second "__proto__" goes unnoticed, as in ajv); the first repeat is an error, {i, j}.
        const itemType = (s.items as SchemaNode).type as string;
        const indices: Record<string, number> = {};
        for (let i = data.length; i--;) {
          const item = data[i] as string;
          if (!isType(itemType, item)) continue;
          if (typeof indices[item] == "number") {
            fail("uniqueItems", { i, j: indices[item] });
            break;
          }
          indices[item] = i;
        }
      }
    } else if (typeLater) fail("type", { type });
  }

  if (objectRules) {
    if (typeof data === "object" && data !== null && !Array.isArray(data)) {
      const obj = data as Record<string, unknown>;
      const props = s.properties;
      const more = s.additionalProperties;
      if (s.required !== undefined) {
        for (let i = 0; i < s.required.length; i++) {
          if (obj[s.required[i]] === undefined) fail("required", { missingProperty: s.required[i] });
        }
      }
      if (s.propertyNames !== undefined) {
        const outer = propertyName;
        for (const key in obj) {
          const before = errors === null ? 0 : errors.length;
          schemaKeys.push("propertyNames");
          propertyName = key;
          check(s.propertyNames, key);
          propertyName = outer;
          schemaKeys.pop();
          if ((errors === null ? 0 : errors.length) !== before) fail("propertyNames", { propertyName: key });
        }
      }
      if (more !== undefined && more !== true) {
        for (const key in obj) {
          if (props !== undefined && hasOwn.call(props, key)) continue;
          if (more === false) fail("additionalProperties", { additionalProperty: key });
          else {
            schemaKeys.push("additionalProperties");
            dataKeys.push(key);
            check(more, obj[key]);
            dataKeys.pop();
            schemaKeys.pop();
          }
        }
      }
      if (props !== undefined) {
        for (const key in props) {
          if (obj[key] === undefined) continue;
          schemaKeys.push("properties", key);
          dataKeys.push(key);
          check(props[key], obj[key]);
          dataKeys.pop();
          schemaKeys.length -= 2;
        }
      }
    } else if (typeLater) fail("type", { type });
  }
}

/** Records an error of `keyword` at the current node, with ajv's paths. */
function fail(keyword: string, params: Record<string, unknown>): void {
  let instancePath = "";
  for (let i = 0; i < dataKeys.length; i++) {
    const key = dataKeys[i];
    instancePath += "/" + (typeof key === "number" ? key : key.replace(/~/g, "~0").replace(/\//g, "~1"));
  }
  let schemaPath = "#";
  for (let i = 0; i < schemaKeys.length; i++)
    schemaPath += "/" + encodeURIComponent(schemaKeys[i].replace(/~/g, "~0").replace(/\//g, "~1"));
  schemaPath += "/" + keyword;
  const error: SchemaCheckError = { instancePath, schemaPath, keyword, params };
  if (propertyName !== undefined) error.propertyName = propertyName;
  (errors ??= []).push(error);
}
