/**
 * MlflowConfig (mlflow-infra.dev/v1alpha1): what users write, and the resolved form the
 * builders read (every default applied, every derived name computed once).
 * The JSON Schema in schema.ts is the contract; these types mirror it.
 */

export const API_VERSION = "mlflow-infra.dev/v1alpha1";
export const KIND = "MlflowConfig";

export interface MlflowConfig {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: MlflowSpec;
}

export interface MlflowSpec {
  stack?: string;
  gcp: {
    projectId: string;
    serviceAccount?: string;
    cluster?: { name: string; location: string; projectId?: string };
  };
  namespace?: string;
  serviceAccountName?: string;
  labels?: Record<string, string>;
  database?: {
    driver?: DatabaseDriver;
    secrets?: { user?: string; password?: string; connection?: string };
  };
  externalSecrets?: {
    refreshInterval?: string;
    controller?: { namespace?: string; serviceAccount?: string };
  };
  artifacts?: { bucket?: string };
  argocd?: {
    repoURL: string;
    path?: string;
    targetRevision?: string;
    project?: string;
    namespace?: string;
    server?: string;
    syncWave?: number;
    plugin?: string;
    applicationOnly?: boolean;
  };
  server?: ServerSpec;
}

export interface ServerSpec {
  image: string;
  replicas?: number;
  workers?: number;
  resources?: ResourceRequirements;
  ingress?: { host: string; className?: string; clusterIssuer?: string; maxBodySize?: string };
  gateway?: GatewaySpec;
  auth?: AuthSpec;
  metrics?: { enabled?: boolean; interval?: string };
  databasePool?: DatabasePoolSpec;
  cloudSqlProxy?: { instanceConnectionName: string; privateIp?: boolean; image?: string; resources?: ResourceRequirements };
  autoscaling?: { minReplicas?: number; maxReplicas: number; targetCPUUtilizationPercentage?: number };
  allowedHosts?: string[];
  tmpSizeLimit?: string;
  runAsUser?: number;
  networkPolicy?: {
    enabled?: boolean;
    ingressControllerNamespace?: string;
    clientNamespaces?: string[];
    proxyOnlySubnetCidrs?: string[];
    googleApis?: GoogleApiAccess;
    databaseCidrs?: string[];
  };
}

export type GatewayClassName = "gke-l7-global-external-managed" | "gke-l7-rilb";

export interface GatewaySpec {
  host: string;
  /** An existing (shared) Gateway; when absent, the function creates one. */
  parentRef?: { name: string; namespace: string; sectionName?: string; internal?: boolean };
  className?: GatewayClassName;
  certificateMap?: string;
  clusterIssuer?: string;
}

export type AuthMode = "iap" | "basic-auth" | "none";

/** SQLAlchemy pool settings MLflow reads from its environment; unset ones keep SQLAlchemy's. */
export interface DatabasePoolSpec {
  size?: number;
  maxOverflow?: number;
  recycleSeconds?: number;
  /** The database server's connection limit, for the validation warning only. */
  connectionLimit?: number;
}

export interface AuthSpec {
  mode?: AuthMode;
  basicAuth?: {
    adminUsername?: string;
    adminPasswordSecret?: string;
    database?: string;
    defaultPermission?: BasicAuthPermission;
  };
}

export type BasicAuthPermission = "READ" | "EDIT" | "MANAGE" | "NO_PERMISSIONS";

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export type GoogleApiAccess = "any" | "private" | "restricted";

export type DatabaseDriver = "pymysql" | "mysqldb" | "mysqlconnector" | "psycopg2" | "pg8000";

/** Everything the builders need, with defaults applied and names derived. */
export interface ResolvedConfig {
  name: string;
  namespace: string;
  serviceAccountName: string;
  labels: Record<string, string>;
  gcp: {
    projectId: string;
    serviceAccountEmail: string;
    cluster?: { name: string; location: string; projectId: string };
  };
  database: {
    driver: DatabaseDriver;
    /** SQLAlchemy URL scheme, e.g. mysql+pymysql. */
    scheme: string;
    /**
     * The engine's default port (3306 or 5432): where the Cloud SQL Auth Proxy listens on
     * 127.0.0.1, and the NetworkPolicy's database port without the proxy.
     */
    port: number;
    secrets: { user: string; password: string; connection: string };
  };
  externalSecrets: {
    refreshInterval: string;
    controller: { namespace: string; serviceAccount: string };
  };
  artifacts: { bucket: string };
  argocd?: {
    repoURL: string;
    path: string;
    targetRevision: string;
    project: string;
    namespace: string;
    server: string;
    syncWave: number;
    plugin?: string;
    applicationOnly: boolean;
  };
  server?: ResolvedServer;
  /** Names of the generated objects, derived from metadata.name. */
  names: {
    secretStore: string;
    databaseSecret: string;
    secretReaderRole: string;
    tokenRequesterRole: string;
    application: string;
    server: string;
  };
}

export type Exposure = "cluster" | "internal" | "external";

export type ResolvedGateway =
  | { host: string; shared: { name: string; namespace: string; sectionName?: string; internal: boolean } }
  | { host: string; shared?: undefined; className: GatewayClassName; certificateMap?: string; clusterIssuer?: string };

export type ResolvedAuth =
  | { mode: "iap" | "none" }
  | {
      mode: "basic-auth";
      adminUsername: string;
      /** Secret Manager secret id of the admin password. */
      adminPasswordSecret: string;
      /** The auth database's name; undefined: the tracking database's name with "_auth". */
      database?: string;
      defaultPermission: BasicAuthPermission;
    };

export interface ResolvedServer {
  image: string;
  replicas: number;
  workers: number;
  resources: ResourceRequirements;
  ingress?: { host: string; className: string; clusterIssuer?: string; maxBodySize: string };
  gateway?: ResolvedGateway;
  /** Who may use the server: Identity-Aware Proxy, MLflow's basic-auth app, or nobody checks. */
  auth: ResolvedAuth;
  /** Where the server can be reached from: inside the cluster only, a VPC, or the internet. */
  exposure: Exposure;
  /** Prometheus metrics (--expose-prometheus) scraped by Managed Service for Prometheus. */
  metrics?: { interval: string };
  databasePool: DatabasePoolSpec;
  cloudSqlProxy?: { instanceConnectionName: string; privateIp: boolean; image: string; resources: ResourceRequirements };
  autoscaling?: { minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage: number };
  /** Extra MLFLOW_SERVER_ALLOWED_HOSTS entries, after the generated ones. */
  allowedHosts: string[];
  /** sizeLimit of the /tmp emptyDir, where MLflow spools proxied artifact uploads and downloads. */
  tmpSizeLimit: string;
  /** Numeric UID and GID of the MLflow containers. */
  runAsUser: number;
  networkPolicy: {
    enabled: boolean;
    ingressControllerNamespace: string;
    clientNamespaces: string[];
    /** Sources of the internal Application Load Balancer's proxies (ingress className gce-internal). */
    proxyOnlySubnetCidrs: string[];
    /** Where the pods may reach Google APIs on 443: anywhere, or one Private Google Access VIP. */
    googleApis: GoogleApiAccess;
    databaseCidrs: string[];
  };
}
