/**
 * Defaults: applyDefaults() fills in the schema's `default`s (schema.ts is their one source);
 * resolve() adds the values that derive from several fields (names, secret ids, the bucket,
 * the service account email). resolve() expects a config that passed validation.
 */
import { mlflowConfigSchema } from "./schema.js";
import type {
  AuthMode,
  DatabaseDriver,
  Defaulted,
  DefaultedServer,
  Exposure,
  GatewayClassName,
  MlflowConfig,
  ResolvedAuth,
  ResolvedConfig,
  ResolvedConfigConnector,
  ResolvedGateway,
  ResolvedServer,
} from "./types.js";
import type { SchemaNode } from "./schema-check.js";

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

/** Whether the driver's engine is PostgreSQL (else MySQL). */
export function isPostgres(driver: DatabaseDriver): boolean {
  return DRIVERS[driver].port === POSTGRESQL_PORT;
}

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

/**
 * Whether Google's load balancer fronts the server: a Gateway (GKE's Gateway controller), or an
 * Ingress of class gce or gce-internal. Takes the defaulted or the resolved server.
 */
export function behindGoogleLoadBalancer(server: { gateway?: unknown; ingress?: { className: string } }): boolean {
  return server.gateway !== undefined || (server.ingress !== undefined && isGkeIngressClass(server.ingress.className));
}

/**
 * Ingress classes of controllers that are retired, and why that matters: no more security
 * fixes for a component that faces the internet.
 */
export const RETIRED_INGRESS_CLASSES: Readonly<Record<string, string>> = {
  nginx: "ingress-nginx, the controller behind class nginx, was retired in March 2026 and gets no security fixes",
};

/** GKE GatewayClasses for an internal Application Load Balancer (reachable from the VPC only). */
export const INTERNAL_GATEWAY_CLASSES: readonly GatewayClassName[] = ["gke-l7-rilb"];

type Exposed = Pick<DefaultedServer, "gateway" | "ingress">;

/**
 * Where the server can be reached from, given the defaulted spec.server.gateway and
 * spec.server.ingress: external (the internet: an external Gateway, a shared Gateway not marked
 * internal, or an Ingress of any class but gce-internal), internal (the VPC: gke-l7-rilb, a
 * shared Gateway marked internal, or gce-internal), or cluster (neither: the ClusterIP Service).
 */
export function exposureOf(server: Exposed): Exposure {
  const g = server.gateway;
  if (g) {
    if (g.parentRef) return g.parentRef.internal ? "internal" : "external";
    return INTERNAL_GATEWAY_CLASSES.includes(g.className) ? "internal" : "external";
  }
  if (!server.ingress) return "cluster";
  return server.ingress.className === "gce-internal" ? "internal" : "external";
}

/**
 * spec.server.auth.mode when it is not set: iap behind Google's load balancers (a Gateway,
 * or an Ingress of class gce or gce-internal), basic-auth behind any other Ingress (IAP lives
 * in Google's load balancer only), none for a ClusterIP-only server (validation warns).
 */
export function defaultAuthMode(server: Exposed): AuthMode {
  if (behindGoogleLoadBalancer(server)) return "iap";
  return server.ingress ? "basic-auth" : "none";
}

export const MANAGED_BY = "mlflow-infra";
/** app.kubernetes.io/name of every generated object; the pods' selector uses it too. */
export const APP_NAME = "mlflow";

/** Prefix for cloud-side names: "<stack>-" or nothing. */
export function cloudPrefix(config: MlflowConfig): string {
  return config.spec.stack ? `${config.spec.stack}-` : "";
}

/** The Google service account id used when gcp.serviceAccount is not set. */
export function defaultServiceAccountId(config: MlflowConfig): string {
  return `${cloudPrefix(config)}${config.metadata.name}`;
}

/** The email of a Google service account given as an id (in gcp.projectId) or an email; default: the instance's. */
export function serviceAccountEmail(
  config: MlflowConfig,
  sa = config.spec.gcp.serviceAccount ?? defaultServiceAccountId(config),
): string {
  return sa.includes("@") ? sa : `${sa}@${config.spec.gcp.projectId}.iam.gserviceaccount.com`;
}

/** The instance's namespace: spec.namespace, or metadata.name. */
export function instanceNamespace(config: MlflowConfig): string {
  return config.spec.namespace ?? config.metadata.name;
}

export function defaultBucket(config: MlflowConfig): string {
  return `${cloudPrefix(config)}${config.metadata.name}-artifacts`;
}

/** `defaulted`: applyDefaults(input), when the caller has it already (validation does). */
export function resolve(input: MlflowConfig, defaulted?: Defaulted): ResolvedConfig {
  const config = defaulted ?? applyDefaults(input);
  const { spec } = config;
  const name = config.metadata.name;
  const cloud = `${cloudPrefix(input)}${name}`;
  const secrets = spec.database.secrets;
  const cluster = spec.gcp.cluster;
  const serviceAccountName = spec.serviceAccountName ?? name;
  const storeAccount = spec.externalSecrets.serviceAccount;
  const storeGoogleAccount = spec.externalSecrets.gcpServiceAccount;
  return {
    name,
    namespace: instanceNamespace(input),
    serviceAccountName,
    labels: {
      ...sortedKeys(spec.labels ?? {}),
      "app.kubernetes.io/name": APP_NAME,
      "app.kubernetes.io/instance": name,
      "app.kubernetes.io/part-of": spec.partOf,
      "app.kubernetes.io/managed-by": MANAGED_BY,
    },
    gcp: {
      projectId: spec.gcp.projectId,
      serviceAccountEmail: serviceAccountEmail(input),
      cluster: cluster && {
        name: cluster.name,
        location: cluster.location,
        projectId: cluster.projectId ?? spec.gcp.projectId,
      },
      configConnector: resolveConfigConnector(input, config),
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
    externalSecrets: {
      ...spec.externalSecrets,
      serviceAccountName: storeAccount ?? serviceAccountName,
      ...(storeAccount !== undefined && storeAccount !== serviceAccountName
        ? { separateAccount: { gcpServiceAccountEmail: serviceAccountEmail(input, storeGoogleAccount) } }
        : {}),
    },
    artifacts: { bucket: spec.artifacts?.bucket ?? defaultBucket(input) },
    argocd: spec.argocd,
    server: spec.server && resolveServer(spec.server, cloud),
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
 * spec.gcp.configConnector resolved. With iam, the database user is the service account:
 * Cloud SQL for MySQL creates it from the full email and logs it in by the part before '@';
 * Cloud SQL for PostgreSQL names it the email without ".gserviceaccount.com" for both
 * (Cloud SQL docs, "Add an IAM user or service account to the database"; Google's Terraform
 * samples, terraform-google-modules/terraform-docs-samples cloud_sql/mysql_instance_iam_db_auth:
 * google_sql_user name is the full email for MySQL).
 */
function resolveConfigConnector(input: MlflowConfig, config: Defaulted): ResolvedConfigConnector | undefined {
  const cc = config.spec.gcp.configConnector;
  if (!cc) return undefined;
  const email = serviceAccountEmail(input);
  const [id] = email.split("@");
  const postgres = isPostgres(config.spec.database.driver);
  const iamName = email.replace(/\.gserviceaccount\.com$/, "");
  const user =
    cc.databaseAuth === "iam"
      ? postgres
        ? { resourceID: iamName, login: iamName }
        : { resourceID: email, login: id }
      : { resourceID: cc.databaseUser, login: cc.databaseUser };
  const clusterProject = config.spec.gcp.cluster?.projectId ?? config.spec.gcp.projectId;
  return {
    namespace: cc.namespace ?? instanceNamespace(input),
    mode: cc.mode,
    googleServiceAccount: cc.googleServiceAccount,
    databaseAuth: cc.databaseAuth,
    sqlInstance: { name: cc.sqlInstance.name, projectId: cc.sqlInstance.projectId ?? config.spec.gcp.projectId },
    database: cc.database,
    user,
    bucketLocation: cc.bucketLocation,
    workloadIdentityPool: `${clusterProject}.svc.id.goog`,
  };
}

/**
 * User maps in a fixed order, so that the output does not depend on the order the config
 * wrote its keys in (test/determinism.test.ts shuffles them): labels sorted by key;
 * requests before limits, quantities in the schema's order. Fresh objects (no sharing).
 */
export function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type Quantities = Partial<Record<"cpu" | "memory" | "ephemeral-storage", string>>;

function canonicalResources<T extends { requests?: Quantities; limits?: Quantities }>(r: T): T {
  const ordered = (q: Quantities) =>
    Object.fromEntries(
      (["cpu", "memory", "ephemeral-storage"] as const).filter((k) => q[k] !== undefined).map((k) => [k, q[k]]),
    );
  return {
    ...(r.requests ? { requests: ordered(r.requests) } : {}),
    ...(r.limits ? { limits: ordered(r.limits) } : {}),
  } as T;
}

function resolveGateway(g: NonNullable<DefaultedServer["gateway"]>): ResolvedGateway {
  if (g.parentRef) {
    const { name, namespace, sectionName, internal } = g.parentRef;
    return { host: g.host, shared: { name, namespace, sectionName, internal } };
  }
  return { host: g.host, className: g.className, certificateMap: g.certificateMap, clusterIssuer: g.clusterIssuer };
}

/** auth.mode, or its default for the exposure; basic-auth's settings, the secret id derived. */
function resolveAuth(server: DefaultedServer, cloud: string): ResolvedAuth {
  const mode = server.auth?.mode ?? defaultAuthMode(server);
  if (mode === "iap") {
    const client = server.auth?.iap?.oauthClient;
    if (!client) return { mode };
    const clientSecret = client.clientSecret ?? `${cloud}-iap-client-secret`;
    return { mode, oauthClient: { clientId: client.clientId, clientSecret } };
  }
  if (mode !== "basic-auth") return { mode };
  type BasicAuth = NonNullable<NonNullable<DefaultedServer["auth"]>["basicAuth"]>;
  const b = withDefaults(basicAuthSchema, server.auth?.basicAuth ?? ({} as BasicAuth));
  return {
    mode,
    adminUsername: b.adminUsername,
    adminPasswordSecret: b.adminPasswordSecret ?? `${cloud}-admin-password`,
    database: b.database,
    defaultPermission: b.defaultPermission,
  };
}

const basicAuthSchema = mlflowConfigSchema.properties.spec.properties.server.properties.auth.properties
  .basicAuth as unknown as SchemaNode;

/**
 * The server's derived values: resources in canonical order, minReplicas from replicas; the
 * gateway, auth (and its default) and exposure; metrics only when enabled; the pool as given.
 */
function resolveServer(server: DefaultedServer, cloud: string): ResolvedServer {
  const { autoscaling, cloudSqlProxy, gateway, metrics } = server;
  return {
    ...server,
    resources: canonicalResources(server.resources),
    cloudSqlProxy: cloudSqlProxy && { ...cloudSqlProxy, resources: canonicalResources(cloudSqlProxy.resources) },
    autoscaling: autoscaling && { ...autoscaling, minReplicas: autoscaling.minReplicas ?? server.replicas },
    gateway: gateway && resolveGateway(gateway),
    auth: resolveAuth(server, cloud),
    exposure: exposureOf(server),
    metrics: metrics?.enabled ? { interval: metrics.interval } : undefined,
    databasePool: { ...server.databasePool },
  };
}
