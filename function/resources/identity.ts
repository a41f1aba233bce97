/**
 * The namespace and the Kubernetes service account that GKE Workload Identity maps to the
 * Google service account (iam.gke.io/gcp-service-account).
 */
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ResolvedConfig } from "../config/types.js";
import { meta, SYNC_WAVES } from "./meta.js";

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
