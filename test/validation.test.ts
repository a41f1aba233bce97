/**
 * Bad input, case by case: every error names the exact field and states the rule, the
 * function fails (exit 1), the input items come back byte for byte and nothing is generated.
 * Warnings (legal but risky values) do not fail the run.
 */
import { spawnSync } from "node:child_process";
import { stringify } from "yaml";
import { processResourceList } from "../function/processor.js";
import { asItem, generatedItems, parseOutput, resourceList } from "./helpers/krm.js";
import { DIST, requireFile } from "./helpers/paths.js";

type Config = {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: Record<string, any>;
} & Record<string, any>;

function seed(): Config {
  return {
    apiVersion: "mlflow-infra.dev/v1alpha1",
    kind: "MlflowConfig",
    metadata: { name: "mlflow" },
    spec: { stack: "zenml", gcp: { projectId: "zenml-470505" } },
  };
}

function configText(mutate: (c: Config) => void): string {
  const c = seed();
  mutate(c);
  return stringify(c);
}

/** An unrelated item of the user's whose bytes must survive a failed run. */
const USER_ITEM = `# the user's own file
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings # keep me
data:
  mode: 0755
  version: 1.0
  released: 2024-01-01
  enabled: yes
`;

const HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";

interface BadCase {
  name: string;
  /** The functionConfig's YAML text; undefined for no functionConfig. */
  config: string | undefined;
  /** The exact field path of the error result. */
  path: string;
  /** Words of the rule the message must state. */
  rule: string[];
}

const argocd = { repoURL: "https://github.com/example/mlops.git" };
const CLUSTER = { name: "zenml", location: "australia-southeast1" };
const PSA = "pod-security.kubernetes.io/";
const CONTROLLER_SA = "spec.externalSecrets.controller.serviceAccount";
const STORE_SA = "spec.externalSecrets.serviceAccount";
const STORE_GSA = "spec.externalSecrets.gcpServiceAccount";

/** A bad config: the seed changed by `mutate`, refused with an error at `path` stating `rule`. */
function bad(name: string, mutate: (c: Config) => void, path: string, rule: string[]): BadCase {
  return { name, config: configText(mutate), path, rule };
}

const BAD: BadCase[] = [
  // spec.gcp.projectId
  {
    name: "projectId missing",
    config: configText((c) => delete c.spec.gcp.projectId),
    path: "spec.gcp.projectId",
    rule: ["is required"],
  },
  {
    name: "projectId too short",
    config: configText((c) => (c.spec.gcp.projectId = "abc")),
    path: "spec.gcp.projectId",
    rule: ["6-30 characters", "(3 characters)"],
  },
  {
    name: "projectId uppercase",
    config: configText((c) => (c.spec.gcp.projectId = "Zenml-470505")),
    path: "spec.gcp.projectId",
    rule: ["lowercase letters", '"Zenml-470505"'],
  },
  {
    name: "projectId trailing hyphen",
    config: configText((c) => (c.spec.gcp.projectId = "zenml-470505-")),
    path: "spec.gcp.projectId",
    rule: ["not ending with '-'"],
  },
  {
    name: "projectId 31 characters",
    config: configText((c) => (c.spec.gcp.projectId = `a${"b".repeat(30)}`)),
    path: "spec.gcp.projectId",
    rule: ["6-30 characters", "(31 characters)"],
  },
  {
    name: "projectId starting with a digit",
    config: configText((c) => (c.spec.gcp.projectId = "1zenml-470505")),
    path: "spec.gcp.projectId",
    rule: ["starting with a letter"],
  },
  {
    name: "projectId a number",
    config: configText((c) => (c.spec.gcp.projectId = 12345678)),
    path: "spec.gcp.projectId",
    rule: ["must be a string", "quote it"],
  },
  {
    name: "cluster projectId malformed",
    config: configText(
      (c) => (c.spec.gcp.cluster = { name: "zenml", location: "australia-southeast1", projectId: "X" }),
    ),
    path: "spec.gcp.cluster.projectId",
    rule: ["GCP project id"],
  },
  {
    name: "cluster without location",
    config: configText((c) => (c.spec.gcp.cluster = { name: "zenml" })),
    path: "spec.gcp.cluster.location",
    rule: ["is required"],
  },
  // service account
  {
    name: "serviceAccount id too short",
    config: configText((c) => (c.spec.gcp.serviceAccount = "ab")),
    path: "spec.gcp.serviceAccount",
    rule: ["Google service account id", "6-30 characters"],
  },
  {
    name: "serviceAccount id with underscore",
    config: configText((c) => (c.spec.gcp.serviceAccount = "zenml_mlflow")),
    path: "spec.gcp.serviceAccount",
    rule: ["Google service account id"],
  },
  {
    name: "serviceAccount email of another domain",
    config: configText((c) => (c.spec.gcp.serviceAccount = "zenml-mlflow@gmail.com")),
    path: "spec.gcp.serviceAccount",
    rule: ["<id>@<project>.iam.gserviceaccount.com"],
  },
  {
    name: "serviceAccount email with a bad project",
    config: configText((c) => (c.spec.gcp.serviceAccount = "zenml-mlflow@Zenml.iam.gserviceaccount.com")),
    path: "spec.gcp.serviceAccount",
    rule: ["<id>@<project>.iam.gserviceaccount.com"],
  },
  // Secret Manager ids
  {
    name: "secret id with a space",
    config: configText((c) => (c.spec.database = { secrets: { user: "db user" } })),
    path: "spec.database.secrets.user",
    rule: ["Secret Manager secret id", "1-255 letters, digits, '_' or '-'"],
  },
  {
    name: "secret id with a slash",
    config: configText((c) => (c.spec.database = { secrets: { connection: "projects/x/secrets/y" } })),
    path: "spec.database.secrets.connection",
    rule: ["Secret Manager secret id"],
  },
  {
    name: "secret id of 256 characters",
    config: configText((c) => (c.spec.database = { secrets: { password: "p".repeat(256) } })),
    path: "spec.database.secrets.password",
    rule: ["1-255", "(256 characters)"],
  },
  {
    name: "secret id empty",
    config: configText((c) => (c.spec.database = { secrets: { password: "" } })),
    path: "spec.database.secrets.password",
    rule: ["1-255"],
  },
  // GCS bucket
  {
    name: "bucket starting with goog",
    config: configText((c) => (c.spec.artifacts = { bucket: "goog-artifacts" })),
    path: "spec.artifacts.bucket",
    rule: ['must not start with "goog"'],
  },
  {
    name: "bucket containing google",
    config: configText((c) => (c.spec.artifacts = { bucket: "my-google-artifacts" })),
    path: "spec.artifacts.bucket",
    rule: ['must not contain "google"'],
  },
  {
    name: "bucket containing g00gle",
    config: configText((c) => (c.spec.artifacts = { bucket: "my-g00gle-artifacts" })),
    path: "spec.artifacts.bucket",
    rule: ["close misspellings"],
  },
  {
    name: "bucket that is an IP address",
    config: configText((c) => (c.spec.artifacts = { bucket: "192.168.5.4" })),
    path: "spec.artifacts.bucket",
    rule: ["must not be an IP address"],
  },
  {
    name: "bucket of 64 characters",
    config: configText((c) => (c.spec.artifacts = { bucket: "b".repeat(64) })),
    path: "spec.artifacts.bucket",
    rule: ["at most 63 characters"],
  },
  {
    name: "bucket with a dot part of 64 characters",
    config: configText((c) => (c.spec.artifacts = { bucket: `${"b".repeat(64)}.example.com` })),
    path: "spec.artifacts.bucket",
    rule: ["dot-separated parts of 1-63 characters"],
  },
  {
    name: "bucket with -.",
    config: configText((c) => (c.spec.artifacts = { bucket: "mlflow-.artifacts" })),
    path: "spec.artifacts.bucket",
    rule: ["'-' next to '.'"],
  },
  {
    name: "bucket with uppercase",
    config: configText((c) => (c.spec.artifacts = { bucket: "MLflow-artifacts" })),
    path: "spec.artifacts.bucket",
    rule: ["GCS bucket name", "lowercase letters"],
  },
  {
    name: "bucket of 2 characters",
    config: configText((c) => (c.spec.artifacts = { bucket: "ab" })),
    path: "spec.artifacts.bucket",
    rule: ["3-63 characters"],
  },
  // names and namespaces
  {
    name: "metadata.name not DNS",
    config: configText((c) => (c.metadata.name = "MLflow_1")),
    path: "metadata.name",
    rule: ["DNS-1035 label"],
  },
  {
    name: "metadata.name too long",
    config: configText((c) => (c.metadata.name = `m${"l".repeat(40)}`)),
    path: "metadata.name",
    rule: ["at most 40 characters"],
  },
  {
    name: "metadata.name missing",
    config: configText((c) => delete c.metadata.name),
    path: "metadata.name",
    rule: ["is required"],
  },
  {
    name: "misspelt metadata field",
    config: configText((c) => (c.metadata.lables = { team: "ml" })),
    path: "metadata.lables",
    rule: ["is not a known field", "did you mean labels?"],
  },
  {
    name: "argocd.path starting with ./",
    config: configText(
      (c) => (c.spec.argocd = { repoURL: "https://github.com/example/mlops.git", path: "./overlays/prod" }),
    ),
    path: "spec.argocd.path",
    rule: ["not ./overlays/prod"],
  },
  {
    name: "spec.namespace not DNS-1123",
    config: configText((c) => (c.spec.namespace = "Team.ML")),
    path: "spec.namespace",
    rule: ["DNS-1123 label"],
  },
  {
    name: "spec.namespace of 64 characters",
    config: configText((c) => (c.spec.namespace = "n".repeat(64))),
    path: "spec.namespace",
    rule: ["DNS-1123 label", "at most 63"],
  },
  {
    name: "spec.serviceAccountName not DNS-1123",
    config: configText((c) => (c.spec.serviceAccountName = "MLflow")),
    path: "spec.serviceAccountName",
    rule: ["DNS-1123 subdomain"],
  },
  {
    name: "argocd.namespace not DNS-1123",
    config: configText((c) => (c.spec.argocd = { ...argocd, namespace: "-argocd" })),
    path: "spec.argocd.namespace",
    rule: ["DNS-1123 label"],
  },
  {
    name: "controller namespace not DNS-1123",
    config: configText((c) => (c.spec.externalSecrets = { controller: { namespace: "ESO" } })),
    path: "spec.externalSecrets.controller.namespace",
    rule: ["DNS-1123 label"],
  },
  // unknown fields
  {
    name: "typo spec.gcp.projctId",
    config: configText((c) => (c.spec.gcp = { projctId: "zenml-470505" })),
    path: "spec.gcp.projctId",
    rule: ["is not a known field", "did you mean projectId?"],
  },
  {
    name: "typo spec.stak",
    config: configText((c) => (c.spec.stak = "zenml")),
    path: "spec.stak",
    rule: ["did you mean stack?"],
  },
  {
    name: "typo spec.argocd.syncwave",
    config: configText((c) => (c.spec.argocd = { ...argocd, syncwave: 3 })),
    path: "spec.argocd.syncwave",
    rule: ["did you mean syncWave?"],
  },
  {
    name: "unknown top-level field",
    config: configText((c) => (c.status = {})),
    path: "status",
    rule: ["is not a known field", "allowed here: apiVersion, kind, metadata, spec"],
  },
  // wrong types
  {
    name: "syncWave quoted",
    config: configText((c) => (c.spec.argocd = { ...argocd, syncWave: "3" })),
    path: "spec.argocd.syncWave",
    rule: ["must be an integer", "without quotes"],
  },
  {
    name: "syncWave 3.5",
    config: configText((c) => (c.spec.argocd = { ...argocd, syncWave: 3.5 })),
    path: "spec.argocd.syncWave",
    rule: ["must be an integer", "3.5"],
  },
  {
    name: "syncWave out of range",
    config: configText((c) => (c.spec.argocd = { ...argocd, syncWave: 5000 })),
    path: "spec.argocd.syncWave",
    rule: ["at most 1000"],
  },
  {
    name: "applicationOnly a string",
    config: configText((c) => (c.spec.argocd = { ...argocd, applicationOnly: "yes" })),
    path: "spec.argocd.applicationOnly",
    rule: ["must be true or false"],
  },
  {
    name: "spec.gcp a string",
    config: configText((c) => (c.spec.gcp = "zenml-470505")),
    path: "spec.gcp",
    rule: ["must be a mapping"],
  },
  {
    name: "spec empty",
    config: configText((c) => (c.spec = null as never)),
    path: "spec",
    rule: ["must be a mapping", "null"],
  },
  {
    name: "labels a list",
    config: configText((c) => (c.spec.labels = ["team=ml"])),
    path: "spec.labels",
    rule: ["must be a mapping", "a list"],
  },
  {
    name: "database driver unknown",
    config: configText((c) => (c.spec.database = { driver: "mysql" })),
    path: "spec.database.driver",
    rule: ['must be one of "pymysql"'],
  },
  {
    name: "refreshInterval not a duration",
    config: configText((c) => (c.spec.externalSecrets = { refreshInterval: "1 hour" })),
    path: "spec.externalSecrets.refreshInterval",
    rule: ["Go duration"],
  },
  {
    name: "argocd repoURL not a URL",
    config: configText((c) => (c.spec.argocd = { repoURL: "github.com example" })),
    path: "spec.argocd.repoURL",
    rule: ["repository URL"],
  },
  {
    name: "argocd without repoURL",
    config: configText((c) => (c.spec.argocd = { path: "overlays/prod" })),
    path: "spec.argocd.repoURL",
    rule: ["is required"],
  },
  // apiVersion and kind
  {
    name: "apiVersion wrong",
    config: configText((c) => (c.apiVersion = "mlflow-infra.dev/v1")),
    path: "apiVersion",
    rule: ['must be "mlflow-infra.dev/v1alpha1"'],
  },
  {
    name: "kind misspelt",
    config: configText((c) => (c.kind = "MLflowConfig")),
    path: "kind",
    rule: ["must be MlflowConfig"],
  },
  {
    name: "functionConfig of another kind",
    config: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n",
    path: "kind",
    rule: ["must be MlflowConfig", '"Deployment"'],
  },
  {
    name: "ConfigMap of another apiVersion",
    config: "apiVersion: v2\nkind: ConfigMap\nmetadata:\n  name: function-input\n",
    path: "apiVersion",
    rule: ['must be "v1"'],
  },
  { name: "functionConfig missing", config: undefined, path: "functionConfig", rule: ["is missing", "MlflowConfig"] },
  // labels
  {
    name: "reserved label instance",
    config: configText((c) => (c.spec.labels = { "app.kubernetes.io/instance": "other" })),
    path: 'spec.labels["app.kubernetes.io/instance"]',
    rule: ["is set by mlflow-infra"],
  },
  {
    name: "reserved label managed-by",
    config: configText((c) => (c.spec.labels = { "app.kubernetes.io/managed-by": "helm" })),
    path: 'spec.labels["app.kubernetes.io/managed-by"]',
    rule: ["is set by mlflow-infra"],
  },
  {
    name: "label value with a space",
    config: configText((c) => (c.spec.labels = { team: "ml ops" })),
    path: "spec.labels.team",
    rule: ["label value"],
  },
  {
    name: "label value a number",
    config: configText((c) => (c.spec.labels = { cost: 42 })),
    path: "spec.labels.cost",
    rule: ["must be a string", "quote it"],
  },
  {
    name: "label key not valid",
    config: configText((c) => (c.spec.labels = { "team name": "ml" })),
    path: 'spec.labels["team name"]',
    rule: ["the key must be a label key"],
  },
  // values that hand the instance's identity to others
  ...["kube-system", "kube-public", "kube-node-lease", "default"].map((ns) =>
    bad(`spec.namespace ${ns}`, (c) => (c.spec.namespace = ns), "spec.namespace", [
      `must not be ${ns}`,
      "shared with the cluster's own workloads",
    ]),
  ),
  bad(
    "metadata.name default (the namespace's default)",
    (c) => {
      c.metadata.name = "default";
      c.spec.gcp.serviceAccount = "zenml-mlflow";
      c.spec.artifacts = { bucket: "zenml-artifacts" };
    },
    "spec.namespace",
    ["must not be default (the default: metadata.name)"],
  ),
  bad(
    "spec.namespace argocd (the default Argo CD namespace)",
    (c) => {
      c.spec.namespace = "argocd";
    },
    "spec.namespace",
    ["must not be argocd", "the Argo CD namespace"],
  ),
  bad(
    "spec.namespace the Argo CD namespace spec.argocd.namespace",
    (c) => {
      c.spec.namespace = "gitops";
      c.spec.argocd = { ...argocd, namespace: "gitops" };
    },
    "spec.namespace",
    ["must not be gitops", "the Argo CD namespace"],
  ),
  bad(
    "the instance's default namespace is spec.argocd.namespace",
    (c) => {
      c.spec.argocd = { ...argocd, namespace: "mlflow" };
    },
    "spec.namespace",
    ["must not be mlflow (the default: metadata.name)", "Argo CD namespace", "pruned"],
  ),
  bad(
    "spec.namespace external-secrets (the ESO controller's default)",
    (c) => {
      c.spec.namespace = "external-secrets";
    },
    "spec.namespace",
    ["must not be external-secrets", "External Secrets controller's namespace"],
  ),
  bad(
    "spec.namespace the ESO controller's namespace",
    (c) => {
      c.spec.namespace = "eso";
      c.spec.externalSecrets = { controller: { namespace: "eso" } };
    },
    "spec.namespace",
    ["must not be eso", "External Secrets controller's namespace"],
  ),
  bad(
    "spec.serviceAccountName default",
    (c) => {
      c.spec.serviceAccountName = "default";
    },
    "spec.serviceAccountName",
    ["must not be default", "every pod in the namespace"],
  ),
  bad(
    "spec.externalSecrets.serviceAccount default",
    (c) => {
      c.spec.externalSecrets = { serviceAccount: "default" };
    },
    STORE_SA,
    ["must not be default"],
  ),
  bad(
    "ESO controller default/default",
    (c) => {
      c.spec.externalSecrets = { controller: { namespace: "default", serviceAccount: "default" } };
    },
    CONTROLLER_SA,
    ["must not be default (default/default)", "request tokens"],
  ),
  bad(
    "ESO controller the default account of its namespace",
    (c) => {
      c.spec.externalSecrets = { controller: { serviceAccount: "default" } };
    },
    CONTROLLER_SA,
    ["must not be default (external-secrets/default)"],
  ),
  bad(
    "ESO controller the instance's own account",
    (c) => {
      c.spec.externalSecrets = { controller: { namespace: "mlflow", serviceAccount: "mlflow" } };
    },
    "spec.externalSecrets.controller",
    ["must not be the instance's own account (mlflow/mlflow)", "tokens for itself"],
  ),
  bad(
    "ESO controller the SecretStore's account",
    (c) => {
      c.spec.gcp.cluster = CLUSTER;
      c.spec.externalSecrets = {
        serviceAccount: "mlflow-secrets",
        controller: { namespace: "mlflow", serviceAccount: "mlflow-secrets" },
      };
    },
    "spec.externalSecrets.controller",
    ["instance's own account (mlflow/mlflow-secrets)"],
  ),
  bad(
    "pod-security label enforce",
    (c) => {
      c.spec.labels = { [`${PSA}enforce`]: "privileged" };
    },
    `spec.labels["${PSA}enforce"]`,
    ["is refused", "Pod Security Admission level", "restricted"],
  ),
  bad(
    "pod-security label warn-version",
    (c) => {
      c.spec.labels = { [`${PSA}warn-version`]: "v1.25" };
    },
    `spec.labels["${PSA}warn-version"]`,
    ["is refused"],
  ),
  // separate identities
  bad(
    "externalSecrets.serviceAccount the instance's account",
    (c) => {
      c.spec.gcp.cluster = CLUSTER;
      c.spec.externalSecrets = { serviceAccount: "mlflow" };
    },
    STORE_SA,
    ["is the instance's own account"],
  ),
  bad(
    "externalSecrets.gcpServiceAccount without serviceAccount",
    (c) => {
      c.spec.gcp.cluster = CLUSTER;
      c.spec.externalSecrets = { gcpServiceAccount: "zenml-mlflow-secrets" };
    },
    STORE_GSA,
    ["needs spec.externalSecrets.serviceAccount"],
  ),
  bad(
    "externalSecrets.gcpServiceAccount malformed",
    (c) => {
      c.spec.externalSecrets = { gcpServiceAccount: "x@gmail.com" };
    },
    STORE_GSA,
    ["Google service account id"],
  ),
  // Argo CD
  bad(
    "argocd repoURL file://",
    (c) => {
      c.spec.argocd = { repoURL: "file:///srv/git/mlops" };
    },
    "spec.argocd.repoURL",
    ["must not be a file:// URL", "repo-server's own disk"],
  ),
  // derived names
  {
    name: "default service account id over 30 characters",
    config: configText((c) => ((c.spec.stack = "analytics-platform"), (c.metadata.name = "mlflow-tracking"))),
    path: "spec.gcp.serviceAccount",
    rule: ['default account id "analytics-platform-mlflow-tracking"', "34 characters", "6-30 characters"],
  },
  {
    name: "default service account id too short",
    config: configText((c) => (delete c.spec.stack, (c.metadata.name = "ml"))),
    path: "spec.gcp.serviceAccount",
    rule: ['default account id "ml"', "6-30 characters"],
  },
  {
    name: "default bucket starting with goog",
    config: configText((c) => (c.spec.stack = "googly")),
    path: "spec.artifacts.bucket",
    rule: ['default bucket "googly-mlflow-artifacts"', 'must not start with "goog"'],
  },
];

function errorsAt(results: { severity: string; field?: { path: string }; message: string }[], path: string) {
  return results.filter((r) => r.severity === "error" && r.field?.path === path);
}

describe("bad MlflowConfig, through processResourceList", () => {
  test.each(BAD.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const input = resourceList(c.config, [USER_ITEM]);
    const outcome = processResourceList(input);

    expect(outcome.ok).toBe(false);
    const errors = errorsAt(outcome.results, c.path);
    expect(errors.map((r) => r.field?.path)).toContain(c.path);
    const [first] = errors;
    expect(first.severity).toBe("error");
    expect(first.message.startsWith(c.path)).toBe(true); // "<field path> <rule>"
    for (const words of c.rule) expect(first.message).toContain(words);

    // Nothing generated; the items and the functionConfig come back byte for byte.
    expect(outcome.output.startsWith(`${HEADER}items:\n${asItem(USER_ITEM)}`)).toBe(true);
    if (c.config !== undefined) expect(outcome.output).toContain(resourceList(c.config).split("items: []\n")[1]);
    const parsed = parseOutput(outcome.output);
    expect(parsed.items).toHaveLength(1);
    expect(generatedItems(parsed.items)).toEqual([]);
    expect(parsed.results.some((r) => r.severity === "error" && r.field?.path === c.path)).toBe(true);
  });

  test("every error names a field and carries the functionConfig as resourceRef", () => {
    const outcome = processResourceList(
      resourceList(
        configText((c) => (c.spec.gcp.projectId = "X")),
        [USER_ITEM],
      ),
    );
    const [error] = outcome.results.filter((r) => r.severity === "error");
    expect(error.resourceRef).toEqual({
      apiVersion: "mlflow-infra.dev/v1alpha1",
      kind: "MlflowConfig",
      name: "mlflow",
    });
  });

  test("several problems are all reported, one result each", () => {
    const outcome = processResourceList(
      resourceList(
        configText((c) => ((c.spec.gcp.projectId = "X"), (c.spec.namespace = "Bad"), (c.spec.stak = "x"))),
        [USER_ITEM],
      ),
    );
    const paths = outcome.results.filter((r) => r.severity === "error").map((r) => r.field?.path);
    expect(paths.sort()).toEqual(["spec.gcp.projectId", "spec.namespace", "spec.stak"]);
  });

  test("a typo is reported once, with its hint, not also as a missing field", () => {
    const outcome = processResourceList(resourceList(configText((c) => (c.spec.gcp = { projctId: "zenml-470505" }))));
    expect(outcome.results.filter((r) => r.severity === "error").map((r) => r.field?.path)).toEqual([
      "spec.gcp.projctId",
    ]);
  });
});

interface BadInput {
  name: string;
  input: string;
  /** Field path of the error, when the problem has one. */
  path?: string;
  message: string[];
}

const FC = configText(() => {});
const BAD_INPUT: BadInput[] = [
  {
    name: "garbage on stdin",
    input: "this is not: [a ResourceList\n",
    message: ["input is not valid YAML", "at line 2"],
  },
  { name: "binary noise", input: "\u0000\u0001\u0002", message: ["input"] },
  { name: "empty input", input: "", message: ["no input"] },
  { name: "a YAML scalar", input: "just text\n", message: ["input must be a YAML mapping"] },
  {
    name: "two documents",
    input: `${resourceList(FC)}---\n${resourceList(FC)}`,
    message: ["expected one YAML document", "line"],
  },
  {
    name: "duplicate key in the functionConfig",
    input: resourceList(`${FC}metadata:\n  name: again\n`),
    message: ["input is not valid YAML", 'duplicate key "metadata"', "at line 13"],
  },
  {
    name: "duplicate key in an item",
    input: resourceList(FC, ["apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: x\n"]),
    message: ['duplicate key "kind"', "at line 6, column 3"],
  },
  {
    name: "wrong kind",
    input: "apiVersion: v1\nkind: List\nitems: []\n",
    path: "kind",
    message: ["kind ResourceList", '"List"'],
  },
  {
    name: "items not a list",
    input: "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {a: 1}\n",
    path: "items",
    message: ["items must be a list"],
  },
  {
    name: "an item that is not a mapping",
    input: "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- just a string\n",
    path: "items[0]",
    message: ["items[0] must be a mapping"],
  },
  {
    name: "functionConfig a list",
    input: "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig: [a, b]\n",
    path: "functionConfig",
    message: ["functionConfig must be a mapping"],
  },
  {
    name: "an alias without its anchor",
    input: resourceList(FC, ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: *nowhere\n"]),
    path: "items[0]",
    message: ["Unresolved alias"],
  },
  {
    name: "an alias bomb",
    input: resourceList(FC, [
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, " +
        "*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    ]),
    path: "items[0]",
    message: ["alias"],
  },
];

describe("input that is not a usable ResourceList", () => {
  test.each(BAD_INPUT.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const outcome = processResourceList(c.input);
    expect(outcome.ok).toBe(false);
    const errors = outcome.results.filter((r) => r.severity === "error");
    expect(errors.length).toBeGreaterThan(0);
    for (const words of c.message) expect(errors[0].message).toContain(words);
    if (c.path) expect(errors[0].field?.path).toBe(c.path);
    const parsed = parseOutput(outcome.output); // still a valid ResourceList, carrying the error
    expect(generatedItems(parsed.items)).toEqual([]);
    expect(parsed.results.some((r) => r.severity === "error")).toBe(true);
  });
});

describe("legal but risky values are warnings", () => {
  test.each([
    ["10s", "under 1m"],
    ["0", "never refreshed"],
  ])("refreshInterval %s", (interval, words) => {
    const outcome = processResourceList(
      resourceList(
        configText((c) => (c.spec.externalSecrets = { refreshInterval: interval })),
        [USER_ITEM],
      ),
    );
    expect(outcome.ok).toBe(true);
    const warnings = outcome.results.filter((r) => r.field?.path === "spec.externalSecrets.refreshInterval");
    expect(warnings.map((r) => r.severity)).toEqual(["warning"]);
    expect(warnings[0].message).toContain(words);
    expect(outcome.results.some((r) => r.severity === "error")).toBe(false);
    expect(generatedItems(parseOutput(outcome.output).items).length).toBeGreaterThan(0);
  });

  /** A server whose NetworkPolicy is narrowed, so that only the warning under test shows. */
  const narrowServer = {
    image: `ghcr.io/mlflow/mlflow:v3.10.0-full@sha256:${"0".repeat(64)}`,
    networkPolicy: { googleApis: "private", databaseCidrs: ["10.20.0.0/16"] },
  };
  const project = { ...argocd, project: "mlflow" };
  const policy = (networkPolicy: object) => (c: Config) => (c.spec.server = { ...narrowServer, networkPolicy });
  const GOOGLE_APIS = "spec.server.networkPolicy.googleApis";
  const DATABASE_CIDRS = "spec.server.networkPolicy.databaseCidrs";

  test.each<[string, string, (c: Config) => void, string[]]>([
    [
      "a Google service account of another project",
      "spec.gcp.serviceAccount",
      (c) => (c.spec.gcp.serviceAccount = "mlflow@other-project-1.iam.gserviceaccount.com"),
      ["is in project other-project-1", "not spec.gcp.projectId (zenml-470505)"],
    ],
    [
      "the SecretStore's Google service account in another project",
      STORE_GSA,
      (c) => {
        c.spec.gcp.cluster = CLUSTER;
        c.spec.externalSecrets = {
          serviceAccount: "mlflow-secrets",
          gcpServiceAccount: "secrets@other-project-1.iam.gserviceaccount.com",
        };
      },
      ["is in project other-project-1"],
    ],
    [
      "repoURL over plain http://",
      "spec.argocd.repoURL",
      (c) => (c.spec.argocd = { ...project, repoURL: "http://git.example.com/mlops.git" }),
      ["plain http://", "https://"],
    ],
    [
      "the Application in project default (the default)",
      "spec.argocd.project",
      (c) => (c.spec.argocd = argocd),
      ["is default", "any repository"],
    ],
    [
      "the Application in project default, named",
      "spec.argocd.project",
      (c) => (c.spec.argocd = { ...argocd, project: "default" }),
      ["is default"],
    ],
    [
      "TCP 443 to any address (googleApis any, the default)",
      GOOGLE_APIS,
      policy({ databaseCidrs: ["10.20.0.0/16"] }),
      ["is any", "0.0.0.0/0", "private or restricted"],
    ],
    [
      "the database port to any address (databaseCidrs, the default)",
      DATABASE_CIDRS,
      policy({ googleApis: "restricted" }),
      ["includes 0.0.0.0/0", "database port"],
    ],
    [
      "the database port to any address, named",
      DATABASE_CIDRS,
      policy({ googleApis: "private", databaseCidrs: ["10.0.0.0/8", "0.0.0.0/0"] }),
      ["includes 0.0.0.0/0"],
    ],
  ])("%s: a warning naming %s", (_name, path, mutate, words) => {
    const outcome = processResourceList(resourceList(configText(mutate)));
    expect(outcome.ok).toBe(true);
    // A ClusterIP-only server also warns that it checks no identity (auth.mode none): not this test's concern.
    const warnings = outcome.results.filter(
      (r) => r.severity === "warning" && r.field?.path !== "spec.server.auth.mode",
    );
    expect(warnings.map((r) => r.field?.path)).toEqual([path]);
    for (const w of words) expect(warnings[0].message).toContain(w);
    expect(warnings[0].message.startsWith(path)).toBe(true);
  });

  test.each<[string, (c: Config) => void]>([
    ["a Google service account id (in spec.gcp.projectId)", (c) => (c.spec.gcp.serviceAccount = "zenml-mlflow")],
    [
      "a Google service account email in spec.gcp.projectId",
      (c) => (c.spec.gcp.serviceAccount = "zenml-mlflow@zenml-470505.iam.gserviceaccount.com"),
    ],
    ["an Application in a project of its own, from https://", (c) => (c.spec.argocd = project)],
    [
      "an Application from ssh://",
      (c) => (c.spec.argocd = { ...project, repoURL: "ssh://git@github.com/example/mlops.git" }),
    ],
    ["a server with a narrowed NetworkPolicy", (c) => (c.spec.server = narrowServer)],
    ["a server without NetworkPolicy (its own warning only)", policy({ enabled: false })],
  ])("no such warning: %s", (_name, mutate) => {
    const outcome = processResourceList(resourceList(configText(mutate)));
    expect(outcome.ok).toBe(true);
    const paths = outcome.results.filter((r) => r.severity === "warning").map((r) => r.field?.path);
    const others = ["spec.server.networkPolicy.enabled", "spec.server.auth.mode"];
    expect(paths.filter((p) => !others.includes(String(p)))).toEqual([]);
  });
});

describe("the built CLI", () => {
  const run = (input: string) =>
    spawnSync(process.execPath, [requireFile(DIST, "run `npm run build` first")], { input, encoding: "utf8" });

  test.each([
    ["spec.gcp.projectId", configText((c) => (c.spec.gcp.projectId = "Zenml"))],
    ["spec.gcp.projctId", configText((c) => (c.spec.gcp = { projctId: "zenml-470505" }))],
    ["spec.artifacts.bucket", configText((c) => (c.spec.artifacts = { bucket: "goog-x" }))],
    ["spec.argocd.syncWave", configText((c) => (c.spec.argocd = { ...argocd, syncWave: "3" }))],
  ])("an error at %s: exit 1, a ResourceList with the result on stdout, the field on stderr", (path, config) => {
    const input = resourceList(config, [USER_ITEM]);
    const p = run(input);
    expect(p.status).toBe(1);
    expect(p.stdout.startsWith(`${HEADER}items:\n${asItem(USER_ITEM)}`)).toBe(true);
    const parsed = parseOutput(p.stdout);
    expect(parsed.items).toHaveLength(1);
    expect(parsed.results.some((r) => r.severity === "error" && r.field?.path === path)).toBe(true);
    expect(p.stderr).toContain(path);
    expect(p.stderr).toMatch(/^error: /m);
    expect(p.stderr).not.toContain(`${path}: ${path}`); // the path is said once
  });

  test("YAML that does not parse: exit 1, the reason on stderr", () => {
    const p = run("items: [\n");
    expect(p.status).toBe(1);
    expect(parseOutput(p.stdout).results[0].severity).toBe("error");
    expect(p.stderr).toMatch(/not valid YAML.*line/);
  });

  test("warnings only: exit 0, the warning on stderr", () => {
    const p = run(
      resourceList(
        configText((c) => (c.spec.externalSecrets = { refreshInterval: "10s" })),
        [USER_ITEM],
      ),
    );
    expect(p.status).toBe(0);
    expect(p.stderr).toMatch(/^warning: spec\.externalSecrets\.refreshInterval /m);
    expect(generatedItems(parseOutput(p.stdout).items).length).toBeGreaterThan(0);
  });
});
