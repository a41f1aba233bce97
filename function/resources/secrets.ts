/**
 * External Secrets: a SecretStore for GCP Secret Manager and the ExternalSecret that
 * assembles the database credentials into one Kubernetes Secret.
 *
 * The connection URL is built inside ESO's template from the parts, with the user name and
 * password URL-encoded (`urlquery` is Go's url.QueryEscape, which writes a space as "+";
 * SQLAlchemy unquotes with unquote(), so "+" becomes "%20"). Passwords with @ : / + % or
 * spaces therefore survive. The Terraform-written `url` property is not used: it embeds the
 * password unescaped.
 */
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { ISecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore";
import type { ResolvedConfig } from "../config/types.js";
import { meta, SYNC_WAVES } from "./meta.js";
import type { ResourceModule } from "./registry.js";

const ESO = "external-secrets.io/v1";

/**
 * The remoteRef fields ESO releases have filled in when omitted (they would show as drift),
 * spelt out with ESO's values. The Application ignores these and nullBytePolicy (argocd.ts).
 */
export const REMOTE_REF_DEFAULTS = { conversionStrategy: "Default", decodingStrategy: "None", metadataPolicy: "None" } as const;

export function buildSecretStore(config: ResolvedConfig): ISecretStore {
  const cluster = config.gcp.cluster;
  return {
    apiVersion: ESO,
    kind: "SecretStore",
    metadata: meta(config, "secrets", config.names.secretStore, { wave: SYNC_WAVES.foundation }),
    spec: {
      provider: {
        gcpsm: {
          projectID: config.gcp.projectId,
          ...(cluster
            ? {
                auth: {
                  workloadIdentity: {
                    clusterLocation: cluster.location,
                    clusterName: cluster.name,
                    clusterProjectID: cluster.projectId,
                    serviceAccountRef: { name: config.serviceAccountName },
                  },
                },
              }
            : {}),
        },
      },
    },
  };
}

/** Go template that URL-encodes a value for the user-info part of a URL. */
const urlEncoded = (key: string) => `{{ .${key} | urlquery | replace "+" "%20" }}`;
export const plain = (key: string) => `{{ .${key} }}`;

/**
 * The SQLAlchemy URL as an ESO template over the keys of databaseRemoteRefs, for the
 * database `database` (a template expression or a literal name) on the tracking database's
 * server. Through the Cloud SQL Auth Proxy sidecar the server reaches the database on
 * localhost, on the port the proxy listens on (cloud-sql-proxy.ts: --port).
 */
export function connectionUrlTemplate(config: ResolvedConfig, database: string): string {
  const { scheme, port } = config.database;
  const hostPort = config.server?.cloudSqlProxy ? `127.0.0.1:${port}` : `${plain("host")}:${plain("port")}`;
  return `${scheme}://${urlEncoded("username")}:${urlEncoded("password")}@${hostPort}/${database}`;
}

/** One ExternalSecret data entry: secretKey from a Secret Manager secret (or one of its JSON properties). */
export const remoteRef = (secretKey: string, key: string, property?: string) => ({
  secretKey,
  remoteRef: { key, ...(property ? { property } : {}), ...REMOTE_REF_DEFAULTS },
});

/** The database credentials and location, as ExternalSecret data: username, password, host, port, database. */
export function databaseRemoteRefs(config: ResolvedConfig) {
  const { secrets } = config.database;
  return [
    remoteRef("username", secrets.user),
    remoteRef("password", secrets.password),
    remoteRef("host", secrets.connection, "host"),
    remoteRef("port", secrets.connection, "port"),
    remoteRef("database", secrets.connection, "database"),
  ];
}

/**
 * An ExternalSecret of this instance's SecretStore that writes Secret `name` from a template
 * over `data` (owned by the ExternalSecret, kept when it is deleted).
 */
export function templatedExternalSecret(
  config: ResolvedConfig,
  name: string,
  template: Record<string, string>,
  data: ReturnType<typeof remoteRef>[],
): IExternalSecret {
  return {
    apiVersion: ESO,
    kind: "ExternalSecret",
    metadata: meta(config, "secrets", name, { wave: SYNC_WAVES.secrets }),
    spec: {
      refreshInterval: config.externalSecrets.refreshInterval,
      secretStoreRef: { kind: "SecretStore", name: config.names.secretStore },
      target: {
        name,
        creationPolicy: "Owner",
        deletionPolicy: "Retain",
        template: { engineVersion: "v2", mergePolicy: "Replace", type: "Opaque", data: template },
      },
      data,
    },
  };
}

export function buildDatabaseExternalSecret(config: ResolvedConfig): IExternalSecret {
  const template = {
    username: plain("username"),
    password: plain("password"),
    host: plain("host"),
    port: plain("port"),
    database: plain("database"),
    driver: config.database.driver,
    "connection-url": connectionUrlTemplate(config, plain("database")),
  };
  return templatedExternalSecret(config, config.names.databaseSecret, template, databaseRemoteRefs(config));
}

export const secrets: ResourceModule = {
  family: "secrets",
  owns: [
    {
      apiVersion: ESO,
      kind: "SecretStore",
      scope: "Namespaced",
      wave: SYNC_WAVES.foundation,
      component: "secrets",
      description: "<name>-secret-store: GCP Secret Manager (provider gcpsm) in spec.gcp.projectId",
    },
    {
      apiVersion: ESO,
      kind: "ExternalSecret",
      scope: "Namespaced",
      wave: SYNC_WAVES.secrets,
      component: "secrets",
      description: "<name>-database-secret: the Secret with the database user, password, host, port, database, driver and connection-url",
    },
  ],
  build: (config) => [buildSecretStore(config), buildDatabaseExternalSecret(config)],
};
