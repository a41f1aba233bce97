/**
 * Validation of a MlflowConfig: the JSON Schema check first (types, patterns,
 * unknown fields), then the rules a schema cannot state (GCS bucket rules, derived names,
 * cross-field limits) and warnings for values that are legal but risky.
 * Every result names the field (`spec.gcp.projectId`) and the rule.
 */
import type { Result } from "../krm/results.js";
import { kubeRules } from "./kube-rules.js";
import {
  applyDefaults,
  cloudPrefix,
  defaultAuthMode,
  defaultBucket,
  defaultServiceAccountId,
  instanceNamespace,
  isGkeIngressClass,
  isPostgres,
  serviceAccountEmail,
} from "./defaults.js";
import { mlflowConfigSchema, PATTERNS } from "./schema.js";
import { schemaCheck, type SchemaCheckError } from "./schema-check.js";
import { collector, type Report } from "./report.js";
import type { DatabaseDriver, Defaulted, MlflowConfig, Spec } from "./types.js";
import { exposureChecks, usesProxyOnlySubnet } from "./validate-exposure.js";
import { operationsChecks } from "./validate-operations.js";

/** An error with what ajv's `verbose` option would add: the schema object holding the keyword, and the value. */
export interface SchemaError extends SchemaCheckError {
  parentSchema?: Record<string, unknown>;
  data: unknown;
}

export interface Validation {
  config?: MlflowConfig;
  /** The config with the schema's defaults (set with `config`), for resolve(). */
  defaulted?: Defaulted;
  results: Result[];
}

/** Validate `input` as a MlflowConfig; `config` is set only when there is no error. */
export function validateConfig(input: unknown): Validation {
  const errors = schemaErrors(input);
  if (errors.length) return { results: schemaResults(errors) };
  const config = input as MlflowConfig;
  const defaulted = applyDefaults(config);
  const results = semanticChecks(config, defaulted.spec);
  return results.some((r) => r.severity === "error") ? { results } : { config, defaulted, results };
}

/**
 * The JSON Schema's errors for `input` (none when it is valid), each with its parent schema (the
 * schemaPath less the keyword, in schema.ts's schema) and its data (the instancePath in `input`;
 * in a propertyNames subschema, the key).
 */
export function schemaErrors(input: unknown): SchemaError[] {
  const errors = schemaCheck(mlflowConfigSchema, input);
  if (errors === null) return [];
  return errors.map((e) => ({
    ...e,
    parentSchema: at(mlflowConfigSchema, fragmentKeys(e.schemaPath).slice(0, -1)) as Record<string, unknown>,
    data: e.propertyName ?? at(input, pointerKeys(e.instancePath)),
  }));
}

/** The value at `keys` in `root`. */
function at(root: unknown, keys: string[]): unknown {
  return keys.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

/** A JSON pointer's keys: /spec/x~1y/0 -> spec, x/y, 0. */
function pointerKeys(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** A URI fragment's keys (ajv percent-encodes each): #/properties/a%20b -> properties, a b. */
function fragmentKeys(fragment: string): string[] {
  return pointerKeys(fragment.slice(1).split("/").map(decodeURIComponent).join("/"));
}

/** JSON pointer (/spec/gcp/projectId, /spec/x/0) to a field path (spec.gcp.projectId, spec.x[0]). */
export function fieldPath(pointer: string, extra?: string): string {
  const parts = pointerKeys(pointer);
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => {
    if (/^[0-9]+$/.test(p)) return `${acc}[${p}]`;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) return acc ? `${acc}.${p}` : p;
    return `${acc}[${JSON.stringify(p)}]`;
  }, "");
}

const STRING_FORMAT = new Set(["pattern", "minLength", "maxLength"]);

/**
 * One result per problem: a value that breaks both the length and the pattern of its field
 * gets one message stating the field's rule; a bad map key is reported once, at the key.
 */
function schemaResults(errors: SchemaError[]): Result[] {
  const results: Result[] = [];
  const done = new Set<string>();
  const suggested = new Set<string>();
  for (const e of errors) {
    if (e.keyword === "additionalProperties") {
      const hint = closest(
        String(e.params.additionalProperty),
        Object.keys((e.parentSchema?.properties as object) ?? {}),
      );
      if (hint) suggested.add(fieldPath(e.instancePath, hint));
    }
  }
  for (const e of errors) {
    const field = e.propertyName !== undefined ? fieldPath(e.instancePath, e.propertyName) : fieldPath(e.instancePath);
    if (
      e.keyword === "propertyNames" &&
      errors.some((o) => o !== e && o.propertyName === e.params.propertyName && o.instancePath === e.instancePath)
    )
      continue;
    if (e.keyword === "required" && suggested.has(fieldPath(e.instancePath, String(e.params.missingProperty))))
      continue; // the typo's hint says it
    if (STRING_FORMAT.has(e.keyword)) {
      const key = `${field}|${e.propertyName === undefined ? "value" : "key"}`;
      if (done.has(key)) continue;
      done.add(key);
      results.push(
        stringFormatResult(
          field,
          e,
          errors.filter(
            (o) =>
              o.instancePath === e.instancePath && o.propertyName === e.propertyName && STRING_FORMAT.has(o.keyword),
          ),
        ),
      );
      continue;
    }
    results.push(toResult(field, e));
  }
  return dedupe(results);
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

function error(field: string, message: string, currentValue?: unknown): Result {
  return {
    severity: "error",
    message,
    field: currentValue === undefined ? { path: field } : { path: field, currentValue },
  };
}

/** "a namespace must be a DNS-1123 label: ..." -> "a DNS-1123 label: ..." (the field path names the thing). */
function ruleText(e: SchemaError): string | undefined {
  const rule = e.parentSchema?.["x-rule"];
  if (typeof rule !== "string") return undefined;
  const m = /^.*? must be (.*)$/.exec(rule);
  return m ? m[1] : rule;
}

/** A value for a message: quoted, and cut short when long (the full value is in field.currentValue). */
function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  if (typeof v !== "string" || v.length <= 64) return text;
  return `${JSON.stringify(`${v.slice(0, 48)}...`)} (${v.length} characters)`;
}

/** pattern, minLength and maxLength errors of one value (or one key) as one result. */
function stringFormatResult(field: string, first: SchemaError, all: SchemaError[]): Result {
  const isKey = first.propertyName !== undefined;
  const value = isKey ? first.propertyName : first.data;
  const rule = ruleText(first);
  const pattern = all.find((e) => e.keyword === "pattern")?.params.pattern;
  const length = all.find((e) => e.keyword !== "pattern");
  const len = typeof value === "string" ? value.length : 0;
  const lengthNote = length && typeof value === "string" && value.length <= 64 ? ` (${len} characters)` : "";
  const got = `got ${show(value)}${lengthNote}`;
  const subject = isKey ? `${field}: the key` : field;
  let message: string;
  if (rule) message = `${subject} must be ${rule}; ${got}${pattern ? ` (pattern ${String(pattern)})` : ""}`;
  else if (length?.keyword === "minLength" && length.params.limit === 1) message = `${subject} must not be empty`;
  else if (length)
    message =
      `${subject} must be ${length.keyword === "minLength" ? "at least" : "at most"} ` +
      `${String(length.params.limit)} characters long; ${got}`;
  else message = `${subject} must match ${String(pattern)}; ${got}`;
  return error(field, message, value);
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "null",
};

function toResult(field: string, e: SchemaError): Result {
  const label = field || "the config";
  switch (e.keyword) {
    case "required": {
      const missing = fieldPath(e.instancePath, String(e.params.missingProperty));
      return error(missing, `${missing} is required`);
    }
    case "additionalProperties": {
      const prop = String(e.params.additionalProperty);
      const unknown = fieldPath(e.instancePath, prop);
      const allowed = Object.keys((e.parentSchema?.properties as object) ?? {});
      const hint = closest(prop, allowed);
      return error(
        unknown,
        `${unknown} is not a known field${hint ? ` (did you mean ${hint}?)` : ""}; allowed here: ${allowed.join(", ")}`,
      );
    }
    case "propertyNames":
      return error(field, `${label} has a key that is not valid: ${JSON.stringify(e.params.propertyName)}`);
    case "type": {
      const expected = String(e.params.type)
        .split(",")
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(" or ");
      return error(
        field,
        `${label} must be ${expected}, got ${describe(e.data)}${quotedHint(String(e.params.type), e.data)}`,
        e.data,
      );
    }
    case "const":
      return error(field, `${label} must be ${show(e.params.allowedValue)}, got ${show(e.data)}`, e.data);
    case "enum":
      return error(
        field,
        `${label} must be one of ${(e.params.allowedValues as unknown[]).map(show).join(", ")}, got ${show(e.data)}`,
        e.data,
      );
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const words = {
        minimum: "at least",
        maximum: "at most",
        exclusiveMinimum: "more than",
        exclusiveMaximum: "less than",
      }[e.keyword];
      return error(field, `${label} must be ${words} ${String(e.params.limit)}, got ${show(e.data)}`, e.data);
    }
    default:
      return error(field, `${label} ${keywordMessage(e)}, got ${show(e.data)}`, e.data);
  }
}

/** ajv's English message, for the keywords toResult words no better: the array bounds and uniqueness. */
export function keywordMessage(e: Pick<SchemaCheckError, "keyword" | "params">): string {
  const { limit, i, j } = e.params;
  switch (e.keyword) {
    case "minItems":
      return `must NOT have fewer than ${String(limit)} items`;
    case "maxItems":
      return `must NOT have more than ${String(limit)} items`;
    case "uniqueItems":
      return `must NOT have duplicate items (items ## ${String(j)} and ${String(i)} are identical)`;
    default:
      return "is not valid";
  }
}

function describe(v: unknown): string {
  if (v === null) return "null (an empty value)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${show(v)}`;
  return `${typeof v} ${show(v)}`;
}

/**
 * `syncWave: "3"`: the value is right but quoted; `team: 5` or `on: yes`: a string YAML read as a number or boolean.
 */
function quotedHint(expected: string, v: unknown): string {
  if (expected === "string" && (typeof v === "number" || typeof v === "boolean"))
    return " (quote it, so YAML reads it as a string)";
  if (typeof v !== "string") return "";
  if (
    (expected === "integer" && /^-?[0-9]+$/.test(v)) ||
    (expected === "boolean" && /^(true|false)$/.test(v)) ||
    (expected === "number" && v.trim() !== "" && !Number.isNaN(Number(v)))
  ) {
    return " (write it without quotes)";
  }
  return "";
}

/** The allowed name closest to a misspelt one, when it is close enough to be a typo. */
export function closest(word: string, candidates: string[]): string | undefined {
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
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Labels mlflow-infra sets, with where to change them when the config may. */
const RESERVED_LABELS: Record<string, string> = {
  "app.kubernetes.io/name": "",
  "app.kubernetes.io/instance": " (it is metadata.name)",
  "app.kubernetes.io/part-of": ": set spec.partOf instead",
  "app.kubernetes.io/managed-by": "",
  "app.kubernetes.io/component": "",
};

function semanticChecks(config: MlflowConfig, defaulted: Defaulted["spec"]): Result[] {
  const { results, error, warn } = collector();
  const { spec } = config;

  // Derived cloud-side names must be valid too.
  if (spec.gcp.serviceAccount === undefined) {
    const id = defaultServiceAccountId(config);
    if (!new RegExp(PATTERNS.projectId).test(id)) {
      error(
        "spec.gcp.serviceAccount",
        `is needed: the default account id "${id}" (<stack>-<name>, ${id.length} characters) is not a valid ` +
          `Google service account id (6-30 characters: lowercase letters, digits and '-', starting with a ` +
          `letter); set spec.gcp.serviceAccount, or shorten spec.stack or metadata.name`,
      );
    }
  }
  const bucket = spec.artifacts?.bucket ?? defaultBucket(config);
  for (const problem of bucketProblems(bucket)) {
    const isDefault = spec.artifacts?.bucket === undefined;
    error(
      "spec.artifacts.bucket",
      isDefault
        ? `is needed: the default bucket "${bucket}" (<stack>-<name>-artifacts) ${problem}; set spec.artifacts.bucket`
        : `${problem}, got ${JSON.stringify(bucket)}`,
      bucket,
    );
  }

  kubeRules(config, defaulted, error);

  for (const key of Object.keys(spec.labels ?? {})) {
    if (Object.hasOwn(RESERVED_LABELS, key)) {
      const where = RESERVED_LABELS[key];
      error(`spec.labels[${JSON.stringify(key)}]`, `is set by mlflow-infra and cannot be overridden here${where}`);
    }
    if (key.startsWith(POD_SECURITY_PREFIX)) {
      error(
        `spec.labels[${JSON.stringify(key)}]`,
        `is refused: ${POD_SECURITY_PREFIX} labels set the namespace's Pod Security Admission level, ` +
          "which mlflow-infra sets to restricted (docs/security.md)",
      );
    }
  }
  results.push(...identityChecks(config, defaulted));

  const interval = spec.externalSecrets?.refreshInterval;
  if (interval !== undefined) {
    const seconds = durationSeconds(interval);
    if (seconds === 0)
      warn(
        "spec.externalSecrets.refreshInterval",
        "is 0: the secret is fetched once and never refreshed, so rotated passwords are not picked up",
        interval,
      );
    else if (seconds < 60)
      warn(
        "spec.externalSecrets.refreshInterval",
        `is ${interval}: under 1m, every ExternalSecret calls Secret Manager that often and can exhaust its quota`,
        interval,
      );
  }

  const server = spec.server;
  const d = defaulted.server;
  if (server && d) {
    results.push(...exposureChecks(server, d), ...operationsChecks(d));
    checkImage("spec.server.image", server.image, warn);
    if (!d.customImage) checkStockImage(server.image, defaulted.database.driver, error);
    if (server.cloudSqlProxy && d.cloudSqlProxy) {
      const which = server.cloudSqlProxy.image === undefined ? " (the default)" : "";
      checkImage("spec.server.cloudSqlProxy.image", d.cloudSqlProxy.image, warn, which);
    }
    const a = server.autoscaling;
    if (a) {
      const min = a.minReplicas ?? d.replicas;
      if (min > a.maxReplicas)
        error(
          "spec.server.autoscaling.minReplicas",
          `(${min}) must not exceed spec.server.autoscaling.maxReplicas (${a.maxReplicas})`,
          min,
        );
    }
    if (server.ingress && !server.ingress.clusterIssuer) {
      const iap = (d.auth?.mode ?? defaultAuthMode(d)) === "iap";
      warn(
        "spec.server.ingress.clusterIssuer",
        "is not set: the tracking server is exposed over plain HTTP" +
          (iap ? ", and Identity-Aware Proxy works only behind HTTPS: give the load balancer a certificate" : ""),
      );
    }
    (server.allowedHosts ?? []).forEach((h, i) => {
      if (h === "*")
        warn(
          `spec.server.allowedHosts[${i}]`,
          `is "*": it turns off MLflow's Host header check (DNS rebinding protection)`,
          h,
        );
    });
    const className = d.ingress?.className;
    const gke = className !== undefined && isGkeIngressClass(className);
    const body = d.ingress?.maxBodySize ?? "";
    const tmp = d.tmpSizeLimit;
    if (gke && server.ingress?.maxBodySize !== undefined) {
      warn(
        "spec.server.ingress.maxBodySize",
        `is not used with className ${className}: it sets ingress-nginx's proxy-body-size, and GKE's load ` +
          `balancer has no such annotation`,
        body,
      );
    } else if (server.ingress && !gke && (body === "0" || bytes(body) > bytes(tmp))) {
      warn(
        "spec.server.ingress.maxBodySize",
        `(${body === "0" ? "unlimited" : body}) is larger than spec.server.tmpSizeLimit (${tmp}): MLflow ` +
          `spools each upload in /tmp, and a pod whose /tmp outgrows its limit is evicted`,
        body,
      );
    }
    const policy = server.networkPolicy;
    if (policy?.enabled === false) {
      warn(
        "spec.server.networkPolicy.enabled",
        "is false: the server and migration pods accept connections from, and connect to, anywhere",
      );
    } else if (usesProxyOnlySubnet(d) && (policy?.proxyOnlySubnetCidrs ?? []).length === 0) {
      warn(
        "spec.server.networkPolicy.proxyOnlySubnetCidrs",
        "is not set: the internal Application Load Balancer (ingress className gce-internal, or an internal " +
          "Gateway) connects from the region's proxy-only subnet, which the NetworkPolicy then blocks " +
          "(its health checks pass, its requests do not)",
      );
    } else if (!usesProxyOnlySubnet(d) && (policy?.proxyOnlySubnetCidrs ?? []).length > 0) {
      warn(
        "spec.server.networkPolicy.proxyOnlySubnetCidrs",
        "is not used: only an internal load balancer (ingress className gce-internal, or an internal Gateway) " +
          "connects from a proxy-only subnet",
        policy?.proxyOnlySubnetCidrs,
      );
    }
    if (policy?.enabled !== false) {
      const { googleApis, databaseCidrs } = d.networkPolicy;
      if (googleApis === "any") {
        warn(
          "spec.server.networkPolicy.googleApis",
          "is any: the pods may open TCP 443 to every address (0.0.0.0/0), not only Google APIs; " +
            "with Private Google Access set it to private or restricted (docs/security.md)",
          googleApis,
        );
      }
      if (databaseCidrs.includes("0.0.0.0/0")) {
        warn(
          "spec.server.networkPolicy.databaseCidrs",
          "includes 0.0.0.0/0: the pods may reach the database port on every address; " +
            "set the database's range, such as the Cloud SQL private services access range (docs/security.md)",
          databaseCidrs,
        );
      }
    }
  }

  configConnectorChecks(config, defaulted, error, warn);

  const argocd = spec.argocd;
  if (argocd) {
    if (argocd.repoURL.startsWith("file://")) {
      error(
        "spec.argocd.repoURL",
        "must not be a file:// URL: Argo CD would read a directory on the repo-server's own disk, " +
          "outside the AppProject's source repositories",
        argocd.repoURL,
      );
    } else if (argocd.repoURL.startsWith("http://")) {
      const why = "the manifests Argo CD applies can be changed in transit; use https:// or ssh://";
      warn("spec.argocd.repoURL", `uses plain http://: ${why}`, argocd.repoURL);
    }
    const project = defaulted.argocd?.project;
    if (project === "default") {
      warn(
        "spec.argocd.project",
        "is default: Argo CD's default project allows any repository, destination and kind; " +
          "use a project that allows only the instance's namespace (deploy/argocd/apps)",
        project,
      );
    }
  }
  if (cloudPrefix(config) === "" && spec.gcp.serviceAccount === undefined) {
    results.push({
      severity: "info",
      message: `spec.stack is not set: cloud-side names default to "${config.metadata.name}-..."`,
      field: { path: "spec.stack" },
    });
  }
  return results;
}

/**
 * Every image (the server's, the proxy's): a tag alone can be moved to other bytes, so a
 * reference without an @sha256: digest is a warning; without a digest, no tag or `latest` is
 * one more.
 */
function checkImage(path: string, image: string, warn: Report, which = ""): void {
  if (image.includes("@sha256:")) return;
  const noDigest = `${which} has no digest: pin it (image:tag@sha256:...) so every render deploys the same bytes`;
  warn(path, noDigest.trimStart(), image);
  const tag = image.match(/:([^/:]+)$/)?.[1];
  if (tag === undefined || tag === "latest") {
    warn(path, "uses the latest tag, which changes under you: name a version", image);
  }
}

/**
 * The drivers in MLflow's images. The -full images install mlflow with the `db` extra (mlflow
 * docker/Dockerfile.full: PyMySQL, psycopg2, pymssql); the base image installs mlflow alone
 * (docker/Dockerfile), with no driver and no google-cloud-storage. With another driver the server
 * and the migration Job fail at import.
 */
export const STOCK_IMAGE = "ghcr.io/mlflow/mlflow";
export const STOCK_IMAGE_DRIVERS: readonly DatabaseDriver[] = ["pymysql", "psycopg2"];

function checkStockImage(image: string, driver: DatabaseDriver, error: Report): void {
  if (!STOCK_IMAGE_DRIVERS.includes(driver)) {
    error(
      "spec.database.driver",
      `(${driver}) is not in MLflow's images, whose -full builds carry ${STOCK_IMAGE_DRIVERS.join(" and ")} only: ` +
        `the server and the migration Job would fail to import it; use ${STOCK_IMAGE_DRIVERS.join(" or ")}, ` +
        "or build an image that has it and set spec.server.customImage: true",
      driver,
    );
  }
  const [reference, digest] = image.split("@");
  const [name, tag = "latest"] = reference.split(/:(?=[^/:]+$)/);
  // A digest without a tag may be either image; a tag says which.
  if (name === STOCK_IMAGE && !(digest !== undefined && reference === name) && !tag.endsWith("-full")) {
    error(
      "spec.server.image",
      "is MLflow's base image, which has no database driver and no google-cloud-storage: " +
        `use ${STOCK_IMAGE}:${tag}-full (or set spec.server.customImage: true for a build of your own)`,
      image,
    );
  }
}

/** PostgreSQL's identifier limit (NAMEDATALEN - 1). */
const POSTGRES_NAME_MAX = 63;

/** Google Cloud label keys and values (Config Connector copies labels without a '/' onto the resources). */
const GCP_LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const GCP_LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

/** Rules of spec.gcp.configConnector that span fields. */
function configConnectorChecks(config: MlflowConfig, defaulted: Spec, error: Report, warn: Report): void {
  const { spec } = config;
  // cc: what the user wrote (a field set or not); its defaulted form holds mode and databaseAuth.
  const cc = spec.gcp.configConnector;
  if (!cc || !defaulted.gcp.configConnector) return;
  const path = "spec.gcp.configConnector";
  const { mode, databaseAuth: auth } = defaulted.gcp.configConnector;
  if (mode === "namespaced" && cc.googleServiceAccount === undefined) {
    error(
      `${path}.googleServiceAccount`,
      "is required with mode namespaced: the namespace's ConfigConnectorContext " +
        "names the Google service account Config Connector acts as there",
    );
  }
  if (mode === "cluster" && cc.googleServiceAccount !== undefined) {
    warn(
      `${path}.googleServiceAccount`,
      "is not used with mode cluster: Config Connector acts as the account of its " +
        "cluster-wide ConfigConnector object",
      cc.googleServiceAccount,
    );
  }
  const namespace = instanceNamespace(config);
  if (auth === "password" && cc.namespace !== undefined && cc.namespace !== namespace) {
    error(
      `${path}.namespace`,
      `must be the instance's namespace (${namespace}) with databaseAuth password: the SQLUser reads its password ` +
        `from the Kubernetes Secret the ExternalSecret writes there, and a secretKeyRef has no namespace`,
      cc.namespace,
    );
  }
  if (auth === "iam" && cc.databaseUser !== undefined) {
    const why = "is not used with databaseAuth iam: the database user is the Google service account";
    warn(`${path}.databaseUser`, why, cc.databaseUser);
  }
  const iamName = serviceAccountEmail(config).replace(/\.gserviceaccount\.com$/, "");
  const postgres = isPostgres(defaulted.database.driver);
  if (auth === "iam" && postgres && iamName.length > POSTGRES_NAME_MAX) {
    error(
      "spec.gcp.serviceAccount",
      `makes a PostgreSQL IAM user name "${iamName}" (${iamName.length} characters) with ${path}.databaseAuth iam; ` +
        `PostgreSQL names have at most ${POSTGRES_NAME_MAX}: use a shorter service account id or project`,
    );
  }
  const proxy = spec.server?.cloudSqlProxy;
  if (auth === "iam" && !proxy) {
    error(
      "spec.server.cloudSqlProxy",
      `is required with ${path}.databaseAuth iam: the Cloud SQL Auth Proxy logs the ` +
        `server in with the service account's token (--auto-iam-authn); the connection URL has no password`,
    );
  }
  if (proxy) {
    const [project, , instance] = proxy.instanceConnectionName.split(":");
    const sqlProject = cc.sqlInstance.projectId ?? spec.gcp.projectId;
    if (project !== sqlProject || instance !== cc.sqlInstance.name) {
      error(
        "spec.server.cloudSqlProxy.instanceConnectionName",
        `must name ${path}.sqlInstance (${sqlProject}:<region>:${cc.sqlInstance.name}), where the database and its ` +
          `user are created and roles/cloudsql.client is granted`,
        proxy.instanceConnectionName,
      );
    }
  }
  for (const [key, value] of Object.entries(spec.labels ?? {})) {
    if (key.includes("/")) continue;
    if (!GCP_LABEL_KEY.test(key) || !GCP_LABEL_VALUE.test(value)) {
      error(
        `spec.labels[${JSON.stringify(key)}]`,
        `is copied by Config Connector onto the Google Cloud resources, whose labels allow only lowercase letters, ` +
          `digits, '_' and '-' (keys start with a letter; use a key with a '/' prefix to keep a label off them); got ` +
          `${JSON.stringify(key)}: ${JSON.stringify(value)}`,
        value,
      );
    }
  }
}

const POD_SECURITY_PREFIX = "pod-security.kubernetes.io/";
const argocdSchema = mlflowConfigSchema.properties.spec.properties.argocd;

/** Namespaces shared with the cluster's own workloads: an instance there would hand its identity to them. */
const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "default"];

/**
 * Values that would hand the instance's identity (its Kubernetes service account, which
 * Workload Identity maps to a Google service account, and the secret reader's grant) to
 * others: shared namespaces, a namespace's default account, a controller that is the instance.
 */
function identityChecks(config: MlflowConfig, defaulted: Spec): Result[] {
  const { results, error, warn } = collector();
  const { spec } = config;
  const namespace = instanceNamespace(config);
  const how = spec.namespace === undefined ? " (the default: metadata.name)" : "";
  // The Argo CD namespace: spec.argocd.namespace, or its default when there is no Application.
  const argocdNamespace = defaulted.argocd?.namespace ?? argocdSchema.properties.namespace.default;
  const controller = defaulted.externalSecrets.controller;
  const refuseNamespace = (why: string) => error("spec.namespace", `must not be ${namespace}${how}${why}`, namespace);
  if (SYSTEM_NAMESPACES.includes(namespace)) {
    refuseNamespace(": a namespace shared with the cluster's own workloads; give the instance a namespace of its own");
  } else if (namespace === argocdNamespace) {
    refuseNamespace(
      ", the Argo CD namespace (spec.argocd.namespace): the instance's objects would sit next to Argo CD's, " +
        "and the Application would be pruned with the namespace it manages",
    );
  } else if (namespace === controller.namespace) {
    refuseNamespace(
      ", the External Secrets controller's namespace (spec.externalSecrets.controller.namespace): " +
        "the instance's roles would be granted next to the controller",
    );
  }
  const accounts = [
    { path: "spec.serviceAccountName", name: spec.serviceAccountName },
    { path: "spec.externalSecrets.serviceAccount", name: spec.externalSecrets?.serviceAccount },
  ];
  for (const { path, name } of accounts) {
    if (name !== "default") continue;
    error(
      path,
      "must not be default: every pod in the namespace that names no account runs as it, " +
        "and would carry the Google identity and the secret reader's grant",
      name,
    );
  }
  const instanceAccount = spec.serviceAccountName ?? config.metadata.name;
  const own = [instanceAccount, spec.externalSecrets?.serviceAccount].filter((n) => n !== undefined);
  const controllerName = `${controller.namespace}/${controller.serviceAccount}`;
  if (controller.serviceAccount === "default") {
    error(
      "spec.externalSecrets.controller.serviceAccount",
      `must not be default (${controllerName}): the token requester role would let every pod in ` +
        `${controller.namespace} that names no account request tokens for the instance's account`,
      controller.serviceAccount,
    );
  } else if (controller.namespace === namespace && own.includes(controller.serviceAccount)) {
    error(
      "spec.externalSecrets.controller",
      `must not be the instance's own account (${controllerName}): it would be allowed to request tokens for itself`,
      controllerName,
    );
  }
  const googleAccounts = [
    { path: "spec.gcp.serviceAccount", value: spec.gcp.serviceAccount },
    { path: "spec.externalSecrets.gcpServiceAccount", value: spec.externalSecrets?.gcpServiceAccount },
  ];
  for (const { path, value } of googleAccounts) {
    const project = value?.match(/@([a-z][a-z0-9-]*[a-z0-9])\.iam\.gserviceaccount\.com$/)?.[1];
    if (project === undefined || project === spec.gcp.projectId) continue;
    warn(
      path,
      `is in project ${project}, not spec.gcp.projectId (${spec.gcp.projectId}): ` +
        "an identity from another project reaches into this one; check that this is meant",
      value,
    );
  }
  const store = spec.externalSecrets?.serviceAccount;
  if (store !== undefined && store === instanceAccount) {
    error(
      "spec.externalSecrets.serviceAccount",
      "is the instance's own account (spec.serviceAccountName): leave it unset for one account, or name another",
      store,
    );
  }
  const gcpStore = spec.externalSecrets?.gcpServiceAccount;
  if (gcpStore !== undefined && store === undefined) {
    error(
      "spec.externalSecrets.gcpServiceAccount",
      "needs spec.externalSecrets.serviceAccount: the Google service account is bound to that " +
        "Kubernetes service account",
      gcpStore,
    );
  }
  return results;
}

/** Google Cloud Storage naming rules the pattern cannot express. */
export function bucketProblems(name: string): string[] {
  const problems: string[] = [];
  if (!new RegExp(PATTERNS.bucket).test(name))
    problems.push(
      `must be a GCS bucket name: 3-63 characters (222 with dots) of lowercase letters, digits, '-', '_' ` +
        `and '.', starting and ending with a letter or digit (pattern ${PATTERNS.bucket})`,
    );
  const parts = name.split(".");
  if (!name.includes(".") && name.length > 63)
    problems.push("must be at most 63 characters long unless it contains dots");
  if (name.includes(".") && parts.some((p) => p.length > 63 || p.length === 0))
    problems.push("must have dot-separated parts of 1-63 characters");
  if (/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(name)) problems.push("must not be an IP address");
  if (name.startsWith("goog")) problems.push('must not start with "goog"');
  if (/g[o0]{2}g[l1]e/.test(name)) problems.push('must not contain "google" or close misspellings of it');
  if (/\.-|-\./.test(name)) problems.push("must not have '-' next to '.'");
  return problems;
}

function durationSeconds(d: string): number {
  if (d === "0") return 0;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of d.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|\u00b5s|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

/** Bytes in an nginx size (1g, 512m, 10k) or a Kubernetes quantity (4Gi, 500M). */
function bytes(size: string): number {
  const m = size.match(/^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/);
  if (!m) return NaN;
  const unit: Record<string, number> = {
    "": 1,
    k: 1024,
    m: 1024 ** 2,
    g: 1024 ** 3,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Number(m[1]) * (unit[m[2]] ?? NaN);
}
