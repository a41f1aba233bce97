/**
 * kpt's `kpt fn eval ... -- key=value` and a Kptfile `configMap:` reach the function as a
 * ConfigMap whose values are all strings. Keys are dotted paths under spec
 * (`gcp.projectId`, `argocd.syncWave`, `labels.team`), plus `name` for metadata.name;
 * values are converted to the type the schema gives the field.
 */
import type { Result } from "../krm/results.js";
import { isObject } from "../krm/resource-list.js";
import { mlflowConfigSchema } from "./schema.js";
import { API_VERSION, KIND } from "./types.js";

type SchemaNode = { type?: string; properties?: Record<string, SchemaNode>; additionalProperties?: unknown };

export function fromConfigMap(cm: Record<string, unknown>): { config: Record<string, unknown>; results: Result[] } {
  const results: Result[] = [];
  const data = isObject(cm.data) ? cm.data : {};
  const metadata: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  const specSchema = mlflowConfigSchema.properties.spec as unknown as SchemaNode;

  for (const [key, raw] of Object.entries(data)) {
    const value = String(raw);
    if (key === "name" || key === "metadata.name") {
      metadata.name = value;
      continue;
    }
    const segments = key.replace(/^spec\./, "").split(".");
    let node: SchemaNode | undefined = specSchema;
    let target = spec;
    for (let i = 0; i < segments.length; i++) {
      const last = i === segments.length - 1;
      const child: SchemaNode | undefined = node?.properties?.[segments[i]];
      if (child === undefined && node && isObject(node.additionalProperties)) {
        target[segments.slice(i).join(".")] = value; // a map such as labels: the rest is one key
        break;
      }
      if (last) {
        const converted = convert(value, child?.type);
        if (converted === undefined) {
          results.push({ severity: "error", message: `data.${key} must be ${child?.type === "integer" ? "an integer" : "true or false"}, got ${JSON.stringify(value)}`, field: { path: `data.${key}`, currentValue: value } });
        } else target[segments[i]] = converted;
        break;
      }
      if (!isObject(target[segments[i]])) target[segments[i]] = {};
      target = target[segments[i]] as Record<string, unknown>;
      node = child;
    }
  }
  if (metadata.name === undefined && isObject(cm.metadata) && typeof cm.metadata.name === "string" && cm.metadata.name !== "function-input") {
    metadata.name = cm.metadata.name;
  }
  return { config: { apiVersion: API_VERSION, kind: KIND, metadata, spec }, results };
}

function convert(value: string, type: string | undefined): unknown {
  if (type === "integer") return /^-?[0-9]+$/.test(value) ? Number(value) : undefined;
  if (type === "boolean") return value === "true" ? true : value === "false" ? false : undefined;
  return value;
}
