/**
 * MLflow's basic-auth app (auth.mode basic-auth): `mlflow server --app-name basic-auth`.
 *
 * MLflow reads the app's settings from the INI file named by MLFLOW_AUTH_CONFIG_PATH
 * (mlflow/server/auth/config.py, read_auth_config: section [mlflow], keys default_permission,
 * database_uri, admin_username, admin_password, authorization_function), so the file is
 * assembled by an ExternalSecret, like the tracking database's URL (secrets.ts), and mounted
 * read-only from its Secret: the admin password comes from Secret Manager
 * (auth.basicAuth.adminPasswordSecret), and database_uri points at a separate database on the
 * tracking database's server, with the same credentials (auth.basicAuth.database, or the
 * tracking database's name followed by _auth). The file is read with Python's configparser,
 * whose interpolation takes '%' as a reference, so every '%' of a value (the URL's escapes, the
 * password's own) is doubled. The Secret also holds the URL alone (auth-database-url) for the
 * migration Job, which creates the database and runs the auth store's migrations before the
 * server starts (migration.ts): the server would otherwise migrate on start-up, from every
 * worker of every pod at once.
 * At start-up the server creates the admin user with that password if it does not exist;
 * change the password in MLflow afterwards (the file only seeds it).
 */
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { IEnvVar, IVolume, IVolumeMount } from "kubernetes-models/v1";
import type { ResolvedConfig } from "../../config/types.js";
import { SYNC_WAVES } from "../meta.js";
import type { OwnedKind } from "../registry.js";
import {
  checkedDatabase,
  connectionUrlTemplate,
  databaseRemoteRefs,
  plain,
  remoteRef,
  templatedExternalSecret,
} from "../secrets.js";
import { server } from "./pod.js";

export const AUTH_CONFIG_KEY = "basic_auth.ini";
export const AUTH_DATABASE_URL_KEY = "auth-database-url";
export const AUTH_CONFIG_DIR = "/etc/mlflow-auth";
const AUTH_VOLUME = "auth-config";

/** The Secret with a custom IAP OAuth client's credentials, in both forms GKE reads. */
export function iapSecretName(config: ResolvedConfig): string {
  return `${config.names.server}-iap-oauth`;
}

/** The custom IAP OAuth client, when auth.iap.oauthClient is set. */
export function iapOAuthClient(config: ResolvedConfig) {
  const auth = server(config).auth;
  return auth.mode === "iap" ? auth.oauthClient : undefined;
}

/**
 * With a custom IAP OAuth client: the Secret GKE reads its secret from, assembled from Secret
 * Manager. The Gateway's GCPBackendPolicy names it in iap.oauth2ClientSecret and reads key
 * `key` (GKE docs, "Configure Identity-Aware Proxy" for Gateway, whose example creates the
 * Secret with --from-file=key=...; gke-gateway-api's Oauth2ClientSecret names only the
 * Secret, not the key); GKE's Ingress reads
 * `client_id` and `client_secret` from the Secret a BackendConfig names in
 * iap.oauthclientCredentials.secretName (ingress-gce OAuthClientCredentials).
 */
export function buildIapOAuthExternalSecret(config: ResolvedConfig): IExternalSecret | undefined {
  const client = iapOAuthClient(config);
  if (!client) return undefined;
  const template = { key: plain("clientSecret"), client_id: client.clientId, client_secret: plain("clientSecret") };
  return templatedExternalSecret(config, iapSecretName(config), template, [
    remoteRef("clientSecret", client.clientSecret),
  ]);
}

export function authSecretName(config: ResolvedConfig): string {
  return `${config.names.server}-auth-secret`;
}

function basicAuth(config: ResolvedConfig) {
  const auth = server(config).auth;
  return auth.mode === "basic-auth" ? auth : undefined;
}

/** configparser's escape: '%' is written '%%'. */
const iniValue = (template: string) => `${template.replace(/ }}$/, "")} | replace "%" "%%" }}`;

export function buildAuthExternalSecret(config: ResolvedConfig): IExternalSecret | undefined {
  const auth = basicAuth(config);
  if (!auth) return undefined;
  const database = auth.database ?? `${checkedDatabase(config)}_auth`;
  const url = connectionUrlTemplate(config, database);
  // The URL template is a sequence of {{ }} actions and text. For the INI file, each action that
  // writes a value ({{ .key ... }}) doubles the '%' of what it writes, a '%' in the text itself (an
  // IAM user's encoded '@') is doubled here, and the checks around them (if, else, fail, end) stay.
  const iniUrl = url.replace(/{{ \.[^}]* }}|%/g, (m) => (m === "%" ? "%%" : iniValue(m)));
  const ini = [
    "[mlflow]",
    `default_permission = ${auth.defaultPermission}`,
    `database_uri = ${iniUrl}`,
    `admin_username = ${auth.adminUsername}`,
    `admin_password = ${iniValue(plain("adminPassword"))}`,
    "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
    "",
  ].join("\n");
  const template = { [AUTH_CONFIG_KEY]: ini, [AUTH_DATABASE_URL_KEY]: url };
  const data = [...databaseRemoteRefs(config), remoteRef("adminPassword", auth.adminPasswordSecret)];
  return templatedExternalSecret(config, authSecretName(config), template, data);
}

/** `mlflow server` arguments for the auth app. */
export function authServerArgs(config: ResolvedConfig): string[] {
  return basicAuth(config) ? ["--app-name=basic-auth"] : [];
}

/** The server's environment: where the INI file is. */
export function authServerEnv(config: ResolvedConfig): IEnvVar[] {
  return basicAuth(config) ? [{ name: "MLFLOW_AUTH_CONFIG_PATH", value: `${AUTH_CONFIG_DIR}/${AUTH_CONFIG_KEY}` }] : [];
}

/** The migration Job's environment: the auth database's URL. */
export function authMigrationEnv(config: ResolvedConfig): IEnvVar[] {
  if (!basicAuth(config)) return [];
  return [
    {
      name: "MLFLOW_AUTH_DATABASE_URL",
      valueFrom: { secretKeyRef: { name: authSecretName(config), key: AUTH_DATABASE_URL_KEY } },
    },
  ];
}

export function authVolumes(config: ResolvedConfig): IVolume[] {
  if (!basicAuth(config)) return [];
  return [
    {
      name: AUTH_VOLUME,
      secret: { secretName: authSecretName(config), items: [{ key: AUTH_CONFIG_KEY, path: AUTH_CONFIG_KEY }] },
    },
  ];
}

export function authVolumeMounts(config: ResolvedConfig): IVolumeMount[] {
  return basicAuth(config) ? [{ name: AUTH_VOLUME, mountPath: AUTH_CONFIG_DIR, readOnly: true }] : [];
}

export const AUTH_KINDS: readonly OwnedKind[] = [
  {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    scope: "Namespaced",
    wave: SYNC_WAVES.secrets,
    component: "secrets",
    description:
      "with auth.mode basic-auth: <name>-auth-secret, MLflow's basic_auth.ini and the auth database's URL; " +
      "with auth.iap.oauthClient: <name>-iap-oauth, the OAuth client's secret",
  },
];
