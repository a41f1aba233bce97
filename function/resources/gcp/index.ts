/**
 * The Google Cloud half of the instance as Config Connector objects (spec.gcp.configConnector):
 * nothing when it is absent. With mode namespaced, the namespace's ConfigConnectorContext
 * (name fixed by Config Connector: configconnectorcontext.core.cnrm.cloud.google.com, one per
 * namespace, naming the Google service account Config Connector acts as there).
 */
import type { ResolvedConfig } from "../../config/types.js";
import { CONFIG_CONNECTOR_WAVES } from "../meta.js";
import { CNRM_API, cnrmMeta, type CnrmObject, configConnector } from "./common.js";
import { buildGoogleServiceAccount, buildWorkloadIdentityMember } from "./identity.js";
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
    buildBucketMember(config),
    ...buildCloudSqlMembers(config),
    ...buildSecretAccessors(config),
  ];
}
