/**
 * The Google service account the instance runs as (the email of the Kubernetes service
 * account's iam.gke.io/gcp-service-account annotation), and Workload Identity:
 * roles/iam.workloadIdentityUser on that account, and on nothing else, for the Kubernetes
 * service account's identity serviceAccount:<cluster project>.svc.id.goog[<namespace>/<ksa>].
 */
import type { ResolvedConfig } from "../../config/types.js";
import { CONFIG_CONNECTOR_WAVES } from "../meta.js";
import { CNRM_API, cnrmMeta, type CnrmObject, configConnector, policyMember } from "./common.js";

/** The longest display name IAM accepts for a service account. */
export const DISPLAY_NAME_MAX = 100;

export function googleServiceAccountObjectName(config: ResolvedConfig): string {
  return config.name;
}

export function buildGoogleServiceAccount(config: ResolvedConfig): CnrmObject {
  const sa = configConnector(config).serviceAccount;
  return {
    apiVersion: CNRM_API.iam,
    kind: "IAMServiceAccount",
    metadata: cnrmMeta(config, googleServiceAccountObjectName(config), CONFIG_CONNECTOR_WAVES.resources, {
      projectId: sa.projectId,
    }),
    spec: {
      resourceID: sa.id,
      // IAM allows at most 100 characters; the name and namespace can make 113.
      displayName: `MLflow ${config.name} (${config.namespace})`.slice(0, DISPLAY_NAME_MAX),
    },
  };
}

/** The Workload Identity member of the instance's Kubernetes service account. */
export function workloadIdentityMember(config: ResolvedConfig): string {
  const pool = configConnector(config).workloadIdentityPool;
  return `serviceAccount:${pool}[${config.namespace}/${config.serviceAccountName}]`;
}

export function buildWorkloadIdentityMember(config: ResolvedConfig): CnrmObject {
  return policyMember(config, `${config.name}-workload-identity-user`, CONFIG_CONNECTOR_WAVES.iam, {
    role: "roles/iam.workloadIdentityUser",
    member: workloadIdentityMember(config),
    resourceRef: { kind: "IAMServiceAccount", name: googleServiceAccountObjectName(config) },
  });
}
