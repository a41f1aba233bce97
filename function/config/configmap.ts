/**
 * kpt's `kpt fn eval ... -- key=value` and a Kptfile `configMap:` reach the function as a
 * ConfigMap whose values are all strings. Keys are dotted paths under spec
 * (`gcp.projectId`, `argocd.syncWave`, `labels.team`), plus `name` for metadata.name;
 * values are converted to the type the schema gives the field. Problems are reported at
 * the ConfigMap key the user wrote (`data.argocd.syncWave`), not at the spec field.
 */
import type { Result } from "../krm/results.js";
import { isObject } from "../krm/resource-list.js";
import { mlflowConfigSchema } from "./schema.js";
import { API_VERSION, KIND } from "./types.js";
import { closest } from "./validate.js";
import type { SchemaNode } from "./schema-check.js";

export interface FromConfigMap {
  config: Record<string, unknown>;
  results: Result[];
  /** Field paths (data.<key>) the results already explain: validation need not repeat them. */
  explained: Set<string>;
}

export function fromConfigMap(cm: Record<string, unknown>): FromConfigMap {
  const results: Result[] = [];
  const explained = new Set<string>();
  const data = isObject(cm.data) ? cm.data : {};
  const metadata: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  const specSchema = mlflowConfigSchema.properties.spec as unknown as SchemaNode;
  const fail = (key: string, message: string, value: string) => {
    results.push({
      severity: "error",
      message: `data.${key} ${message}`,
      field: { path: `data.${key}`, currentValue: value },
    });
    explained.add(`data.${key}`);
  };

  for (const [key, raw] of Object.entries(data)) {
    const value = String(raw);
    if (key === "name" || key === "metadata.name") {
      metadata.name = value;
      continue;
    }
    const segments = key.replace(/^spec\./, "").split(".");
    let node: SchemaNode = specSchema;
    let target = spec;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      const here = segments.slice(0, i + 1).join(".");
      const child = node.properties?.[segment];
      if (child === undefined) {
        if (isObject(node.additionalProperties)) {
          target[segments.slice(i).join(".")] = value; // a map such as labels: the rest is one key
          break;
        }
        const known = Object.keys(node.properties ?? {});
        const hint = closest(segment, known);
        const prefix = segments
          .slice(0, i)
          .map((s) => `${s}.`)
          .join("");
        if (hint) explained.add(`data.${prefix}${hint}`);
        fail(
          key,
          `is not a known key${hint ? ` (did you mean ${prefix}${hint}?)` : ""}; allowed here: ${["name", ...known]
            .filter((k) => prefix === "" || k !== "name")
            .map((k) => `${prefix}${k}`)
            .join(", ")}`,
          value,
        );
        break;
      }
      const isSection = child.type === "object";
      if (i === segments.length - 1) {
        if (isSection) {
          const first = Object.keys(child.properties ?? {})[0] ?? "key";
          fail(key, `is a section, not a value: set its fields one key each, such as ${here}.${first}=...`, value);
          break;
        }
        const converted = convert(value, child.type);
        if (converted === undefined)
          fail(
            key,
            `must be ${child.type === "integer" ? "an integer" : "true or false"}, got ${JSON.stringify(value)}`,
            value,
          );
        else target[segment] = converted;
        break;
      }
      if (!isSection) {
        fail(key, `is not a known key: ${here} is a value, not a section (use ${here}=...)`, value);
        break;
      }
      if (!isObject(target[segment])) target[segment] = {};
      target = target[segment] as Record<string, unknown>;
      node = child;
    }
  }
  // A missing required section (gcp) is reported at the key to set (data.gcp.projectId is required).
  for (const section of (specSchema as { required?: string[] }).required ?? []) {
    if (specSchema.properties?.[section]?.type === "object" && !isObject(spec[section])) spec[section] = {};
  }
  if (
    metadata.name === undefined &&
    isObject(cm.metadata) &&
    typeof cm.metadata.name === "string" &&
    cm.metadata.name !== "function-input"
  ) {
    metadata.name = cm.metadata.name;
  }
  return { config: { apiVersion: API_VERSION, kind: KIND, metadata, spec }, results, explained };
}

/**
 * A result about the MlflowConfig built from a ConfigMap, told in the ConfigMap's terms:
 * spec.argocd.syncWave becomes data.argocd.syncWave, metadata.name becomes data.name.
 */
export function inConfigMapTerms(r: Result): Result {
  const rewrite = (text: string) =>
    text.replace(/(^|[\s(])spec\.(?=[A-Za-z])/g, "$1data.").replace(/(^|[\s(])metadata\.name\b/g, "$1data.name");
  return {
    ...r,
    message: rewrite(r.message),
    ...(r.field ? { field: { ...r.field, path: rewrite(r.field.path) } } : {}),
  };
}

function convert(value: string, type: string | undefined): unknown {
  if (type === "integer") return /^-?[0-9]+$/.test(value) ? Number(value) : undefined;
  if (type === "boolean") return value === "true" ? true : value === "false" ? false : undefined;
  return value;
}
