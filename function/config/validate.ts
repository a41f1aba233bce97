/**
 * Validation of a MlflowConfig: the precompiled JSON Schema validator first (types, patterns,
 * unknown fields), then the rules a schema cannot state (GCS bucket rules, derived names,
 * cross-field limits) and warnings for values that are legal but risky.
 * Every result names the field (`spec.gcp.projectId`) and the rule.
 */
import type { Result } from "../krm/results.js";
import { cloudPrefix, defaultBucket, defaultServiceAccountId, resolve } from "./defaults.js";
import { PATTERNS } from "./schema.js";
import type { MlflowConfig } from "./types.js";
import { validate as schemaValidate } from "./validator.generated.js";

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  schema?: unknown;
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

export interface Validation {
  config?: MlflowConfig;
  results: Result[];
}

/** Validate `input` as a MlflowConfig; `config` is set only when there is no error. */
export function validateConfig(input: unknown): Validation {
  const ok = (schemaValidate as (d: unknown) => boolean)(input);
  if (!ok) {
    const errors = ((schemaValidate as unknown as { errors: AjvError[] }).errors ?? []);
    return { results: dedupe(errors.map(toResult)) };
  }
  const config = input as MlflowConfig;
  const results = semanticChecks(config);
  return results.some((r) => r.severity === "error") ? { results } : { config, results };
}

function dedupe(results: Result[]): Result[] {
  const seen = new Set<string>();
  return results.filter((r) => {
    const key = `${r.field?.path}|${r.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** JSON pointer (/spec/gcp/projectId, /spec/x/0) to a field path (spec.gcp.projectId, spec.x[0]). */
export function fieldPath(pointer: string, extra?: string): string {
  const parts = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => {
    if (/^[0-9]+$/.test(p)) return `${acc}[${p}]`;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) return acc ? `${acc}.${p}` : p;
    return `${acc}[${JSON.stringify(p)}]`;
  }, "");
}

function toResult(e: AjvError): Result {
  const rule = typeof e.parentSchema?.["x-rule"] === "string" ? (e.parentSchema["x-rule"] as string) : undefined;
  const path = fieldPath(e.instancePath);
  const error = (field: string, message: string, currentValue?: unknown): Result => ({
    severity: "error",
    message,
    field: currentValue === undefined ? { path: field } : { path: field, currentValue },
  });
  const show = (v: unknown) => JSON.stringify(v);
  const label = path || "the config";
  switch (e.keyword) {
    case "required": {
      const field = fieldPath(e.instancePath, String(e.params.missingProperty));
      return error(field, `${field} is required`);
    }
    case "additionalProperties": {
      const prop = String(e.params.additionalProperty);
      const field = fieldPath(e.instancePath, prop);
      const allowed = Object.keys((e.parentSchema?.properties as object) ?? {});
      const hint = closest(prop, allowed);
      return error(field, `${field} is not a known field${hint ? ` (did you mean ${hint}?)` : ""}; allowed here: ${allowed.join(", ")}`);
    }
    case "propertyNames": {
      const field = fieldPath(e.instancePath, String(e.params.propertyName));
      return error(field, `${field}: the key is not valid: must be ${rule ?? "a valid key"}`);
    }
    case "pattern":
      return error(path, `${label} must match ${String(e.params.pattern)}${rule ? ` (${rule})` : ""}, got ${show(e.data)}`, e.data);
    case "maxLength":
    case "minLength":
      return error(path, `${label} ${e.message}${rule ? ` (${rule})` : ""}, got ${show(e.data)}`, e.data);
    case "type":
      return error(path, `${label} must be of type ${String(e.params.type)}, got ${describe(e.data)}`, e.data);
    case "const":
      return error(path, `${label} must be ${show(e.params.allowedValue)}, got ${show(e.data)}`, e.data);
    case "enum":
      return error(path, `${label} must be one of ${(e.params.allowedValues as unknown[]).map(show).join(", ")}, got ${show(e.data)}`, e.data);
    default:
      return error(path, `${label} ${e.message ?? "is not valid"}, got ${show(e.data)}`, e.data);
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** The allowed name closest to a misspelt one, when it is close enough to be a typo. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

const RESERVED_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "app.kubernetes.io/component"];

function semanticChecks(config: MlflowConfig): Result[] {
  const results: Result[] = [];
  const error = (path: string, message: string, currentValue?: unknown) =>
    results.push({ severity: "error", message: `${path} ${message}`, field: { path, currentValue } });
  const warn = (path: string, message: string, currentValue?: unknown) =>
    results.push({ severity: "warning", message: `${path} ${message}`, field: { path, currentValue } });
  const { spec } = config;

  // Derived cloud-side names must be valid too.
  if (spec.gcp.serviceAccount === undefined) {
    const id = defaultServiceAccountId(config);
    if (!new RegExp(PATTERNS.projectId).test(id)) {
      error("spec.gcp.serviceAccount", `is needed: the default account id "${id}" (<stack>-<name>) is not a valid Google service account id (6-30 characters, lowercase letters, digits and '-', starting with a letter)`);
    }
  }
  const bucket = spec.artifacts?.bucket ?? defaultBucket(config);
  for (const problem of bucketProblems(bucket)) {
    error("spec.artifacts.bucket", spec.artifacts?.bucket === undefined ? `is needed: the default bucket "${bucket}" ${problem}` : `${problem}, got ${JSON.stringify(bucket)}`, bucket);
  }

  for (const key of Object.keys(spec.labels ?? {})) {
    if (RESERVED_LABELS.includes(key)) error(`spec.labels[${JSON.stringify(key)}]`, "is set by mlflow-infra and cannot be overridden");
  }

  const interval = spec.externalSecrets?.refreshInterval;
  if (interval !== undefined) {
    const seconds = durationSeconds(interval);
    if (seconds === 0) warn("spec.externalSecrets.refreshInterval", "is 0: the secret is fetched once and never refreshed, so rotated passwords are not picked up", interval);
    else if (seconds < 60) warn("spec.externalSecrets.refreshInterval", `is ${interval}: under 1m, every ExternalSecret calls Secret Manager that often and can exhaust its quota`, interval);
  }

  const server = spec.server;
  if (server) {
    if (!server.image.includes("@sha256:")) {
      warn("spec.server.image", "has no digest: pin it (image:tag@sha256:...) so every render deploys the same bytes", server.image);
    }
    const tag = server.image.split("@")[0].match(/:([^/:]+)$/)?.[1];
    if (tag === undefined || tag === "latest") warn("spec.server.image", "uses the latest tag, which changes under you: name a version", server.image);
    const a = server.autoscaling;
    if (a) {
      const min = a.minReplicas ?? server.replicas ?? 1;
      if (min > a.maxReplicas) error("spec.server.autoscaling.minReplicas", `(${min}) must not exceed spec.server.autoscaling.maxReplicas (${a.maxReplicas})`, min);
    }
    if (server.ingress && !server.ingress.clusterIssuer) {
      warn("spec.server.ingress.clusterIssuer", "is not set: the tracking server is exposed over plain HTTP");
    }
  }

  const argocd = spec.argocd;
  if (argocd) {
    const namespace = resolve(config).namespace;
    if (argocd.namespace !== undefined && argocd.namespace === namespace) {
      warn("spec.argocd.namespace", `is the instance's namespace (${namespace}): the Application would be pruned with the namespace it manages`, argocd.namespace);
    }
  }
  if (cloudPrefix(config) === "" && spec.gcp.serviceAccount === undefined) {
    results.push({ severity: "info", message: `spec.stack is not set: cloud-side names default to "${config.metadata.name}-..."`, field: { path: "spec.stack" } });
  }
  return results;
}

/** Google Cloud Storage naming rules the pattern cannot express. */
export function bucketProblems(name: string): string[] {
  const problems: string[] = [];
  if (!new RegExp(PATTERNS.bucket).test(name)) problems.push(`must match ${PATTERNS.bucket} (3-63 characters of lowercase letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`);
  const parts = name.split(".");
  if (!name.includes(".") && name.length > 63) problems.push("must be at most 63 characters long unless it contains dots");
  if (parts.some((p) => p.length > 63 || p.length === 0)) problems.push("must have dot-separated parts of 1-63 characters");
  if (/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(name)) problems.push("must not be an IP address");
  if (name.startsWith("goog")) problems.push("must not start with \"goog\"");
  if (/g[o0]{2}g[l1]e/.test(name)) problems.push("must not contain \"google\" or close misspellings of it");
  if (/\.-|-\./.test(name)) problems.push("must not have '-' next to '.'");
  return problems;
}

function durationSeconds(d: string): number {
  if (d === "0") return 0;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of d.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}
