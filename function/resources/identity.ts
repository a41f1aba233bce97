/**
 * The namespace, and the Kubernetes service accounts that GKE Workload Identity maps to Google
 * service accounts (iam.gke.io/gcp-service-account): the instance's own, which the tracking
 * server runs as, and, with spec.externalSecrets.serviceAccount, a second one that only the
 * SecretStore authenticates as, so that the server's identity does not also read Secret Manager.
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

function serviceAccount(config: ResolvedConfig, name: string, gcpServiceAccountEmail: string): IServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(config, "identity", name, {
      wave: SYNC_WAVES.foundation,
      annotations: { "iam.gke.io/gcp-service-account": gcpServiceAccountEmail },
    }),
  };
}

export function buildServiceAccount(config: ResolvedConfig): IServiceAccount {
  return serviceAccount(config, config.serviceAccountName, config.gcp.serviceAccountEmail);
}

/** The SecretStore's own account (spec.externalSecrets.serviceAccount); none by default. */
export function buildSecretStoreServiceAccount(config: ResolvedConfig): IServiceAccount | undefined {
  const separate = config.externalSecrets.separateAccount;
  if (!separate) return undefined;
  return serviceAccount(config, config.externalSecrets.serviceAccountName, separate.gcpServiceAccountEmail);
}
