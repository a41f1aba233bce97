/**
 * The Google service account the instance runs as (the email of the Kubernetes service
 * account's iam.gke.io/gcp-service-account annotation), and Workload Identity:
 * roles/iam.workloadIdentityUser on that account, and on nothing else, for the Kubernetes
 * service account's identity serviceAccount:<cluster project>.svc.id.goog[<namespace>/<ksa>].
 *
 * With a SecretStore identity of its own (spec.externalSecrets.serviceAccount), its Kubernetes
 * service account gets the same binding on its Google service account: the instance's, or
 * spec.externalSecrets.gcpServiceAccount, which is then generated too, so that only the store's
 * account is granted Secret Manager access (secrets.ts).
 */
import type { ResolvedConfig } from "../../config/types.js";
import { CONFIG_CONNECTOR_WAVES } from "../meta.js";
import { CNRM_API, cnrmMeta, type CnrmObject, configConnector, policyMember, serviceAccountMember } from "./common.js";

/** The longest display name IAM accepts for a service account. */
export const DISPLAY_NAME_MAX = 100;

export function googleServiceAccountObjectName(config: ResolvedConfig): string {
  return config.name;
}

function googleServiceAccount(config: ResolvedConfig, name: string, email: string, what: string): CnrmObject {
  const [id, domain] = email.split("@");
  return {
    apiVersion: CNRM_API.iam,
    kind: "IAMServiceAccount",
    metadata: cnrmMeta(config, name, CONFIG_CONNECTOR_WAVES.resources, {
      projectId: domain.replace(/\.iam\.gserviceaccount\.com$/, ""),
    }),
    spec: {
      resourceID: id,
      // IAM allows at most 100 characters; the name and namespace can make 113.
      displayName: `MLflow ${config.name}${what} (${config.namespace})`.slice(0, DISPLAY_NAME_MAX),
    },
  };
}

export function buildGoogleServiceAccount(config: ResolvedConfig): CnrmObject {
  return googleServiceAccount(config, googleServiceAccountObjectName(config), config.gcp.serviceAccountEmail, "");
}

/** The Google service account that reads Secret Manager: the SecretStore's own, or the instance's. */
export function secretReaderEmail(config: ResolvedConfig): string {
  return config.externalSecrets.separateAccount?.gcpServiceAccountEmail ?? config.gcp.serviceAccountEmail;
}

/** Whether the SecretStore has a Google service account apart from the instance's. */
function storeHasOwnAccount(config: ResolvedConfig): boolean {
  return secretReaderEmail(config) !== config.gcp.serviceAccountEmail;
}

export function storeServiceAccountObjectName(config: ResolvedConfig): string {
  return `${config.name}-secret-store`;
}

/** With a separate SecretStore identity: its Google service account (when its own) and its Workload Identity. */
export function buildStoreIdentity(config: ResolvedConfig): CnrmObject[] {
  if (!config.externalSecrets.separateAccount) return [];
  const own = storeHasOwnAccount(config);
  return [
    ...(own
      ? [googleServiceAccount(config, storeServiceAccountObjectName(config), secretReaderEmail(config), " secrets")]
      : []),
    policyMember(config, `${config.name}-secret-store-workload-identity-user`, CONFIG_CONNECTOR_WAVES.iam, {
      role: "roles/iam.workloadIdentityUser",
      member: workloadIdentityMember(config, config.externalSecrets.serviceAccountName),
      resourceRef: {
        kind: "IAMServiceAccount",
        name: own ? storeServiceAccountObjectName(config) : googleServiceAccountObjectName(config),
      },
    }),
  ];
}

/** The Workload Identity member of a Kubernetes service account of the instance (default: its own). */
export function workloadIdentityMember(config: ResolvedConfig, ksa = config.serviceAccountName): string {
  return serviceAccountMember(`${configConnector(config).workloadIdentityPool}[${config.namespace}/${ksa}]`);
}

export function buildWorkloadIdentityMember(config: ResolvedConfig): CnrmObject {
  return policyMember(config, `${config.name}-workload-identity-user`, CONFIG_CONNECTOR_WAVES.iam, {
    role: "roles/iam.workloadIdentityUser",
    member: workloadIdentityMember(config),
    resourceRef: { kind: "IAMServiceAccount", name: googleServiceAccountObjectName(config) },
  });
}
