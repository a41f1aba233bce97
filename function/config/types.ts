/**
 * MlflowConfig (mlflow-infra.dev/v1alpha1): what users write, and the resolved form the
 * builders read. Both derive from the JSON Schema in schema.ts, the one source of the config:
 * - MlflowConfig: the input, as the schema validates it (fields with a default are optional);
 * - Defaulted: the same with every schema default applied (fields with a default are present);
 * - ResolvedConfig: what builders read: the defaulted spec plus the names and values derived
 *   from several fields (computed once, in defaults.ts).
 */
import type { FromSchema } from "json-schema-to-ts";
import type { mlflowConfigSchema } from "./schema.js";

export const API_VERSION = "mlflow-infra.dev/v1alpha1";
export const KIND = "MlflowConfig";

type Schema = typeof mlflowConfigSchema;

export type MlflowConfig = FromSchema<Schema, { keepDefaultedPropertiesOptional: true }>;
export type Defaulted = FromSchema<Schema>;
export type Spec = Defaulted["spec"];

export type ServerSpec = NonNullable<MlflowConfig["spec"]["server"]>;
export type DatabaseDriver = Spec["database"]["driver"];
export type DefaultedServer = NonNullable<Spec["server"]>;
export type GoogleApiAccess = DefaultedServer["networkPolicy"]["googleApis"];
export type ResourceRequirements = DefaultedServer["resources"];

export type GatewaySpec = NonNullable<ServerSpec["gateway"]>;
export type GatewayClassName = NonNullable<GatewaySpec["className"]>;
export type AuthMode = NonNullable<NonNullable<ServerSpec["auth"]>["mode"]>;
export type BasicAuthPermission = NonNullable<
  NonNullable<NonNullable<ServerSpec["auth"]>["basicAuth"]>["defaultPermission"]
>;
export type DatabasePoolSpec = NonNullable<ServerSpec["databasePool"]>;

/** Where the server can be reached from: inside the cluster only, a VPC, or the internet. */
export type Exposure = "cluster" | "internal" | "external";

export type ResolvedGateway =
  | { host: string; shared: { name: string; namespace: string; sectionName?: string; internal: boolean } }
  | { host: string; shared?: undefined; className: GatewayClassName; certificateMap?: string; clusterIssuer?: string };

export type ResolvedAuth =
  | { mode: "none" }
  | {
      mode: "iap";
      /** A custom OAuth client; absent: GKE uses the Google-managed one. */
      oauthClient?: { clientId: string; /** Secret Manager secret id of its secret. */ clientSecret: string };
    }
  | {
      mode: "basic-auth";
      adminUsername: string;
      /** Secret Manager secret id of the admin password. */
      adminPasswordSecret: string;
      /** The auth database's name; undefined: the tracking database's name with "_auth". */
      database?: string;
      defaultPermission: BasicAuthPermission;
    };

/**
 * The server with its defaults; autoscaling.minReplicas defaults to replicas; the gateway,
 * auth and metrics in the forms the builders read; where the server is reachable from.
 */
export type ResolvedServer = Omit<DefaultedServer, "autoscaling" | "gateway" | "auth" | "metrics" | "databasePool"> & {
  autoscaling?: NonNullable<DefaultedServer["autoscaling"]> & { minReplicas: number };
  gateway?: ResolvedGateway;
  /** Who may use the server: Identity-Aware Proxy, MLflow's basic-auth app, or nobody checks. */
  auth: ResolvedAuth;
  exposure: Exposure;
  /** Prometheus metrics (--expose-prometheus) scraped by Managed Service for Prometheus. */
  metrics?: { interval: string };
  databasePool: DatabasePoolSpec;
};

type DefaultedConfigConnector = NonNullable<Spec["gcp"]["configConnector"]>;
export type DatabaseAuth = DefaultedConfigConnector["databaseAuth"];

export interface ResolvedConfigConnector {
  /** Where the Config Connector objects live. */
  namespace: string;
  mode: DefaultedConfigConnector["mode"];
  googleServiceAccount?: string;
  databaseAuth: DatabaseAuth;
  sqlInstance: { name: string; projectId: string };
  database: string;
  /**
   * The database user: resourceID is the name Cloud SQL creates it under (SQLUser), login the
   * name the server logs in with. With password both are databaseUser; with iam they derive
   * from the service account email (docs/gcp.md).
   */
  user: { resourceID: string; login: string };
  bucketLocation: string;
  /** The Workload Identity pool of the cluster's project: <project>.svc.id.goog. */
  workloadIdentityPool: string;
}

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
    /** spec.gcp.configConnector with its defaults and derived values; absent: nothing of Config Connector. */
    configConnector?: ResolvedConfigConnector;
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
  externalSecrets: Spec["externalSecrets"] & {
    /** The Kubernetes service account the SecretStore authenticates as (with gcp.cluster). */
    serviceAccountName: string;
    /** Set when that account is not the instance's own: a ServiceAccount of its own is generated. */
    separateAccount?: { gcpServiceAccountEmail: string };
  };
  artifacts: { bucket: string };
  argocd?: NonNullable<Spec["argocd"]>;
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
