/**
 * Least-privilege RBAC.
 * - The instance's service account may `get` the one database secret, by resourceNames:
 *   no list/watch on secrets, no other secret. This is for clients that read the secret
 *   through the Kubernetes API as that service account (a job or tool of the user's that runs
 *   as it). The tracking server and migration pods do not use it: the kubelet hands them the
 *   connection URL through secretKeyRef, which takes no RBAC of the pod's, and they mount no
 *   service account token (automountServiceAccountToken: false, server/pod.ts).
 * - The SecretStore authenticates (auth.workloadIdentity) as the account it names (the
 *   instance's, or spec.externalSecrets.serviceAccount), so the ESO controller must request
 *   tokens for it: `create` on serviceaccounts/token for that one account, granted in this
 *   namespace only (ESO chart >= 2.5 can drop its cluster-wide grant).
 */
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import type { ResolvedConfig } from "../config/types.js";
import { meta, SYNC_WAVES } from "./meta.js";
import type { ResourceModule } from "./registry.js";

const RBAC = "rbac.authorization.k8s.io/v1";

export function buildSecretReader(config: ResolvedConfig): [IRole, IRoleBinding] {
  const name = config.names.secretReaderRole;
  return [
    {
      apiVersion: RBAC,
      kind: "Role",
      metadata: meta(config, "rbac", name, { wave: SYNC_WAVES.foundation }),
      rules: [
        { apiGroups: [""], resources: ["secrets"], resourceNames: [config.names.databaseSecret], verbs: ["get"] },
      ],
    },
    {
      apiVersion: RBAC,
      kind: "RoleBinding",
      metadata: meta(config, "rbac", name, { wave: SYNC_WAVES.foundation }),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: config.serviceAccountName, namespace: config.namespace }],
    },
  ];
}

export function buildTokenRequester(config: ResolvedConfig): [IRole, IRoleBinding] {
  const name = config.names.tokenRequesterRole;
  const controller = config.externalSecrets.controller;
  return [
    {
      apiVersion: RBAC,
      kind: "Role",
      metadata: meta(config, "rbac", name, { wave: SYNC_WAVES.foundation }),
      rules: [
        {
          apiGroups: [""],
          resources: ["serviceaccounts/token"],
          resourceNames: [config.externalSecrets.serviceAccountName],
          verbs: ["create"],
        },
      ],
    },
    {
      apiVersion: RBAC,
      kind: "RoleBinding",
      metadata: meta(config, "rbac", name, { wave: SYNC_WAVES.foundation }),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: controller.serviceAccount, namespace: controller.namespace }],
    },
  ];
}

export const rbac: ResourceModule = {
  family: "rbac",
  owns: (["Role", "RoleBinding"] as const).map((kind) => ({
    apiVersion: RBAC,
    kind,
    scope: "Namespaced" as const,
    wave: SYNC_WAVES.foundation,
    component: "rbac" as const,
    description:
      "<name>-secret-reader: get on the one database secret (by resourceNames) for the instance's service account; " +
      "<name>-eso-token-requester: create on serviceaccounts/token for that one account, for the ESO controller " +
      "(the SecretStore authenticates as it)",
  })),
  build: (config) => [...buildSecretReader(config), ...buildTokenRequester(config)],
};
