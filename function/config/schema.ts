/**
 * The JSON Schema of MlflowConfig v1alpha1: the public contract and the one source of the config.
 *
 * - The TypeScript types of the config derive from this object (types.ts, json-schema-to-ts's
 *   FromSchema over the `as const` literal): a field added here is typed everywhere.
 * - `default` is the default: defaults.ts applies the schema's defaults (applyDefaults), so no
 *   default value is written twice. Defaults that derive from other fields (names, secret ids)
 *   are computed in defaults.ts and stated in the field's description.
 * - `x-rule` states a pattern's rule in words; error messages quote it next to the pattern.
 * The function checks a config by walking this object (schema-check.ts, which reports what ajv
 * would), so it never compiles a schema, at build time or at start-up.
 */

/** A string field with a pattern and its rule in words (generic, so the literal types survive for FromSchema). */
const rule = <const P extends string, const E extends object = Record<never, never>>(
  pattern: P,
  text: string,
  extra?: E,
) => ({ type: "string", pattern, "x-rule": text, ...(extra as E) }) as const;

export const PATTERNS = {
  dns1123Label: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
  dns1123Subdomain: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
  dns1035Label: "^[a-z]([-a-z0-9]*[a-z0-9])?$",
  projectId: "^[a-z][a-z0-9-]{4,28}[a-z0-9]$",
  serviceAccount: "^[a-z][a-z0-9-]{4,28}[a-z0-9](@[a-z][a-z0-9-]{4,28}[a-z0-9]\\.iam\\.gserviceaccount\\.com)?$",
  secretId: "^[A-Za-z0-9_-]{1,255}$",
  bucket: "^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$",
  duration: "^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$",
  labelKey:
    "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?" +
    "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
  labelValue: "^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$",
  quantity: "^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$",
  image:
    "^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*" +
    "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$",
  instanceConnectionName: "^[a-z][a-z0-9.:-]*[a-z0-9]:[a-z]+-[a-z]+[0-9]+:[a-z]([-a-z0-9]*[a-z0-9])?$",
  gcpLocation: "^[a-z]+-[a-z]+[0-9]+(-[a-z])?$",
  repoURL: "^(https?://|ssh://|git@|oci://|file://)\\S+$",
  repoPath: "^(\\.|[^/\\s.][^\\s]*)$",
  bodySize: "^(0|[0-9]+[kmg]?)$",
  allowedHost: "^[A-Za-z0-9.*:\\[\\]_-]+$",
  sqlInstance: "^[a-z]([-a-z0-9]*[a-z0-9])?$",
  databaseName: "^[a-z][a-z0-9_]*$",
  databaseUser: "^[a-z][a-z0-9_-]*$",
  serviceAccountEmail: "^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\\.iam\\.gserviceaccount\\.com$",
  bucketLocation: "^([A-Z]+[0-9]*|[a-z]+-[a-z]+[0-9]+)$",
  ipv4Cidr:
    "^(([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\\.){3}([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])" +
    "/([0-9]|[12][0-9]|3[0-2])$",
} as const;

const dns1123Label = (what: string) =>
  rule(
    PATTERNS.dns1123Label,
    `${what} must be a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending ` +
      `with a letter or digit`,
    { maxLength: 63 },
  );
const dns1123Subdomain = (what: string) =>
  rule(
    PATTERNS.dns1123Subdomain,
    `${what} must be a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, '-' and '.'`,
    { maxLength: 253 },
  );
const secretId = (def: string) => ({
  ...rule(PATTERNS.secretId, "a Secret Manager secret id: 1-255 letters, digits, '_' or '-'"),
  description: `Secret Manager secret id. Default "${def}".`,
});
const googleServiceAccount = rule(
  PATTERNS.serviceAccount,
  "a Google service account id (6-30 characters: lowercase letters, digits, '-', starting with a letter) " +
    "or its full email <id>@<project>.iam.gserviceaccount.com",
);
const quantity = rule(PATTERNS.quantity, "a Kubernetes quantity such as 250m, 512Mi or 2Gi");
const quantities = {
  type: "object",
  additionalProperties: false,
  properties: { cpu: quantity, memory: quantity, "ephemeral-storage": quantity },
} as const;
const labelMap = {
  type: "object",
  propertyNames: rule(
    PATTERNS.labelKey,
    "a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.'",
  ),
  additionalProperties: rule(
    PATTERNS.labelValue,
    "a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    { maxLength: 63 },
  ),
} as const;

export const mlflowConfigSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://mlflow-infra.dev/schemas/v1alpha1/MlflowConfig.json",
  title: "MlflowConfig",
  description: "The input of the mlflow-infra KRM function: one MLflow instance on GKE.",
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "mlflow-infra.dev/v1alpha1" },
    kind: { const: "MlflowConfig" },
    metadata: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: {
        name: {
          ...rule(
            PATTERNS.dns1035Label,
            "a DNS-1035 label of at most 40 characters (lowercase letters, digits and '-', starting with a " +
              "letter): it names the Service and prefixes every generated name",
            { maxLength: 40 },
          ),
          description: "Instance name; generated object names derive from it.",
        },
        namespace: {
          type: "string",
          description:
            "Sets nothing: accepted only when it is the instance's namespace (spec.namespace, default " +
            "metadata.name).",
        },
        labels: {
          type: "object",
          description: "Refused: the MlflowConfig's labels are not copied to what it generates; use spec.labels.",
        },
        annotations: {
          type: "object",
          description:
            "Only kpt's and kustomize's own annotations (config.kubernetes.io/local-config, " +
            "config.kubernetes.io/function, internal.config.kubernetes.io/path, ...); others are refused, since " +
            "they are not copied to what it generates.",
        },
      },
    },
    spec: {
      type: "object",
      required: ["gcp"],
      additionalProperties: false,
      properties: {
        stack: {
          ...rule(
            PATTERNS.dns1035Label,
            "lowercase letters, digits and '-', starting with a letter, at most 20 characters",
            { maxLength: 20 },
          ),
          description: 'Prefix of cloud-side names (service account, secret ids, bucket): "<stack>-<name>...".',
        },
        gcp: {
          type: "object",
          description: "Google Cloud side of the instance.",
          required: ["projectId"],
          additionalProperties: false,
          properties: {
            projectId: {
              ...rule(
                PATTERNS.projectId,
                "a GCP project id: 6-30 characters, lowercase letters, digits and '-', starting with a " +
                  "letter, not ending with '-'",
                { minLength: 6, maxLength: 30 },
              ),
              description: "Project that holds the Secret Manager secrets and the Google service account.",
            },
            serviceAccount: {
              ...googleServiceAccount,
              description:
                'Google service account bound by Workload Identity. Default "<stack>-<name>" in gcp.projectId.',
            },
            cluster: {
              type: "object",
              description:
                "The GKE cluster, written into the SecretStore's auth.workloadIdentity. The SecretStore always " +
                "authenticates as the instance's Kubernetes service account; when this is absent, ESO reads the " +
                "cluster's name, location and project from the GKE metadata server.",
              required: ["name", "location"],
              additionalProperties: false,
              properties: {
                name: {
                  ...rule(
                    PATTERNS.dns1035Label,
                    "a GKE cluster name: lowercase letters, digits and '-', starting with a letter, at most " +
                      "40 characters",
                    { maxLength: 40 },
                  ),
                  description: "GKE cluster name (SecretStore clusterName).",
                },
                location: {
                  ...rule(PATTERNS.gcpLocation, "a GCP region or zone such as australia-southeast1 or us-central1-a"),
                  description: "GKE cluster location (SecretStore clusterLocation).",
                },
                projectId: {
                  ...rule(
                    PATTERNS.projectId,
                    "a GCP project id: 6-30 characters, lowercase letters, digits and '-', starting with a " +
                      "letter, not ending with '-'",
                    { minLength: 6, maxLength: 30 },
                  ),
                  description: "Default gcp.projectId.",
                },
              },
            },
            configConnector: {
              type: "object",
              description:
                "When set, the Google Cloud resources the instance needs are generated as Config Connector objects " +
                "(docs/gcp.md): its Google service account and Workload Identity binding, the artifact bucket, the " +
                "database and its user on an existing Cloud SQL instance, the Secret Manager secrets, and " +
                "least-privilege IAM grants on each. When absent, they are created outside (Terraform) and nothing " +
                "of Config Connector is generated.",
              required: ["sqlInstance"],
              additionalProperties: false,
              properties: {
                sqlInstance: {
                  type: "object",
                  description:
                    "The existing Cloud SQL instance that holds the database: referenced, never created " +
                    "or changed.",
                  required: ["name"],
                  additionalProperties: false,
                  properties: {
                    name: {
                      ...rule(
                        PATTERNS.sqlInstance,
                        "a Cloud SQL instance id: lowercase letters, digits and '-', " +
                          "starting with a letter, at most 84 characters",
                        { maxLength: 84 },
                      ),
                      description: "Instance id (the last part of its connection name <project>:<region>:<instance>).",
                    },
                    projectId: {
                      ...rule(
                        PATTERNS.projectId,
                        "a GCP project id: 6-30 characters, lowercase letters, digits and " +
                          "'-', starting with a letter, not ending with '-'",
                        { minLength: 6, maxLength: 30 },
                      ),
                      description: "Project of the instance. Default gcp.projectId.",
                    },
                  },
                },
                databaseAuth: {
                  enum: ["password", "iam"],
                  default: "password",
                  description:
                    "How the server logs in to the database. password: a built-in user whose password is the " +
                    "db-password secret's value. iam: the Google service account itself (Cloud SQL IAM database " +
                    "authentication, needs server.cloudSqlProxy): no password exists, the proxy runs with " +
                    "--auto-iam-authn.",
                },
                database: {
                  ...rule(
                    PATTERNS.databaseName,
                    "a database name: 1-63 lowercase letters, digits and '_', starting " + "with a letter",
                    { maxLength: 63 },
                  ),
                  default: "mlflow",
                  description: "Name of the database created on the instance (SQLDatabase).",
                },
                databaseUser: {
                  ...rule(
                    PATTERNS.databaseUser,
                    "a database user name: 1-32 lowercase letters, digits, '_' and '-', " + "starting with a letter",
                    { maxLength: 32 },
                  ),
                  default: "mlflow",
                  description:
                    "With databaseAuth password: the built-in user created on the instance (SQLUser); the db-user " +
                    "secret must hold the same name. Not used with iam (the user is the service account).",
                },
                namespace: {
                  ...dns1123Label("a namespace"),
                  description:
                    "Namespace of the Config Connector objects. Default: the instance's namespace. Another namespace " +
                    "must exist already and be a destination of the Argo CD Application's project.",
                },
                mode: {
                  enum: ["cluster", "namespaced"],
                  default: "cluster",
                  description:
                    "How Config Connector is installed. cluster: one Google service account for the whole cluster " +
                    "(ConfigConnector spec.mode cluster); nothing more is generated. namespaced: each namespace " +
                    "names its own in a ConfigConnectorContext, which is generated with googleServiceAccount.",
                },
                googleServiceAccount: {
                  ...rule(
                    PATTERNS.serviceAccountEmail,
                    "a Google service account email " + "<id>@<project>.iam.gserviceaccount.com",
                  ),
                  description:
                    "With mode namespaced (required there): the Google service account Config Connector acts as in " +
                    "the namespace (ConfigConnectorContext spec.googleServiceAccount). It needs the roles to " +
                    "manage what is generated; see docs/gcp.md.",
                },
                bucketLocation: {
                  ...rule(
                    PATTERNS.bucketLocation,
                    "a Cloud Storage location: a multi-region (US, EU, ASIA), a " +
                      "dual-region (NAM4) or a region (australia-southeast1)",
                    { maxLength: 40 },
                  ),
                  default: "US",
                  description:
                    "Location of the artifact bucket (StorageBucket spec.location; fixed once the bucket " + "exists).",
                },
              },
            },
          },
        },
        namespace: { ...dns1123Label("a namespace"), description: "Namespace of the instance. Default metadata.name." },
        serviceAccountName: {
          ...dns1123Subdomain("a service account name"),
          description: "Kubernetes service account. Default metadata.name.",
        },
        labels: { ...labelMap, description: "Extra labels on every generated object." },
        partOf: {
          ...rule(
            PATTERNS.labelValue,
            "a label value: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
            { minLength: 1, maxLength: 63 },
          ),
          default: "mlflow",
          description:
            "The app.kubernetes.io/part-of label of every generated object: the larger application the instance " +
            "belongs to (zenml-mlops-stack, say). Not a selector label, so it can change without recreating " +
            "anything.",
        },
        database: {
          default: {},
          type: "object",
          description: "The MLflow backend database, whose credentials live in Secret Manager.",
          additionalProperties: false,
          properties: {
            driver: {
              enum: ["pymysql", "mysqldb", "mysqlconnector", "psycopg2", "pg8000"],
              default: "pymysql",
              description:
                "SQLAlchemy driver; the URL scheme follows (pymysql: mysql+pymysql). MLflow's -full images carry " +
                "pymysql and psycopg2 only: with spec.server, mysqldb, mysqlconnector and pg8000 need " +
                "spec.server.customImage. PyMySQL sends the password encoded as latin-1 (PyMySQL #1252): with " +
                "pymysql a non-ASCII password cannot log in, so keep it ASCII or use mysqldb (mysqlclient, in an " +
                "image that carries it); psycopg2 takes any password. See docs/database.md.",
            },
            secrets: {
              default: {},
              type: "object",
              description: "Secret Manager secret ids (in gcp.projectId).",
              additionalProperties: false,
              properties: {
                user: secretId("<stack>-<name>-db-user"),
                password: secretId("<stack>-<name>-db-password"),
                connection: {
                  ...secretId("<stack>-<name>-db-connection"),
                  description:
                    "Secret Manager secret id of a JSON object with host, port and database. Default " +
                    '"<stack>-<name>-db-connection".',
                },
              },
            },
          },
        },
        externalSecrets: {
          default: {},
          type: "object",
          description: "External Secrets Operator settings.",
          additionalProperties: false,
          properties: {
            refreshInterval: {
              ...rule(PATTERNS.duration, "a Go duration such as 30m, 1h or 1h30m (0 disables refresh)"),
              default: "1h",
              description: "How often ESO re-reads Secret Manager (rotated passwords arrive within this time).",
            },
            serviceAccount: {
              ...dns1123Subdomain("a service account name"),
              description:
                "A Kubernetes service account of its own for the SecretStore, so that the " +
                "tracking server's account does not also read Secret Manager. Default: spec.serviceAccountName, " +
                "the one account of the instance.",
            },
            gcpServiceAccount: {
              ...googleServiceAccount,
              description:
                "Google service account that externalSecrets.serviceAccount is bound to by Workload Identity: " +
                "the one granted Secret Manager access. Default: gcp.serviceAccount. An id is taken to be in " +
                "gcp.projectId.",
            },
            controller: {
              default: {},
              type: "object",
              description:
                "The ESO controller's service account, granted a token for the instance's service account (the " +
                "SecretStore authenticates as it).",
              additionalProperties: false,
              properties: {
                namespace: {
                  ...dns1123Label("a namespace"),
                  default: "external-secrets",
                  description: "Namespace of the ESO controller.",
                },
                serviceAccount: {
                  ...dns1123Subdomain("a service account name"),
                  default: "external-secrets",
                  description: "Service account of the ESO controller.",
                },
              },
            },
          },
        },
        artifacts: {
          type: "object",
          description: "Where MLflow stores artifacts.",
          additionalProperties: false,
          properties: {
            bucket: {
              ...rule(
                PATTERNS.bucket,
                "a GCS bucket name: 3-63 characters (222 with dots) of lowercase letters, digits, '-', '_' " +
                  "and '.', starting and ending with a letter or digit",
              ),
              description: 'GCS bucket for artifacts. Default "<stack>-<name>-artifacts".',
            },
          },
        },
        argocd: {
          type: "object",
          description: "When set, an Argo CD Application that deploys this instance.",
          required: ["repoURL"],
          additionalProperties: false,
          properties: {
            repoURL: {
              ...rule(
                PATTERNS.repoURL,
                "a Git or OCI repository URL (https://, ssh://, git@ or oci://) without spaces",
              ),
              description: "Repository that holds the kustomization to deploy.",
            },
            path: {
              ...rule(
                PATTERNS.repoPath,
                "'.' or a relative path inside the repository that starts with neither '/' nor '.' " +
                  "(overlays/prod, not ./overlays/prod)",
              ),
              default: ".",
              description: "Path of the kustomization in the repository (an overlay).",
            },
            targetRevision: {
              type: "string",
              minLength: 1,
              default: "HEAD",
              description: "Branch, tag or commit to deploy.",
            },
            project: {
              ...dns1123Subdomain("an Argo CD project name"),
              default: "default",
              description: "Argo CD project of the Application.",
            },
            namespace: {
              ...dns1123Label("a namespace"),
              default: "argocd",
              description: "Namespace of Argo CD, where the Application lives.",
            },
            server: {
              ...rule("^https://\\S+$", "an https:// URL of the destination cluster's API server"),
              default: "https://kubernetes.default.svc",
              description: "Destination cluster.",
            },
            syncWave: {
              type: "integer",
              minimum: -1000,
              maximum: 1000,
              default: 3,
              description:
                "The Application's argocd.argoproj.io/sync-wave in an app of apps (after ESO and cert-manager).",
            },
            plugin: {
              ...dns1123Subdomain("a Config Management Plugin name"),
              description:
                "Config Management Plugin that renders the source (spec.source.plugin.name), e.g. the " +
                "mlflow-infra sidecar of deploy/argocd/cmp. Default: none (Argo CD's own kustomize).",
            },
            applicationOnly: {
              type: "boolean",
              default: false,
              description:
                "Emit only the Application: for an app-of-apps root whose Applications point at overlays " +
                "that render the instance itself.",
            },
          },
        },
        server: {
          type: "object",
          description:
            "When set, the MLflow tracking server itself: Deployment, Service, migration Job, NetworkPolicy, and " +
            "optionally a Gateway route or an Ingress (docs/exposure.md), Cloud SQL Auth Proxy, PodDisruptionBudget, " +
            "HorizontalPodAutoscaler and PodMonitoring. When absent, no server object is generated.",
          required: ["image"],
          additionalProperties: false,
          properties: {
            image: {
              ...rule(
                PATTERNS.image,
                "a container image reference such as ghcr.io/mlflow/mlflow:v3.10.0-full, optionally @sha256:<digest>",
                { maxLength: 512 },
              ),
              description:
                "MLflow image (required); needs the MySQL/PostgreSQL drivers and google-cloud-storage, which the " +
                "-full images carry. Pin a digest (image:tag@sha256:...): a tag-only reference is a warning.",
            },
            customImage: {
              type: "boolean",
              default: false,
              description:
                "The image is a build of your own, not MLflow's: set it when it carries a database driver " +
                "MLflow's -full images lack (database.driver mysqldb, mysqlconnector or pg8000, refused " +
                "otherwise). See docs/database.md.",
            },
            podAnnotations: {
              type: "object",
              propertyNames: labelMap.propertyNames,
              additionalProperties: { type: "string", maxLength: 4096 },
              description:
                "Extra annotations on the tracking server's pods (the Deployment's pod template), after the " +
                "generated kubectl.kubernetes.io/default-container; for agents and tools that read pod annotations.",
            },
            replicas: {
              type: "integer",
              minimum: 1,
              maximum: 50,
              default: 1,
              description:
                "Server pods. Above 1, a PodDisruptionBudget and topology spread are added. With " +
                "autoscaling, the default of autoscaling.minReplicas.",
            },
            workers: {
              type: "integer",
              minimum: 1,
              maximum: 32,
              default: 2,
              description: "uvicorn worker processes per pod (mlflow server --workers).",
            },
            resources: {
              type: "object",
              additionalProperties: false,
              properties: { requests: quantities, limits: quantities },
              default: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "2Gi" } },
              description: "Requests and limits of the MLflow container. Autoscaling needs requests.cpu.",
            },
            ingress: {
              type: "object",
              description:
                "When set, an Ingress for this host, and the host is added to MLFLOW_SERVER_ALLOWED_HOSTS and " +
                "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS. With className gce or gce-internal (GKE's own Ingress, a " +
                "Google Cloud load balancer): the kubernetes.io/ingress.class annotation, container-native load " +
                "balancing (NEG) and a BackendConfig (health check /health, backend timeout, Identity-Aware " +
                "Proxy with auth.mode iap) on the Service. With any other className (taken to be ingress-nginx, " +
                "which is retired: a warning says so): spec.ingressClassName and nginx annotations for large, " +
                "slow uploads. Excludes gateway.",
              required: ["host"],
              additionalProperties: false,
              properties: {
                host: { ...dns1123Subdomain("a host name"), description: "Public host name of the tracking server." },
                className: {
                  ...dns1123Subdomain("an IngressClass name"),
                  default: "gce",
                  description:
                    "IngressClass of the ingress controller; gce and gce-internal select GKE's own Ingress " +
                    "(external or internal Application Load Balancer).",
                },
                clusterIssuer: {
                  ...dns1123Subdomain("a cert-manager ClusterIssuer name"),
                  description:
                    "When set, TLS with a certificate from this cert-manager ClusterIssuer (secret <name>-tls).",
                },
                maxBodySize: {
                  ...rule(
                    PATTERNS.bodySize,
                    "an nginx size: a number with an optional k, m or g suffix; 0 means unlimited",
                  ),
                  default: "1g",
                  description:
                    "Largest request body ingress-nginx accepts (artifact uploads); not used with className " +
                    "gce or gce-internal.",
                },
              },
            },
            gateway: {
              type: "object",
              description:
                "When set, an HTTPRoute (Gateway API, GKE's Gateway controller) for this host, with a " +
                "HealthCheckPolicy (/health) and a GCPBackendPolicy (backend timeout for large uploads; " +
                "Identity-Aware Proxy with auth.mode iap) on the Service. With parentRef, the route attaches to " +
                "an existing shared Gateway; without it, the function creates a Gateway of className with TLS " +
                "from certificateMap or clusterIssuer. Excludes ingress. See docs/exposure.md.",
              required: ["host"],
              additionalProperties: false,
              properties: {
                host: {
                  ...dns1123Subdomain("a host name"),
                  description:
                    "Host name of the tracking server (HTTPRoute hostnames); added to MLFLOW_SERVER_ALLOWED_HOSTS " +
                    "and the CORS origins.",
                },
                parentRef: {
                  type: "object",
                  description:
                    "The shared Gateway to attach to (usually run by the platform team, one per cluster). Its " +
                    "listener must admit routes from the instance's namespace (allowedRoutes).",
                  required: ["name", "namespace"],
                  additionalProperties: false,
                  properties: {
                    name: { ...dns1123Subdomain("a Gateway name"), description: "Name of the Gateway." },
                    namespace: { ...dns1123Label("a namespace"), description: "Namespace of the Gateway." },
                    sectionName: {
                      ...dns1123Subdomain("a listener name"),
                      description:
                        "Listener of the Gateway to attach to. Default: every listener that admits the route.",
                    },
                    internal: {
                      type: "boolean",
                      default: false,
                      description:
                        "The Gateway is internal (class gke-l7-rilb or another internal class): reachable from the " +
                        "VPC only. Decides whether auth.mode none is allowed and whether the NetworkPolicy admits " +
                        "proxyOnlySubnetCidrs.",
                    },
                  },
                },
                className: {
                  enum: ["gke-l7-global-external-managed", "gke-l7-rilb"],
                  default: "gke-l7-global-external-managed",
                  description:
                    "GatewayClass of the Gateway the function creates (without parentRef): the global external " +
                    "Application Load Balancer, or the regional internal one (needs a proxy-only subnet).",
                },
                certificateMap: {
                  ...rule(
                    "^[a-z]([-a-z0-9]*[a-z0-9])?$",
                    "a Certificate Manager certificate map name: lowercase letters, digits and '-', starting with " +
                      "a letter",
                    { maxLength: 63 },
                  ),
                  description:
                    "TLS of the created Gateway from this Certificate Manager certificate map (annotation " +
                    "networking.gke.io/certmap); className gke-l7-global-external-managed only.",
                },
                clusterIssuer: {
                  ...dns1123Subdomain("a cert-manager ClusterIssuer name"),
                  description:
                    "TLS of the created Gateway from a cert-manager Certificate issued by this ClusterIssuer " +
                    "(secret <name>-tls).",
                },
              },
            },
            auth: {
              type: "object",
              description:
                "Who may use the tracking server. mode iap: Identity-Aware Proxy in Google's load balancer (a " +
                "Gateway, or an Ingress of class gce or gce-internal); grant roles/iap.httpsResourceAccessor on " +
                "the GCP side (docs/exposure.md). basic-auth: MLflow's own basic-auth app (mlflow server " +
                "--app-name basic-auth), admin password from Secret Manager, users and permissions in a separate " +
                "database on the same server. none: no authentication; refused when the server is reachable from " +
                "outside the cluster (an external Gateway or Ingress), allowed with a warning otherwise. " +
                "Default: iap behind a Gateway or a gce/gce-internal Ingress, basic-auth behind any other " +
                "Ingress, none for a ClusterIP-only server.",
              additionalProperties: false,
              properties: {
                mode: {
                  enum: ["iap", "basic-auth", "none"],
                  description: "iap, basic-auth or none; the default depends on the exposure (see auth).",
                },
                iap: {
                  type: "object",
                  description: "Settings of mode iap.",
                  additionalProperties: false,
                  properties: {
                    oauthClient: {
                      type: "object",
                      description:
                        "A custom OAuth client for IAP (users outside the organization, or a GKE version that " +
                        "needs one). Without it, GKE leaves IAP to the Google-managed OAuth client. Its secret " +
                        "comes from Secret Manager through an ExternalSecret (<name>-iap-oauth).",
                      required: ["clientId"],
                      additionalProperties: false,
                      properties: {
                        clientId: {
                          ...rule(
                            "^[0-9]+-[a-z0-9]+\\.apps\\.googleusercontent\\.com$",
                            "an OAuth client id: <number>-<id>.apps.googleusercontent.com",
                            { maxLength: 255 },
                          ),
                          description: "The OAuth client's id.",
                        },
                        clientSecret: secretId("<stack>-<name>-iap-client-secret"),
                      },
                    },
                  },
                },
                basicAuth: {
                  type: "object",
                  description: "Settings of mode basic-auth.",
                  additionalProperties: false,
                  properties: {
                    adminUsername: {
                      ...rule("^[A-Za-z0-9_.@-]{1,64}$", "1-64 letters, digits, '_', '.', '@' or '-'"),
                      default: "admin",
                      description: "The admin user MLflow creates at start-up.",
                    },
                    adminPasswordSecret: secretId("<stack>-<name>-admin-password"),
                    database: {
                      ...rule(
                        "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                        "a database name: 1-63 letters, digits and '_', not starting with a digit",
                      ),
                      description:
                        "Database of users and permissions, on the tracking database's server (created by the " +
                        "migration Job). Default: the tracking database's name followed by _auth.",
                    },
                    defaultPermission: {
                      enum: ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"],
                      default: "READ",
                      description: "Permission every user has on resources nobody granted them.",
                    },
                  },
                },
              },
            },
            metrics: {
              type: "object",
              description:
                "Prometheus metrics: mlflow server --expose-prometheus (GET /metrics on port 5000) and a " +
                "PodMonitoring for Google Cloud Managed Service for Prometheus; the NetworkPolicy admits its " +
                "collectors (namespaces gmp-system and gke-gmp-system) and MLFLOW_SERVER_ALLOWED_HOSTS the " +
                "pod addresses they scrape (10.*:5000; add other pod ranges to allowedHosts). Not with " +
                "auth.mode basic-auth, which protects /metrics.",
              additionalProperties: false,
              properties: {
                enabled: { type: "boolean", default: false, description: "Expose and scrape the metrics." },
                interval: {
                  ...rule("^[0-9]+(ms|s|m|h)$", "a Prometheus duration such as 30s or 1m"),
                  default: "60s",
                  description: "Scrape interval.",
                },
              },
            },
            databasePool: {
              type: "object",
              description:
                "SQLAlchemy connection pool of each server worker (MLFLOW_SQLALCHEMYSTORE_POOL_SIZE, " +
                "MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW, MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE); unset fields keep " +
                "SQLAlchemy's defaults (5, 10, no recycling). With connectionLimit, a warning when every worker " +
                "of every pod could together open more connections than the database allows.",
              additionalProperties: false,
              properties: {
                size: {
                  type: "integer",
                  minimum: 1,
                  maximum: 500,
                  description: "Connections each worker keeps open. Default (SQLAlchemy) 5.",
                },
                maxOverflow: {
                  type: "integer",
                  minimum: 0,
                  maximum: 500,
                  description: "Extra connections a worker opens under load. Default (SQLAlchemy) 10.",
                },
                recycleSeconds: {
                  type: "integer",
                  minimum: 1,
                  maximum: 86400,
                  description:
                    "Replace connections older than this (below the server's idle timeout, e.g. MySQL's wait_timeout).",
                },
                connectionLimit: {
                  type: "integer",
                  minimum: 1,
                  maximum: 1000000,
                  description:
                    "The database server's connection limit (Cloud SQL: max_connections), for the warning only.",
                },
              },
            },
            cloudSqlProxy: {
              type: "object",
              description:
                "When set, the Cloud SQL Auth Proxy runs as a native sidecar (an init container with " +
                "restartPolicy Always) in the server and migration pods, and the connection URL points at " +
                "127.0.0.1. Needs Kubernetes 1.29 or later.",
              required: ["instanceConnectionName"],
              additionalProperties: false,
              properties: {
                instanceConnectionName: {
                  ...rule(
                    PATTERNS.instanceConnectionName,
                    "a Cloud SQL instance connection name: <project>:<region>:<instance>",
                  ),
                  description: "The instance to connect to.",
                },
                privateIp: {
                  type: "boolean",
                  default: false,
                  description: "Connect over the instance's private IP (--private-ip).",
                },
                image: {
                  ...rule(PATTERNS.image, "a container image reference", { maxLength: 512 }),
                  default: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.25.3",
                  description:
                    "Cloud SQL Auth Proxy image (releases: the CHANGELOG of GoogleCloudPlatform/cloud-sql-proxy). " +
                    "Pin a digest (image:tag@sha256:...): a tag-only reference, the default included, is a " +
                    "warning.",
                },
                resources: {
                  type: "object",
                  additionalProperties: false,
                  properties: { requests: quantities, limits: quantities },
                  default: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                  description: "Requests and limits of the proxy container.",
                },
              },
            },
            autoscaling: {
              type: "object",
              description:
                "When set, a HorizontalPodAutoscaler (autoscaling/v2) on CPU; the Deployment then leaves " +
                "replicas to it.",
              required: ["maxReplicas"],
              additionalProperties: false,
              properties: {
                minReplicas: { type: "integer", minimum: 1, maximum: 100, description: "Default server.replicas." },
                maxReplicas: {
                  type: "integer",
                  minimum: 1,
                  maximum: 100,
                  description: "Upper bound of the autoscaler.",
                },
                targetCPUUtilizationPercentage: {
                  type: "integer",
                  minimum: 10,
                  maximum: 100,
                  default: 75,
                  description: "Average CPU use, in percent of requests.cpu, the autoscaler aims for.",
                },
              },
            },
            allowedHosts: {
              default: [],
              type: "array",
              maxItems: 50,
              uniqueItems: true,
              items: rule(
                PATTERNS.allowedHost,
                "a Host header value or fnmatch pattern (letters, digits, '.', '-', '_', ':', '*', '[', " +
                  "']'), without commas or spaces",
                { maxLength: 260 },
              ),
              description:
                "Extra MLFLOW_SERVER_ALLOWED_HOSTS entries, after the generated ones (the gateway's or ingress's " +
                "host, every in-cluster Service name with and without port, localhost, and with metrics 10.*:5000). " +
                "MLflow compares the whole Host header, port included; an entry with '*' is an fnmatch pattern.",
            },
            tmpSizeLimit: {
              ...rule(PATTERNS.quantity, "a Kubernetes quantity such as 512Mi or 4Gi"),
              default: "4Gi",
              description:
                "sizeLimit of the /tmp emptyDir (the root filesystem is read-only). MLflow spools every " +
                "proxied artifact upload and download there, so it must hold the largest artifact times the " +
                "concurrent transfers; past it the kubelet evicts the pod.",
            },
            runAsUser: {
              type: "integer",
              minimum: 1,
              maximum: 2147483647,
              default: 10001,
              description: "Numeric UID and GID of the MLflow containers (non-root; the official image has no USER).",
            },
            networkPolicy: {
              default: {},
              type: "object",
              description: "The NetworkPolicy of the server and migration pods.",
              additionalProperties: false,
              properties: {
                enabled: {
                  type: "boolean",
                  default: true,
                  description:
                    "Generate the NetworkPolicy: ingress to 5000 only from the ingress controller's " +
                    "namespace (behind a " +
                    "Gateway or an ingress of className gce or gce-internal: from Google's load balancer ranges " +
                    "35.191.0.0/16 and 130.211.0.0/22, and proxyOnlySubnetCidrs when internal), clientNamespaces, " +
                    "Managed Prometheus' collectors with metrics, and the instance's namespace unless " +
                    "auth.mode is iap; " +
                    "egress only to DNS, the GKE metadata server, TCP 443 (for Google APIs; to any address unless " +
                    "googleApis narrows it) and the database port within databaseCidrs (any address by default).",
                },
                ingressControllerNamespace: {
                  ...dns1123Label("a namespace"),
                  default: "ingress-nginx",
                  description:
                    "Namespace of the ingress controller allowed to reach port 5000 (with an ingress whose " +
                    "className is neither gce nor gce-internal).",
                },
                clientNamespaces: {
                  default: [],
                  type: "array",
                  maxItems: 50,
                  uniqueItems: true,
                  items: dns1123Label("a namespace"),
                  description: "Other namespaces whose pods may call the tracking server (pipelines, notebooks).",
                },
                proxyOnlySubnetCidrs: {
                  default: [],
                  type: "array",
                  maxItems: 20,
                  uniqueItems: true,
                  items: rule(PATTERNS.ipv4Cidr, "an IPv4 CIDR such as 10.129.0.0/23"),
                  description:
                    "With an internal load balancer (ingress className gce-internal, a gke-l7-rilb Gateway, or a " +
                    "shared Gateway marked internal): the proxy-only subnet of the cluster's region (gcloud compute " +
                    "networks subnets list --filter=purpose=REGIONAL_MANAGED_PROXY), where its proxies connect from; " +
                    "without it they cannot reach port 5000. Not used otherwise.",
                },
                googleApis: {
                  enum: ["any", "private", "restricted"],
                  default: "any",
                  description:
                    "Where the pods may open TCP 443, which they need for Google APIs (Cloud Storage, the " +
                    "Cloud SQL Admin API). any: 0.0.0.0/0, every HTTPS destination, since Google APIs on " +
                    "their default domains have no small fixed range. private: only " +
                    "private.googleapis.com's VIP 199.36.153.8/30; restricted: only " +
                    "restricted.googleapis.com's 199.36.153.4/30 (VPC Service Controls). Both need Private " +
                    "Google Access and a Cloud DNS private zone that resolves googleapis.com names to that VIP; " +
                    "otherwise the server cannot reach its bucket.",
                },
                databaseCidrs: {
                  type: "array",
                  minItems: 1,
                  maxItems: 20,
                  uniqueItems: true,
                  items: rule(PATTERNS.ipv4Cidr, "an IPv4 CIDR such as 10.20.0.0/16"),
                  default: ["0.0.0.0/0"],
                  description:
                    "Where the database port (3306 or 5432; with cloudSqlProxy, the Cloud SQL instance's " +
                    "3307) may be reached. The default, 0.0.0.0/0, allows that port to any address: narrow " +
                    "it to the Cloud SQL private range.",
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
