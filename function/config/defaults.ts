/**
 * Defaults, in one place: the schema quotes them (`default:`), resolve() applies them.
 * resolve() expects a config that passed validation.
 */
import type {
  AuthMode,
  BasicAuthPermission,
  DatabaseDriver,
  Exposure,
  GatewayClassName,
  GoogleApiAccess,
  MlflowConfig,
  ResolvedAuth,
  ResolvedConfig,
  ResolvedGateway,
  ResolvedServer,
  ServerSpec,
} from "./types.js";

export const DEFAULTS = {
  driver: "pymysql" as DatabaseDriver,
  refreshInterval: "1h",
  esoNamespace: "external-secrets",
  esoServiceAccount: "external-secrets",
  argocd: {
    path: ".",
    targetRevision: "HEAD",
    project: "default",
    namespace: "argocd",
    server: "https://kubernetes.default.svc",
    syncWave: 3,
  },
  server: {
    replicas: 1,
    workers: 2,
    resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "2Gi" } },
    ingressClassName: "gce",
    gatewayClassName: "gke-l7-global-external-managed" as GatewayClassName,
    basicAuthAdminUsername: "admin",
    basicAuthDefaultPermission: "READ" as BasicAuthPermission,
    metricsInterval: "60s",
    maxBodySize: "1g",
    targetCPUUtilizationPercentage: 75,
    cloudSqlProxyImage: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.26.0",
    cloudSqlProxyResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    tmpSizeLimit: "4Gi",
    runAsUser: 10001,
    ingressControllerNamespace: "ingress-nginx",
    googleApis: "any" as GoogleApiAccess,
    databaseCidrs: ["0.0.0.0/0"],
  },
} as const;

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

/**
 * Ingress classes of controllers that are retired, and why that matters: no more security
 * fixes for a component that faces the internet.
 */
export const RETIRED_INGRESS_CLASSES: Readonly<Record<string, string>> = {
  nginx: "ingress-nginx, the controller behind class nginx, was retired in March 2026 and gets no security fixes",
};

/** GKE GatewayClasses for an internal Application Load Balancer (reachable from the VPC only). */
export const INTERNAL_GATEWAY_CLASSES: readonly GatewayClassName[] = ["gke-l7-rilb"];

/**
 * Where the server can be reached from, given spec.server.gateway and spec.server.ingress:
 * external (the internet: an external Gateway, a shared Gateway not marked internal, or an
 * Ingress of any class but gce-internal), internal (the VPC: gke-l7-rilb, a shared Gateway
 * marked internal, or gce-internal), or cluster (neither: the ClusterIP Service only).
 */
export function exposureOf(server: Pick<ServerSpec, "gateway" | "ingress">): Exposure {
  const g = server.gateway;
  if (g) {
    if (g.parentRef) return g.parentRef.internal ? "internal" : "external";
    return INTERNAL_GATEWAY_CLASSES.includes(g.className ?? DEFAULTS.server.gatewayClassName) ? "internal" : "external";
  }
  if (!server.ingress) return "cluster";
  return (server.ingress.className ?? DEFAULTS.server.ingressClassName) === "gce-internal" ? "internal" : "external";
}

/**
 * spec.server.auth.mode when it is not set: iap behind Google's load balancers (a Gateway,
 * or an Ingress of class gce or gce-internal), basic-auth behind any other Ingress (IAP lives
 * in Google's load balancer only), none for a ClusterIP-only server (validation warns).
 */
export function defaultAuthMode(server: Pick<ServerSpec, "gateway" | "ingress">): AuthMode {
  if (server.gateway) return "iap";
  if (!server.ingress) return "none";
  return isGkeIngressClass(server.ingress.className ?? DEFAULTS.server.ingressClassName) ? "iap" : "basic-auth";
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

export function resolve(config: MlflowConfig): ResolvedConfig {
  const { spec } = config;
  const name = config.metadata.name;
  const cloud = `${cloudPrefix(config)}${name}`;
  const driver = spec.database?.driver ?? DEFAULTS.driver;
  const secrets = spec.database?.secrets ?? {};
  const cluster = spec.gcp.cluster;
  const argocd = spec.argocd;
  return {
    name,
    namespace: instanceNamespace(config),
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
      serviceAccountEmail: serviceAccountEmail(config),
      cluster: cluster && { name: cluster.name, location: cluster.location, projectId: cluster.projectId ?? spec.gcp.projectId },
    },
    database: {
      driver,
      ...DRIVERS[driver],
      secrets: {
        user: secrets.user ?? `${cloud}-db-user`,
        password: secrets.password ?? `${cloud}-db-password`,
        connection: secrets.connection ?? `${cloud}-db-connection`,
      },
    },
    externalSecrets: {
      refreshInterval: spec.externalSecrets?.refreshInterval ?? DEFAULTS.refreshInterval,
      controller: {
        namespace: spec.externalSecrets?.controller?.namespace ?? DEFAULTS.esoNamespace,
        serviceAccount: spec.externalSecrets?.controller?.serviceAccount ?? DEFAULTS.esoServiceAccount,
      },
    },
    artifacts: { bucket: spec.artifacts?.bucket ?? defaultBucket(config) },
    argocd: argocd && {
      repoURL: argocd.repoURL,
      path: argocd.path ?? DEFAULTS.argocd.path,
      targetRevision: argocd.targetRevision ?? DEFAULTS.argocd.targetRevision,
      project: argocd.project ?? DEFAULTS.argocd.project,
      namespace: argocd.namespace ?? DEFAULTS.argocd.namespace,
      server: argocd.server ?? DEFAULTS.argocd.server,
      syncWave: argocd.syncWave ?? DEFAULTS.argocd.syncWave,
      plugin: argocd.plugin,
      applicationOnly: argocd.applicationOnly ?? false,
    },
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
 * User maps in a fixed order, so that the output does not depend on the order the config
 * wrote its keys in (test/determinism.test.ts shuffles them): labels sorted by key;
 * requests before limits, quantities in the schema's order. Fresh objects (no sharing).
 */
function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type Quantities = Partial<Record<"cpu" | "memory" | "ephemeral-storage", string>>;

function canonicalResources<T extends { requests?: Quantities; limits?: Quantities }>(r: T): T {
  const ordered = (q: Quantities) => Object.fromEntries((["cpu", "memory", "ephemeral-storage"] as const).filter((k) => q[k] !== undefined).map((k) => [k, q[k]]));
  return { ...(r.requests ? { requests: ordered(r.requests) } : {}), ...(r.limits ? { limits: ordered(r.limits) } : {}) } as T;
}

function resolveGateway(g: NonNullable<ServerSpec["gateway"]>): ResolvedGateway {
  if (g.parentRef) {
    const { name, namespace, sectionName, internal } = g.parentRef;
    return { host: g.host, shared: { name, namespace, sectionName, internal: internal ?? false } };
  }
  return {
    host: g.host,
    className: g.className ?? DEFAULTS.server.gatewayClassName,
    certificateMap: g.certificateMap,
    clusterIssuer: g.clusterIssuer,
  };
}

function resolveAuth(server: ServerSpec, cloud: string): ResolvedAuth {
  const mode = server.auth?.mode ?? defaultAuthMode(server);
  if (mode !== "basic-auth") return { mode };
  const b = server.auth?.basicAuth ?? {};
  return {
    mode,
    adminUsername: b.adminUsername ?? DEFAULTS.server.basicAuthAdminUsername,
    adminPasswordSecret: b.adminPasswordSecret ?? `${cloud}-admin-password`,
    database: b.database,
    defaultPermission: b.defaultPermission ?? DEFAULTS.server.basicAuthDefaultPermission,
  };
}

function resolveServer(server: ServerSpec, cloud: string): ResolvedServer {
  const d = DEFAULTS.server;
  const replicas = server.replicas ?? d.replicas;
  const proxy = server.cloudSqlProxy;
  const policy = server.networkPolicy ?? {};
  return {
    image: server.image,
    replicas,
    workers: server.workers ?? d.workers,
    resources: canonicalResources(server.resources ?? d.resources),
    ingress: server.ingress && {
      host: server.ingress.host,
      className: server.ingress.className ?? d.ingressClassName,
      clusterIssuer: server.ingress.clusterIssuer,
      maxBodySize: server.ingress.maxBodySize ?? d.maxBodySize,
    },
    gateway: server.gateway && resolveGateway(server.gateway),
    auth: resolveAuth(server, cloud),
    exposure: exposureOf(server),
    metrics: server.metrics?.enabled ? { interval: server.metrics.interval ?? d.metricsInterval } : undefined,
    databasePool: { ...server.databasePool },
    cloudSqlProxy: proxy && {
      instanceConnectionName: proxy.instanceConnectionName,
      privateIp: proxy.privateIp ?? false,
      image: proxy.image ?? d.cloudSqlProxyImage,
      resources: canonicalResources(proxy.resources ?? d.cloudSqlProxyResources),
    },
    autoscaling: server.autoscaling && {
      minReplicas: server.autoscaling.minReplicas ?? replicas,
      maxReplicas: server.autoscaling.maxReplicas,
      targetCPUUtilizationPercentage: server.autoscaling.targetCPUUtilizationPercentage ?? d.targetCPUUtilizationPercentage,
    },
    allowedHosts: server.allowedHosts ?? [],
    tmpSizeLimit: server.tmpSizeLimit ?? d.tmpSizeLimit,
    runAsUser: server.runAsUser ?? d.runAsUser,
    networkPolicy: {
      enabled: policy.enabled ?? true,
      ingressControllerNamespace: policy.ingressControllerNamespace ?? d.ingressControllerNamespace,
      clientNamespaces: policy.clientNamespaces ?? [],
      proxyOnlySubnetCidrs: policy.proxyOnlySubnetCidrs ?? [],
      googleApis: policy.googleApis ?? d.googleApis,
      databaseCidrs: policy.databaseCidrs ?? [...d.databaseCidrs],
    },
  };
}
