/**
 * External Secrets: a SecretStore for GCP Secret Manager and the ExternalSecret that
 * assembles the database credentials into one Kubernetes Secret.
 *
 * The connection URL is built inside ESO's template (engine v2: Go text/template and Sprig) from
 * the parts, and each part is made safe for SQLAlchemy's URL parser (make_url / _parse_url in
 * sqlalchemy/engine/url.py, 1.4 and 2.0 alike: a regular expression that splits
 * `scheme://user:password@host:port/database?query` on the first `:` or `/` after the scheme,
 * the first `@`, a `[...]` or a run without `/ : ?` for the host, then `/` and `?`):
 * - user name and password are URL-encoded: `urlquery` is Go's url.QueryEscape, which writes a
 *   space as "+"; SQLAlchemy unquotes them with unquote(), which leaves "+" alone, so "+" becomes
 *   "%20". Any text survives, UTF-8 included (test/engines.test.ts logs in with it).
 * - host, port and database are NOT unquoted by SQLAlchemy 1.4 or 2.0 (2.1 starts unquoting the
 *   database), so escaping them would change them: instead the template lets through only what
 *   every version reads back unchanged, and otherwise fails: ESO then sets the ExternalSecret's
 *   Ready condition to False, puts the message in a Warning event on it (markAsFailed in
 *   pkg/controllers/externalsecret/externalsecret_controller.go) and leaves the Secret as it
 *   was; the migration Job waits for Ready. See hostTemplate, portTemplate and databaseTemplate.
 * The Terraform-written `url` property is not used: it embeds the password unescaped. With IAM
 * database authentication (gcp.configConnector.databaseAuth iam) neither the user nor the password
 * secret is read: the user name is the service account's, and the URL has no password.
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
export const REMOTE_REF_DEFAULTS = {
  conversionStrategy: "Default",
  decodingStrategy: "None",
  metadataPolicy: "None",
} as const;

/**
 * The SecretStore authenticates as the instance's Kubernetes service account (Workload
 * Identity), never as the ESO controller's own identity, which every namespace shares. The
 * cluster's name, location and project are written only when spec.gcp.cluster gives them: when
 * they are left out, ESO reads them from the GKE metadata server (external-secrets v2.9.0,
 * providers/v1/gcp/secretmanager/workload_identity.go, gcpWorkloadIdentity: cluster-location
 * and cluster-name instance attributes, the project id).
 */
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
          auth: {
            workloadIdentity: {
              ...(cluster
                ? { clusterLocation: cluster.location, clusterName: cluster.name, clusterProjectID: cluster.projectId }
                : {}),
              serviceAccountRef: { name: config.externalSecrets.serviceAccountName },
            },
          },
        },
      },
    },
  };
}

/** The database Secret's key that holds the password (the SQLUser of gcp/sql.ts reads it too). */
export const PASSWORD_KEY = "password";

/** Go template that URL-encodes a value for the user-info part of a URL. */
const urlEncoded = (key: string) => `{{ .${key} | urlquery | replace "+" "%20" }}`;
export const plain = (key: string) => `{{ .${key} }}`;

/**
 * A Go raw string literal: backslashes stay as they are, so a regular expression reads as
 * itself in the template and in the emitted YAML.
 */
function goRaw(text: string): string {
  if (text.includes("`")) throw new Error(`no backquote in a Go raw string: ${text}`);
  return `\`${text}\``;
}

/** `{{ if regexMatch RE .key }}{{ .key }}...{{ else }}{{ fail MESSAGE }}{{ end }}`. */
function checked(key: string, branches: Array<[regex: string, output: string]>, message: string): string {
  const ifs = branches.map(([re, out], i) => `{{ ${i ? "else if" : "if"} regexMatch ${goRaw(re)} .${key} }}${out}`);
  return `${ifs.join("")}{{ else }}{{ fail ${goRaw(message)} }}{{ end }}`;
}

/**
 * The host, as SQLAlchemy takes it verbatim: a DNS name or an IPv4 address as is (letters,
 * digits, "-", "_", ".", an optional final "."); an IPv6 address (hex digits and at least two
 * ":", "." for an embedded IPv4) in brackets, which SQLAlchemy's `[...]` branch strips again
 * before the driver sees it ("db:5432", one ":", is refused rather than bracketed); an IPv6
 * address already in brackets as is. Anything else fails: "/", "?", "#", "@", ":" or "%" would
 * move the rest of the URL into another part, and a zone id ("fe80::1%eth0") is not let through.
 * A Unix socket path cannot be the host of such a URL at all (PyMySQL and mysqlclient take it
 * as `?unix_socket=`, psycopg2 as `?host=`); the Cloud SQL Auth Proxy sidecar listens on TCP.
 */
const IPV6 = "[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*";

export function hostTemplate(secretId: string): string {
  return checked(
    "host",
    [
      ["^[0-9A-Za-z]([0-9A-Za-z_.-]*[0-9A-Za-z])?[.]?$", plain("host")],
      [`^${IPV6}$`, `[${plain("host")}]`],
      [String.raw`^\[${IPV6}\]$`, plain("host")],
    ],
    `mlflow-infra needs the host in Secret Manager secret ${secretId} (property host) to be a DNS name, ` +
      "an IPv4 address or an IPv6 address (a Unix socket path or a URL is not a host)",
  );
}

/** The port: 1 to 5 digits (SQLAlchemy calls int() on it). */
export function portTemplate(secretId: string): string {
  const message = `mlflow-infra needs the port in Secret Manager secret ${secretId} (property port) to be a number`;
  return checked("port", [["^[0-9]{1,5}$", plain("port")]], message);
}

/**
 * The database name: letters, digits, "_", "$", "." and "-". SQLAlchemy 1.4 and 2.0 take the
 * rest of the URL up to "?" verbatim and SQLAlchemy 2.1 percent-decodes it (sqlalchemy#11234),
 * so "%" reads differently across the versions MLflow allows (sqlalchemy>=1.4,<3), and "?"
 * starts the query in all of them; the names MySQL and PostgreSQL take without quoting fit.
 */
export function databaseTemplate(secretId: string): string {
  return checked(
    "database",
    [["^[0-9A-Za-z_$.-]+$", plain("database")]],
    `mlflow-infra needs the database in Secret Manager secret ${secretId} (property database) to be ` +
      "letters, digits and _ $ . - only",
  );
}

/**
 * With IAM database authentication the user is the service account (its name is known here) and
 * there is no password: the proxy logs in with a token (--auto-iam-authn).
 */
function iamUserOf(config: ResolvedConfig): string | undefined {
  const cc = config.gcp.configConnector;
  return cc?.databaseAuth === "iam" ? cc.user.login : undefined;
}

/** The database name from the connection secret, checked (databaseTemplate). */
export function checkedDatabase(config: ResolvedConfig): string {
  return databaseTemplate(config.database.secrets.connection);
}

/**
 * The SQLAlchemy URL as an ESO template over the keys of databaseRemoteRefs: the scheme, encoded
 * credentials, the checked host and port, and `database` (a template expression or a literal
 * name; by default the connection secret's, checked) on the tracking database's server.
 */
export function connectionUrlTemplate(config: ResolvedConfig, database = checkedDatabase(config)): string {
  const { secrets, scheme, port } = config.database;
  // Through the Cloud SQL Auth Proxy sidecar the server reaches the database on the loopback
  // address, on the port the proxy listens on (cloud-sql-proxy.ts: --port). 127.0.0.1, not
  // "localhost": mysqlclient (MySQLdb) takes "localhost" to mean its Unix socket.
  const hostPort = config.server?.cloudSqlProxy
    ? `127.0.0.1:${port}`
    : `${hostTemplate(secrets.connection)}:${portTemplate(secrets.connection)}`;
  const iamUser = iamUserOf(config);
  const credentials =
    iamUser !== undefined ? encodeURIComponent(iamUser) : `${urlEncoded("username")}:${urlEncoded("password")}`;
  return `${scheme}://${credentials}@${hostPort}/${database}`;
}

/** One ExternalSecret data entry: secretKey from a Secret Manager secret (or one of its JSON properties). */
export const remoteRef = (secretKey: string, key: string, property?: string) => ({
  secretKey,
  remoteRef: { key, ...(property ? { property } : {}), ...REMOTE_REF_DEFAULTS },
});

/**
 * The database credentials and location, as ExternalSecret data: username, password (neither
 * with IAM database authentication), host, port, database.
 */
export function databaseRemoteRefs(config: ResolvedConfig) {
  const { secrets } = config.database;
  return [
    ...(iamUserOf(config) === undefined
      ? [remoteRef("username", secrets.user), remoteRef("password", secrets.password)]
      : []),
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
  const iamUser = iamUserOf(config);
  const template = {
    username: iamUser ?? plain("username"),
    ...(iamUser === undefined ? { [PASSWORD_KEY]: plain("password") } : {}),
    host: plain("host"),
    port: plain("port"),
    database: plain("database"),
    driver: config.database.driver,
    "connection-url": connectionUrlTemplate(config),
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
      description:
        "<name>-secret-store: GCP Secret Manager (provider gcpsm) in spec.gcp.projectId, " +
        "authenticating as the instance's service account (auth.workloadIdentity)",
    },
    {
      apiVersion: ESO,
      kind: "ExternalSecret",
      scope: "Namespaced",
      wave: SYNC_WAVES.secrets,
      component: "secrets",
      description:
        "<name>-database-secret: the Secret with the database user, password (none with " +
        "gcp.configConnector.databaseAuth iam), host, port, database, driver and connection-url",
    },
  ],
  build: (config) => [buildSecretStore(config), buildDatabaseExternalSecret(config)],
};
