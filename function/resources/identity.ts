/**
 * The namespace, and the Kubernetes service accounts that GKE Workload Identity maps to Google
 * service accounts (iam.gke.io/gcp-service-account): the instance's own, which the tracking
 * server runs as, and, with spec.externalSecrets.serviceAccount, a second one that only the
 * SecretStore authenticates as, so that the server's identity does not also read Secret Manager.
 *
 * The Namespace enforces the Pod Security Standards' restricted profile, which every pod the
 * function generates meets (test/server-pss.test.ts): Pod Security Admission rejects any other
 * pod in it. enforce is pinned to a Kubernetes minor version so that a cluster upgrade never
 * starts rejecting the pods; audit and warn follow the latest profile, so a newer rule shows as
 * an audit annotation and a warning before it is enforced (Kubernetes docs, "Enforce Pod
 * Security Standards with Namespace Labels").
 */
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ResolvedConfig } from "../config/types.js";
import { meta, SYNC_WAVES } from "./meta.js";
import type { ResourceModule } from "./registry.js";

/** The Pod Security Admission version `enforce` is pinned to. */
export const POD_SECURITY_ENFORCE_VERSION = "v1.32";

export const POD_SECURITY_LABELS = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": POD_SECURITY_ENFORCE_VERSION,
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/audit-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/warn-version": "latest",
} as const;

export function buildNamespace(config: ResolvedConfig): INamespace {
  const metadata = meta(config, "identity", config.namespace, { namespaced: false, wave: SYNC_WAVES.foundation });
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { ...metadata, labels: { ...metadata.labels, ...POD_SECURITY_LABELS } },
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

export const identity: ResourceModule = {
  family: "identity",
  owns: [
    {
      apiVersion: "v1",
      kind: "Namespace",
      scope: "Cluster",
      wave: SYNC_WAVES.foundation,
      component: "identity",
      description: "the instance's namespace, enforcing Pod Security restricted (pod-security.kubernetes.io labels)",
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      scope: "Namespaced",
      wave: SYNC_WAVES.foundation,
      component: "identity",
      description:
        "the instance's Kubernetes service account, mapped to the Google service account by GKE Workload Identity " +
        "(iam.gke.io/gcp-service-account); with externalSecrets.serviceAccount, a second one for the SecretStore only",
    },
  ],
  build: (config) => [buildNamespace(config), buildServiceAccount(config), buildSecretStoreServiceAccount(config)],
};
