/**
 * The Secret Manager secrets the ExternalSecret reads, with automatic replication, kept when
 * the object is deleted (their versions hold values a person added), and
 * roles/secretmanager.secretAccessor on each secret only, for the service account that reads them:
 * the SecretStore's own when spec.externalSecrets gives it one, else the instance's.
 * No version is generated: values never pass through Git (docs/gcp.md says how to add them).
 * With databaseAuth iam there is no password, and the user name derives from the service
 * account: only the connection secret is generated.
 *
 * `replication: {automatic: true}` is the form of Config Connector's sample
 * (config/samples/resources/secretmanagersecret, v1.155.1); its direct controller maps it to
 * Replication.Automatic (pkg/controller/direct/secretmanager/secret_mapping.go).
 */
import type { ResolvedConfig } from "../../config/types.js";
import { CONFIG_CONNECTOR_WAVES } from "../meta.js";
import { secretReaderEmail } from "./identity.js";
import { CNRM_API, cnrmMeta, type CnrmObject, configConnector, policyMember, serviceAccountMember } from "./common.js";

/**
 * The secrets in use, as [object name suffix, secret id]: the database's, and those the server's
 * auth reads (basic-auth's admin password, a custom IAP OAuth client's secret).
 */
export function managedSecrets(config: ResolvedConfig): [string, string][] {
  const { user, password, connection } = config.database.secrets;
  const database: [string, string][] = [
    ["db-user", user],
    ["db-password", password],
    ["db-connection", connection],
  ];
  const auth = config.server?.auth;
  return [
    ...(configConnector(config).databaseAuth === "iam" ? database.filter(([s]) => s === "db-connection") : database),
    ...(auth?.mode === "basic-auth" ? [["admin-password", auth.adminPasswordSecret] as [string, string]] : []),
    ...(auth?.mode === "iap" && auth.oauthClient
      ? [["iap-client-secret", auth.oauthClient.clientSecret] as [string, string]]
      : []),
  ];
}

export function buildSecretManagerSecrets(config: ResolvedConfig): CnrmObject[] {
  return managedSecrets(config).map(([suffix, id]) => ({
    apiVersion: CNRM_API.secretmanager,
    kind: "SecretManagerSecret",
    metadata: cnrmMeta(config, `${config.name}-${suffix}`, CONFIG_CONNECTOR_WAVES.resources, {
      projectId: config.gcp.projectId,
      abandon: true,
    }),
    spec: {
      resourceID: id,
      replication: { automatic: true },
    },
  }));
}

export function buildSecretAccessors(config: ResolvedConfig): CnrmObject[] {
  return managedSecrets(config).map(([suffix]) =>
    policyMember(config, `${config.name}-${suffix}-accessor`, CONFIG_CONNECTOR_WAVES.iam, {
      role: "roles/secretmanager.secretAccessor",
      member: serviceAccountMember(secretReaderEmail(config)),
      resourceRef: { kind: "SecretManagerSecret", name: `${config.name}-${suffix}` },
    }),
  );
}
