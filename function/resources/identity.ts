/**
 * The namespace and the Kubernetes service account that GKE Workload Identity maps to the
 * Google service account (iam.gke.io/gcp-service-account).
 */
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ResolvedConfig } from "../config/types.js";
import { meta, SYNC_WAVES } from "./meta.js";
import type { ResourceModule } from "./registry.js";

export function buildNamespace(config: ResolvedConfig): INamespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: meta(config, "identity", config.namespace, { namespaced: false, wave: SYNC_WAVES.foundation }),
  };
}

export function buildServiceAccount(config: ResolvedConfig): IServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(config, "identity", config.serviceAccountName, {
      wave: SYNC_WAVES.foundation,
      annotations: { "iam.gke.io/gcp-service-account": config.gcp.serviceAccountEmail },
    }),
  };
}

export const identity: ResourceModule = {
  family: "identity",
  owns: [
    { apiVersion: "v1", kind: "Namespace", scope: "Cluster", wave: SYNC_WAVES.foundation, component: "identity", description: "the instance's namespace" },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      scope: "Namespaced",
      wave: SYNC_WAVES.foundation,
      component: "identity",
      description: "the instance's Kubernetes service account, mapped to the Google service account by GKE Workload Identity (iam.gke.io/gcp-service-account)",
    },
  ],
  build: (config) => [buildNamespace(config), buildServiceAccount(config)],
};
