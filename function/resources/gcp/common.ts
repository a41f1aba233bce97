/**
 * What the Config Connector builders share: API versions, the annotations Config Connector
 * reads, object metadata in the Config Connector namespace, and IAMPolicyMember.
 *
 * Config Connector v1.155.1 (GoogleCloudPlatform/k8s-config-connector, CRDs in
 * ../shared/schemas/crds; reference docs in scripts/generate-google3-docs/resource-reference):
 * - cnrm.cloud.google.com/project-id on an object names the project it lives in (otherwise the
 *   namespace's annotation, then the namespace's name); every object that has a project gets
 *   it, so the output does not depend on how the namespace is annotated.
 * - cnrm.cloud.google.com/deletion-policy: abandon keeps the Google Cloud resource when the
 *   Kubernetes object is deleted (a deleted Application, a pruned object).
 * - IAMPolicyMember adds one member to one role of one resource's IAM policy and leaves the
 *   rest of the policy alone; resourceRef names a Config Connector object in the same namespace
 *   (name) or an outside resource (external, e.g. projects/<id> for kind Project).
 */
import type { ResolvedConfig, ResolvedConfigConnector } from "../../config/types.js";
import { meta, type ObjectMeta, type SyncWave } from "../meta.js";

export const CNRM_API = {
  core: "core.cnrm.cloud.google.com/v1beta1",
  iam: "iam.cnrm.cloud.google.com/v1beta1",
  storage: "storage.cnrm.cloud.google.com/v1beta1",
  sql: "sql.cnrm.cloud.google.com/v1beta1",
  secretmanager: "secretmanager.cnrm.cloud.google.com/v1beta1",
} as const;

export const PROJECT_ID_ANNOTATION = "cnrm.cloud.google.com/project-id";
export const DELETION_POLICY_ANNOTATION = "cnrm.cloud.google.com/deletion-policy";

export function configConnector(config: ResolvedConfig): ResolvedConfigConnector {
  const cc = config.gcp.configConnector;
  if (!cc) throw new Error("spec.gcp.configConnector is not set");
  return cc;
}

/**
 * Metadata of a Config Connector object: in its namespace, in `projectId` when it has a
 * project, abandoned on delete when asked.
 */
export function cnrmMeta(
  config: ResolvedConfig,
  name: string,
  wave: SyncWave,
  options: { projectId?: string; abandon?: boolean } = {},
): ObjectMeta {
  const annotations: Record<string, string> = {
    ...(options.projectId ? { [PROJECT_ID_ANNOTATION]: options.projectId } : {}),
    ...(options.abandon ? { [DELETION_POLICY_ANNOTATION]: "abandon" } : {}),
  };
  return {
    ...meta(config, "cloud-resources", name, { wave, annotations }),
    namespace: configConnector(config).namespace,
  };
}

/** A Config Connector object as the builders emit it. */
export interface CnrmObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
}

export type ResourceRef = { kind: string; name: string } | { kind: string; external: string };

export interface IamCondition {
  title: string;
  description: string;
  expression: string;
}

/** The member string of a Google service account (IAM policy member syntax). */
export function serviceAccountMember(email: string): string {
  return `serviceAccount:${email}`;
}

export function policyMember(
  config: ResolvedConfig,
  name: string,
  wave: SyncWave,
  grant: { role: string; member: string; resourceRef: ResourceRef; condition?: IamCondition },
): CnrmObject {
  return {
    apiVersion: CNRM_API.iam,
    kind: "IAMPolicyMember",
    metadata: cnrmMeta(config, name, wave),
    spec: {
      member: grant.member,
      role: grant.role,
      resourceRef: grant.resourceRef,
      ...(grant.condition ? { condition: grant.condition } : {}),
    },
  };
}
