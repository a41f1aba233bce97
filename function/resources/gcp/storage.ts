/**
 * The artifact bucket: uniform bucket-level access (IAM only, no object ACLs), public access
 * prevention enforced (no allUsers/allAuthenticatedUsers grant can take effect), versioning on
 * (an overwritten or deleted artifact stays as a noncurrent version), kept when the object is
 * deleted; and roles/storage.objectAdmin for the instance's service account on this bucket only.
 */
import type { ResolvedConfig } from "../../config/types.js";
import { CONFIG_CONNECTOR_WAVES } from "../meta.js";
import { CNRM_API, cnrmMeta, type CnrmObject, configConnector, policyMember, serviceAccountMember } from "./common.js";

export function bucketObjectName(config: ResolvedConfig): string {
  return `${config.name}-artifacts`;
}

export function buildArtifactBucket(config: ResolvedConfig): CnrmObject {
  return {
    apiVersion: CNRM_API.storage,
    kind: "StorageBucket",
    metadata: cnrmMeta(config, bucketObjectName(config), CONFIG_CONNECTOR_WAVES.resources, {
      projectId: config.gcp.projectId,
      abandon: true,
    }),
    spec: {
      resourceID: config.artifacts.bucket,
      location: configConnector(config).bucketLocation,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
    },
  };
}

export function buildBucketMember(config: ResolvedConfig): CnrmObject {
  return policyMember(config, `${config.name}-artifacts-object-admin`, CONFIG_CONNECTOR_WAVES.iam, {
    role: "roles/storage.objectAdmin",
    member: serviceAccountMember(config.gcp.serviceAccountEmail),
    resourceRef: { kind: "StorageBucket", name: bucketObjectName(config) },
  });
}
