/**
 * Metadata shared by every builder: names, labels, sync waves.
 */
import type { IIoK8sApimachineryPkgApisMetaV1ObjectMeta as ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { APP_NAME } from "../config/defaults.js";
import type { ResolvedConfig } from "../config/types.js";

export type { ObjectMeta };

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

export type SyncWave = (typeof SYNC_WAVES)[keyof typeof SYNC_WAVES];

export type Component = "identity" | "rbac" | "secrets" | "gitops" | "migration" | "tracking-server";

export function labels(config: ResolvedConfig, component: Component): Record<string, string> {
  return { ...config.labels, "app.kubernetes.io/component": component };
}

/** Labels that select the tracking server's pods (stable: never include anything that changes). */
export function selectorLabels(config: ResolvedConfig): Record<string, string> {
  return { "app.kubernetes.io/name": APP_NAME, "app.kubernetes.io/instance": config.name, "app.kubernetes.io/component": "tracking-server" };
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
