/**
 * The Google Cloud half of the instance as Config Connector objects (spec.gcp.configConnector):
 * nothing when it is absent. With mode namespaced, the namespace's ConfigConnectorContext
 * (name fixed by Config Connector: configconnectorcontext.core.cnrm.cloud.google.com, one per
 * namespace, naming the Google service account Config Connector acts as there).
 */
import type { ResolvedConfig } from "../../config/types.js";
import { CONFIG_CONNECTOR_WAVES, type SyncWave } from "../meta.js";
import type { OwnedKind, ResourceModule } from "../registry.js";
import { CNRM_API, cnrmMeta, type CnrmObject, configConnector } from "./common.js";
import { buildGoogleServiceAccount, buildStoreIdentity, buildWorkloadIdentityMember } from "./identity.js";
import { buildSecretAccessors, buildSecretManagerSecrets } from "./secrets.js";
import { buildCloudSqlMembers, buildSqlDatabase, buildSqlUser } from "./sql.js";
import { buildArtifactBucket, buildBucketMember } from "./storage.js";

export const CONFIG_CONNECTOR_CONTEXT_NAME = "configconnectorcontext.core.cnrm.cloud.google.com";

export function buildConfigConnectorContext(config: ResolvedConfig): CnrmObject | undefined {
  const cc = configConnector(config);
  if (cc.mode !== "namespaced") return undefined;
  return {
    apiVersion: CNRM_API.core,
    kind: "ConfigConnectorContext",
    metadata: cnrmMeta(config, CONFIG_CONNECTOR_CONTEXT_NAME, CONFIG_CONNECTOR_WAVES.context),
    spec: { googleServiceAccount: cc.googleServiceAccount },
  };
}

export function buildConfigConnector(config: ResolvedConfig): CnrmObject[] {
  if (!config.gcp.configConnector) return [];
  const context = buildConfigConnectorContext(config);
  return [
    ...(context ? [context] : []),
    buildGoogleServiceAccount(config),
    buildArtifactBucket(config),
    buildSqlDatabase(config),
    buildSqlUser(config),
    ...buildSecretManagerSecrets(config),
    buildWorkloadIdentityMember(config),
    ...buildStoreIdentity(config),
    buildBucketMember(config),
    ...buildCloudSqlMembers(config),
    ...buildSecretAccessors(config),
  ];
}

const kind = (apiVersion: string, kind: string, wave: SyncWave, description: string): OwnedKind => ({
  apiVersion,
  kind,
  scope: "Namespaced",
  wave,
  component: "cloud-resources",
  description: `with spec.gcp.configConnector: ${description}`,
});

const W = CONFIG_CONNECTOR_WAVES;

export const gcp: ResourceModule = {
  family: "gcp",
  owns: [
    kind(
      CNRM_API.core,
      "ConfigConnectorContext",
      W.context,
      "with mode namespaced, the Google service account Config Connector acts as in its namespace",
    ),
    kind(
      CNRM_API.iam,
      "IAMServiceAccount",
      W.resources,
      "the Google service account of the Workload Identity annotation",
    ),
    kind(
      CNRM_API.storage,
      "StorageBucket",
      W.resources,
      "the artifact bucket (uniform access, public access prevention, versioning; kept on delete)",
    ),
    kind(CNRM_API.sql, "SQLDatabase", W.resources, "the database on the existing Cloud SQL instance (kept on delete)"),
    kind(
      CNRM_API.sql,
      "SQLUser",
      W.databaseUser,
      "the database user: built-in with the ExternalSecret's password, or the service account (iam)",
    ),
    kind(
      CNRM_API.secretmanager,
      "SecretManagerSecret",
      W.resources,
      "the Secret Manager secrets the ExternalSecret reads, without values (kept on delete)",
    ),
    kind(
      CNRM_API.iam,
      "IAMPolicyMember",
      W.iam,
      "one grant each: Workload Identity, the bucket, Cloud SQL (one instance), each secret",
    ),
  ],
  build: buildConfigConnector,
};
