/**
 * Defaults: applyDefaults() fills in the schema's `default`s (schema.ts is their one source);
 * resolve() adds the values that derive from several fields (names, secret ids, the bucket,
 * the service account email). resolve() expects a config that passed validation.
 */
import { mlflowConfigSchema } from "./schema.js";
import type { DatabaseDriver, Defaulted, MlflowConfig, ResolvedConfig, ResolvedServer } from "./types.js";

interface SchemaNode {
  default?: unknown;
  properties?: Record<string, SchemaNode>;
}

/**
 * A copy of `value` with the schema's defaults filled in, at every depth: an absent property
 * whose schema has a `default` gets a fresh copy of it, and present (or defaulted) objects are
 * walked in turn, so `default: {}` on an object makes the defaults of its fields apply too.
 * Values the user wrote are kept as they are.
 */
export function withDefaults<T>(schema: SchemaNode, value: T): T {
  if (!schema.properties || typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (out[key] === undefined && sub.default !== undefined) out[key] = structuredClone(sub.default);
    if (out[key] !== undefined) out[key] = withDefaults(sub, out[key]);
  }
  return out as T;
}

export function applyDefaults(config: MlflowConfig): Defaulted {
  return withDefaults(mlflowConfigSchema as unknown as SchemaNode, config) as unknown as Defaulted;
}

const MYSQL_PORT = 3306;
const POSTGRESQL_PORT = 5432;

/** Each driver's SQLAlchemy URL scheme and its engine's default port. */
const DRIVERS: Record<DatabaseDriver, { scheme: string; port: number }> = {
  pymysql: { scheme: "mysql+pymysql", port: MYSQL_PORT },
  mysqldb: { scheme: "mysql+mysqldb", port: MYSQL_PORT },
  mysqlconnector: { scheme: "mysql+mysqlconnector", port: MYSQL_PORT },
  psycopg2: { scheme: "postgresql+psycopg2", port: POSTGRESQL_PORT },
  pg8000: { scheme: "postgresql+pg8000", port: POSTGRESQL_PORT },
};

/**
 * ingress.className values served by GKE's own Ingress controller, which programs a Google
 * Cloud load balancer instead of running a proxy in the cluster: gce (external Application
 * Load Balancer) and gce-internal (internal Application Load Balancer). GKE reads the class
 * from the kubernetes.io/ingress.class annotation and ignores spec.ingressClassName.
 */
export const GKE_INGRESS_CLASSES: readonly string[] = ["gce", "gce-internal"];

export function isGkeIngressClass(className: string): boolean {
  return GKE_INGRESS_CLASSES.includes(className);
}

export const MANAGED_BY = "mlflow-infra";
/** app.kubernetes.io/name (and part-of) of every generated object; the pods' selector uses it too. */
export const APP_NAME = "mlflow";

/** Prefix for cloud-side names: "<stack>-" or nothing. */
export function cloudPrefix(config: MlflowConfig): string {
  return config.spec.stack ? `${config.spec.stack}-` : "";
}

/** The Google service account id used when gcp.serviceAccount is not set. */
export function defaultServiceAccountId(config: MlflowConfig): string {
  return `${cloudPrefix(config)}${config.metadata.name}`;
}

export function serviceAccountEmail(config: MlflowConfig): string {
  const sa = config.spec.gcp.serviceAccount ?? defaultServiceAccountId(config);
  return sa.includes("@") ? sa : `${sa}@${config.spec.gcp.projectId}.iam.gserviceaccount.com`;
}

/** The instance's namespace: spec.namespace, or metadata.name. */
export function instanceNamespace(config: MlflowConfig): string {
  return config.spec.namespace ?? config.metadata.name;
}

export function defaultBucket(config: MlflowConfig): string {
  return `${cloudPrefix(config)}${config.metadata.name}-artifacts`;
}

export function resolve(input: MlflowConfig): ResolvedConfig {
  const config = applyDefaults(input);
  const { spec } = config;
  const name = config.metadata.name;
  const cloud = `${cloudPrefix(input)}${name}`;
  const secrets = spec.database.secrets;
  const cluster = spec.gcp.cluster;
  return {
    name,
    namespace: instanceNamespace(input),
    serviceAccountName: spec.serviceAccountName ?? name,
    labels: {
      ...sortedKeys(spec.labels ?? {}),
      "app.kubernetes.io/name": APP_NAME,
      "app.kubernetes.io/instance": name,
      "app.kubernetes.io/part-of": APP_NAME,
      "app.kubernetes.io/managed-by": MANAGED_BY,
    },
    gcp: {
      projectId: spec.gcp.projectId,
      serviceAccountEmail: serviceAccountEmail(input),
      cluster: cluster && { name: cluster.name, location: cluster.location, projectId: cluster.projectId ?? spec.gcp.projectId },
    },
    database: {
      driver: spec.database.driver,
      ...DRIVERS[spec.database.driver],
      secrets: {
        user: secrets.user ?? `${cloud}-db-user`,
        password: secrets.password ?? `${cloud}-db-password`,
        connection: secrets.connection ?? `${cloud}-db-connection`,
      },
    },
    externalSecrets: spec.externalSecrets,
    artifacts: { bucket: spec.artifacts?.bucket ?? defaultBucket(input) },
    argocd: spec.argocd,
    server: spec.server && resolveServer(spec.server),
    names: {
      secretStore: `${name}-secret-store`,
      databaseSecret: `${name}-database-secret`,
      secretReaderRole: `${name}-secret-reader`,
      tokenRequesterRole: `${name}-eso-token-requester`,
      application: name,
      server: name,
    },
  };
}

/**
 * User maps in a fixed order, so that the output does not depend on the order the config
 * wrote its keys in (test/determinism.test.ts shuffles them): labels sorted by key;
 * requests before limits, quantities in the schema's order. Fresh objects (no sharing).
 */
function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type Quantities = Partial<Record<"cpu" | "memory" | "ephemeral-storage", string>>;

function canonicalResources<T extends { requests?: Quantities; limits?: Quantities }>(r: T): T {
  const ordered = (q: Quantities) =>
    Object.fromEntries((["cpu", "memory", "ephemeral-storage"] as const).filter((k) => q[k] !== undefined).map((k) => [k, q[k]]));
  return { ...(r.requests ? { requests: ordered(r.requests) } : {}), ...(r.limits ? { limits: ordered(r.limits) } : {}) } as T;
}

/** The server's derived values: resources in canonical order, minReplicas from replicas. */
function resolveServer(server: NonNullable<Defaulted["spec"]["server"]>): ResolvedServer {
  const { autoscaling, cloudSqlProxy } = server;
  return {
    ...server,
    resources: canonicalResources(server.resources),
    cloudSqlProxy: cloudSqlProxy && { ...cloudSqlProxy, resources: canonicalResources(cloudSqlProxy.resources) },
    autoscaling: autoscaling && { ...autoscaling, minReplicas: autoscaling.minReplicas ?? server.replicas },
  };
}
