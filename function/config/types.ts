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
type DefaultedServer = NonNullable<Spec["server"]>;
export type GoogleApiAccess = DefaultedServer["networkPolicy"]["googleApis"];
export type ResourceRequirements = DefaultedServer["resources"];

/** The server with its defaults; autoscaling.minReplicas defaults to replicas. */
export type ResolvedServer = Omit<DefaultedServer, "autoscaling"> & {
  autoscaling?: NonNullable<DefaultedServer["autoscaling"]> & { minReplicas: number };
};

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
  externalSecrets: Spec["externalSecrets"];
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
