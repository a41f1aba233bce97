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
const plain = (key: string) => `{{ .${key} }}`;

export function buildDatabaseExternalSecret(config: ResolvedConfig): IExternalSecret {
  const { secrets, scheme, driver, port } = config.database;
  const proxy = config.server?.cloudSqlProxy;
  // Through the Cloud SQL Auth Proxy sidecar the server reaches the database on localhost,
  // on the port the proxy listens on (cloud-sql-proxy.ts: --port).
  const hostPort = proxy ? `127.0.0.1:${port}` : `${plain("host")}:${plain("port")}`;
  const remote = (secretKey: string, key: string, property?: string) => ({
    secretKey,
    remoteRef: { key, ...(property ? { property } : {}), ...REMOTE_REF_DEFAULTS },
  });
  return {
    apiVersion: ESO,
    kind: "ExternalSecret",
    metadata: meta(config, "secrets", config.names.databaseSecret, { wave: SYNC_WAVES.secrets }),
    spec: {
      refreshInterval: config.externalSecrets.refreshInterval,
      secretStoreRef: { kind: "SecretStore", name: config.names.secretStore },
      target: {
        name: config.names.databaseSecret,
        creationPolicy: "Owner",
        deletionPolicy: "Retain",
        template: {
          engineVersion: "v2",
          mergePolicy: "Replace",
          type: "Opaque",
          data: {
            username: plain("username"),
            password: plain("password"),
            host: plain("host"),
            port: plain("port"),
            database: plain("database"),
            driver,
            "connection-url": `${scheme}://${urlEncoded("username")}:${urlEncoded("password")}@${hostPort}/${plain("database")}`,
          },
        },
      },
      data: [
        remote("username", secrets.user),
        remote("password", secrets.password),
        remote("host", secrets.connection, "host"),
        remote("port", secrets.connection, "port"),
        remote("database", secrets.connection, "database"),
      ],
    },
  };
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
