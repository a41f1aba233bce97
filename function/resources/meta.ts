/**
 * Metadata shared by every builder: names, labels, sync waves.
 */
import type * as ApiMeta from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { APP_NAME } from "../config/defaults.js";
import type { ResolvedConfig } from "../config/types.js";

export type ObjectMeta = ApiMeta.IIoK8sApimachineryPkgApisMetaV1ObjectMeta;

/** Argo CD applies objects in this order (argocd.argoproj.io/sync-wave); hooks run in their wave. */
export const SYNC_WAVES = {
  /** Namespace, service account, RBAC, SecretStore. */
  foundation: "0",
  /** The ExternalSecret, once its SecretStore exists. */
  secrets: "1",
  /** The database migration hook, once the secret exists. */
  migration: "2",
  /** The tracking server and what routes to it. */
  server: "3",
} as const;

/**
 * With spec.gcp.configConnector, the Google Cloud objects come first and the database user
 * needs a wave of its own. Argo CD fails a sync whose resource turns Degraded (gitops-engine
 * sync_context.go, v3.3.6: HealthStatusDegraded -> OperationFailed), and Config Connector
 * reports a reference to an object that does not exist yet as DependencyNotFound, which Argo
 * CD's built-in check (resource_customizations/_.cnrm.cloud.google.com/_/health.lua, v3.3.0+)
 * reads as Degraded. So every object comes a wave after what it references:
 * - the ConfigConnectorContext (namespaced mode) before everything Config Connector reconciles;
 * - the service account, bucket, database and secrets before the IAM members that reference
 *   them;
 * - the database user after the ExternalSecret that writes its password's Kubernetes Secret
 *   (with databaseAuth iam it has none, and keeps the same wave), and before the migration,
 *   which logs in as it; the migration and the server move one wave later to make room.
 * A reference to an object that exists but is not Ready yet is DependencyNotReady, which the
 * check reads as Suspended: Argo CD waits.
 */
export const CONFIG_CONNECTOR_WAVES = {
  context: "-3",
  resources: "-2",
  iam: "-1",
  foundation: SYNC_WAVES.foundation,
  secrets: SYNC_WAVES.secrets,
  databaseUser: "2",
  migration: "3",
  server: "4",
} as const;

export type SyncWave =
  (typeof SYNC_WAVES)[keyof typeof SYNC_WAVES] | (typeof CONFIG_CONNECTOR_WAVES)[keyof typeof CONFIG_CONNECTOR_WAVES];

/** Waves that spec.gcp.configConnector moves one later: the migration, and the server with what routes to it. */
export const MIGRATION_WAVE = {
  plain: SYNC_WAVES.migration,
  configConnector: CONFIG_CONNECTOR_WAVES.migration,
} as const;
export const SERVER_WAVE = { plain: SYNC_WAVES.server, configConnector: CONFIG_CONNECTOR_WAVES.server } as const;

/** The waves of this config: SYNC_WAVES, or with Config Connector, CONFIG_CONNECTOR_WAVES. */
export function syncWaves(config: ResolvedConfig): typeof SYNC_WAVES | typeof CONFIG_CONNECTOR_WAVES {
  return config.gcp.configConnector ? CONFIG_CONNECTOR_WAVES : SYNC_WAVES;
}

export type Component =
  "identity" | "rbac" | "secrets" | "gitops" | "migration" | "tracking-server" | "cloud-resources";

export function labels(config: ResolvedConfig, component: Component): Record<string, string> {
  return { ...config.labels, "app.kubernetes.io/component": component };
}

/** Labels that select the tracking server's pods (stable: never include anything that changes). */
export function selectorLabels(config: ResolvedConfig): Record<string, string> {
  return {
    "app.kubernetes.io/name": APP_NAME,
    "app.kubernetes.io/instance": config.name,
    "app.kubernetes.io/component": "tracking-server",
  };
}

export function meta(
  config: ResolvedConfig,
  component: Component,
  name: string,
  options: { namespaced?: boolean; wave?: SyncWave; annotations?: Record<string, string> } = {},
): ObjectMeta {
  const { namespaced = true, wave, annotations = {} } = options;
  const all = wave === undefined ? annotations : { "argocd.argoproj.io/sync-wave": wave, ...annotations };
  return {
    name,
    ...(namespaced ? { namespace: config.namespace } : {}),
    labels: labels(config, component),
    ...(Object.keys(all).length > 0 ? { annotations: all } : {}),
  };
}
