/**
 * spec.gcp.configConnector: the Google Cloud half as Config Connector objects (docs/gcp.md).
 *
 * - Every object validates against its Config Connector v1.155.1 CRD (../shared/schemas/crds),
 *   for each shape of the input (both database auths, both engines, namespaced mode, another
 *   namespace, the instance or the service account in another project).
 * - Role names, member strings and resource references have the forms Config Connector and IAM
 *   document (v1.155.1, scripts/generate-google3-docs/resource-reference/generated/resource-docs:
 *   iam/iampolicymember.md lists the kinds IAMPolicyMember can reference and their external
 *   forms, e.g. Project "projects/{{project_id}}"; each kind's page says whether it "Can Be
 *   Referenced by IAMPolicy/IAMPolicyMember" and "Supports IAM Conditions").
 * - The grants, by resource, are exactly the expected list, and none is on the project where
 *   the resource has an IAM policy of its own.
 * - Sync waves: every object comes after what it references; the password user after the
 *   ExternalSecret that writes its Secret and before the migration.
 * - Bad input is refused naming the field; each check is shown to fail on a broken object.
 * What needs kubectl or lua5.1 is in config-connector-tools.test.ts.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../function/krm/resource-list.js";
import { resolve } from "../function/config/defaults.js";
import type { MlflowConfig } from "../function/config/types.js";
import { processResourceList } from "../function/processor.js";
import { ownedBy } from "../function/resources/index.js";
import { databaseTemplate } from "../function/resources/secrets.js";
import { DEPLOY, yamlFile } from "./helpers/argocd.js";
import { generatedItems, parseOutput, resourceList } from "./helpers/krm.js";
import { allSchemaErrors, schemaErrors } from "./helpers/schemas.js";

type Obj = KubeObject & {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: any;
};
type Config = { apiVersion: string; kind: string; metadata: Record<string, any>; spec: Record<string, any> };

const PROXY = "zenml-470505:australia-southeast1:zenml-mysql";
/** The seed's connection secret, whose database name the URL template checks. */
const DB_SECRET = "zenml-mlflow-db-connection";

function seed(mutate: (c: Config) => void = () => {}): Config {
  const c: Config = {
    apiVersion: "mlflow-infra.dev/v1alpha1",
    kind: "MlflowConfig",
    metadata: { name: "mlflow" },
    spec: {
      stack: "zenml",
      gcp: {
        projectId: "zenml-470505",
        cluster: { name: "zenml", location: "australia-southeast1" },
        configConnector: { sqlInstance: { name: "zenml-mysql" } },
      },
    },
  };
  mutate(c);
  return c;
}

const iam = (c: Config) => {
  c.spec.gcp.configConnector.databaseAuth = "iam";
  c.spec.server = { image: "ghcr.io/mlflow/mlflow:v3.10.0-full", cloudSqlProxy: { instanceConnectionName: PROXY } };
};

function render(config: Config) {
  const outcome = processResourceList(resourceList(stringify(config)));
  return {
    ok: outcome.ok,
    results: outcome.results,
    objects: generatedItems(parseOutput(outcome.output).items) as Obj[],
  };
}

function objects(config: Config): Obj[] {
  const r = render(config);
  expect(r.results.filter((x) => x.severity === "error")).toEqual([]);
  return r.objects;
}

const isCnrm = (o: KubeObject) => String(o.apiVersion).split("/")[0].endsWith(".cnrm.cloud.google.com");
const cnrm = (objs: Obj[]) => objs.filter(isCnrm);
const wave = (o: Obj) => Number(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"]);
const one = (objs: Obj[], kind: string) => {
  const found = objs.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

/** The shapes of input every check runs on. */
const SHAPES: [string, Config][] = [
  ["password (the default)", seed()],
  ["iam, MySQL", seed(iam)],
  ["iam, PostgreSQL", seed((c) => (iam(c), (c.spec.database = { driver: "psycopg2" })))],
  [
    "namespaced mode",
    seed((c) =>
      Object.assign(c.spec.gcp.configConnector, {
        mode: "namespaced",
        googleServiceAccount: "cnrm-mlflow@zenml-470505.iam.gserviceaccount.com",
      }),
    ),
  ],
  ["iam in another namespace", seed((c) => (iam(c), (c.spec.gcp.configConnector.namespace = "config-control")))],
  [
    "a bucket name with '_' and '.' (no Kubernetes name)",
    seed((c) => (c.spec.artifacts = { bucket: "zenml_ml.artifacts" })),
  ],
  [
    "a SecretStore identity of its own",
    seed(
      (c) => (c.spec.externalSecrets = { serviceAccount: "mlflow-secrets", gcpServiceAccount: "zenml-mlflow-secrets" }),
    ),
  ],
  [
    "instance and service account in other projects",
    seed((c) => {
      c.spec.gcp.configConnector.sqlInstance.projectId = "zenml-data-470505";
      c.spec.gcp.serviceAccount = "mlflow-runner@zenml-iam-470505.iam.gserviceaccount.com";
    }),
  ],
];

describe.each(SHAPES)("%s", (_name, config) => {
  const objs = objects(config);

  test("each Config Connector object validates against its CRD (served version, unknown fields rejected)", async () => {
    expect(cnrm(objs).length).toBeGreaterThanOrEqual(10);
    expect(await allSchemaErrors(cnrm(objs))).toEqual([]);
  });

  test("role names, member strings and resource references have the documented forms", () => {
    expect(formatProblems(objs)).toEqual([]);
  });

  test("no grant is on the project where the resource has an IAM policy of its own", () => {
    expect(projectWideProblems(objs)).toEqual([]);
  });

  test("every object comes a sync wave after what it references", () => {
    expect(waveProblems(objs)).toEqual([]);
  });

  test("the database, the bucket and the secrets are abandoned on delete, nothing else", () => {
    const abandoned = cnrm(objs).filter(
      (o) => o.metadata.annotations?.["cnrm.cloud.google.com/deletion-policy"] !== undefined,
    );
    expect(
      [
        ...new Set(
          abandoned.map((o) => `${o.kind}: ${o.metadata.annotations!["cnrm.cloud.google.com/deletion-policy"]}`),
        ),
      ].sort(),
    ).toEqual(["SQLDatabase: abandon", "SecretManagerSecret: abandon", "StorageBucket: abandon"]);
    expect(abandoned.filter((o) => o.kind === "SecretManagerSecret")).toHaveLength(
      cnrm(objs).filter((o) => o.kind === "SecretManagerSecret").length,
    );
  });

  test("each Google service account is the one a Workload Identity annotation names", () => {
    const emails = (o: Obj) =>
      `${o.spec.resourceID}@${o.metadata.annotations!["cnrm.cloud.google.com/project-id"]}.iam.gserviceaccount.com`;
    const annotated = objs
      .filter((o) => o.kind === "ServiceAccount")
      .map((o) => o.metadata.annotations!["iam.gke.io/gcp-service-account"]);
    const gsas = objs.filter((o) => o.kind === "IAMServiceAccount").map(emails);
    expect(gsas.length).toBeGreaterThan(0);
    expect([...new Set(annotated)].sort()).toEqual(gsas.sort());
  });
});

// --- documented forms -------------------------------------------------------------------

/** IAM member forms (IAM "principal identifiers"; GKE Workload Identity's <project>.svc.id.goog[<namespace>/<ksa>]). */
const PROJECT = "[a-z][a-z0-9-]{4,28}[a-z0-9]";
const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_SUBDOMAIN = "[a-z0-9]([-a-z0-9.]*[a-z0-9])?";
const SA_EMAIL = `${PROJECT}@${PROJECT}\\.iam\\.gserviceaccount\\.com`;
const MEMBER_FORMS = [
  new RegExp(`^serviceAccount:${SA_EMAIL}$`),
  new RegExp(`^serviceAccount:${PROJECT}\\.svc\\.id\\.goog\\[${DNS_LABEL}/${DNS_SUBDOMAIN}\\]$`),
];
/** Predefined roles: roles/<service>.<role>. */
const ROLE_FORM = /^roles\/[a-z]+\.[a-zA-Z]+$/;
/**
 * The kinds this function references from IAMPolicyMember, with what Config Connector v1.155.1
 * documents for each: "Can Be Referenced by IAMPolicy/IAMPolicyMember" is Yes for all four
 * (SQLInstance is No, sql/sqlinstance.md), "Supports IAM Conditions", and the external form.
 */
const REFERENCEABLE: Record<string, { conditions: boolean; external?: RegExp }> = {
  IAMServiceAccount: { conditions: true },
  StorageBucket: { conditions: true },
  SecretManagerSecret: { conditions: false },
  Project: { conditions: true, external: /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]$/ },
};
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** SQLDatabase/SQLUser instanceRef.external: "The `name` field of a `SQLInstance` resource". */
const INSTANCE_ID = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds with no project of their own: everything else carries cnrm.cloud.google.com/project-id. */
const PROJECTLESS = new Set(["IAMPolicyMember", "ConfigConnectorContext"]);

function formatProblems(objs: Obj[]): string[] {
  const problems: string[] = [];
  const id = (o: Obj) => `${o.kind}/${o.metadata.name}`;
  for (const o of cnrm(objs)) {
    const project = o.metadata.annotations?.["cnrm.cloud.google.com/project-id"];
    if (PROJECTLESS.has(String(o.kind)) ? project !== undefined : !PROJECT_ID.test(String(project)))
      problems.push(`${id(o)}: project-id annotation ${project}`);
    if (o.kind === "SQLDatabase" || o.kind === "SQLUser") {
      if (!INSTANCE_ID.test(o.spec.instanceRef?.external) || Object.keys(o.spec.instanceRef).length !== 1)
        problems.push(`${id(o)}: instanceRef ${JSON.stringify(o.spec.instanceRef)}`);
    }
    if (o.kind !== "IAMPolicyMember") continue;
    const { role, member, resourceRef, condition } = o.spec;
    if (!ROLE_FORM.test(role)) problems.push(`${id(o)}: role ${role}`);
    if (!MEMBER_FORMS.some((f) => f.test(member))) problems.push(`${id(o)}: member ${member}`);
    const kind = REFERENCEABLE[resourceRef?.kind];
    if (!kind) {
      problems.push(`${id(o)}: resourceRef kind ${resourceRef?.kind} cannot be referenced`);
      continue;
    }
    if (resourceRef.external !== undefined) {
      if (!kind.external?.test(resourceRef.external))
        problems.push(`${id(o)}: resourceRef external ${resourceRef.external}`);
    } else {
      const target = objs.find(
        (t) =>
          t.kind === resourceRef.kind &&
          t.metadata.name === resourceRef.name &&
          t.metadata.namespace === (resourceRef.namespace ?? o.metadata.namespace),
      );
      if (!target)
        problems.push(
          `${id(o)}: resourceRef ${resourceRef.kind}/${resourceRef.name} is not generated in ${o.metadata.namespace}`,
        );
    }
    if (condition !== undefined && !kind.conditions)
      problems.push(`${id(o)}: ${resourceRef.kind} does not support IAM conditions`);
  }
  return problems;
}

test("the format check fails on bad members, roles, references, externals and conditions", () => {
  const objs = objects(seed());
  const members = objs.filter((o) => o.kind === "IAMPolicyMember");
  const broken = structuredClone(objs);
  const find = (name: string) => broken.find((o) => o.metadata.name === name)!;
  find(members[0].metadata.name).spec.member = "zenml-mlflow@zenml-470505.iam.gserviceaccount.com";
  find("mlflow-artifacts-object-admin").spec.resourceRef.name = "zenml-mlflow-artifacts";
  find("mlflow-cloudsql-client").spec.resourceRef.external = "zenml-470505";
  find("mlflow-db-password-accessor").spec.condition = { title: "t", expression: "true" };
  find("mlflow-database").spec.instanceRef.external = "projects/zenml-470505/instances/zenml-mysql";
  find("mlflow-workload-identity-user").spec.role = "iam.workloadIdentityUser";
  expect(formatProblems(broken)).toEqual([
    'SQLDatabase/mlflow-database: instanceRef {"external":"projects/zenml-470505/instances/zenml-mysql"}',
    "IAMPolicyMember/mlflow-workload-identity-user: role iam.workloadIdentityUser",
    "IAMPolicyMember/mlflow-workload-identity-user: member zenml-mlflow@zenml-470505.iam.gserviceaccount.com",
    "IAMPolicyMember/mlflow-artifacts-object-admin: resourceRef StorageBucket/zenml-mlflow-artifacts " +
      "is not generated in mlflow",
    "IAMPolicyMember/mlflow-cloudsql-client: resourceRef external zenml-470505",
    "IAMPolicyMember/mlflow-db-password-accessor: SecretManagerSecret does not support IAM conditions",
  ]);
});

// --- grants -----------------------------------------------------------------------------

/**
 * Each IAMPolicyMember as "<role> on <kind> <resource> [if <condition>] to <member>", the resource
 * named as Google Cloud names it.
 */
function grants(objs: Obj[]): string[] {
  return objs
    .filter((o) => o.kind === "IAMPolicyMember")
    .map((o) => {
      const { role, member, resourceRef, condition } = o.spec;
      const target = objs.find((t) => t.kind === resourceRef.kind && t.metadata.name === resourceRef.name);
      const resource = resourceRef.external ?? target?.spec.resourceID ?? "?";
      return `${role} on ${resourceRef.kind} ${resource}${condition ? ` if ${condition.expression}` : ""} to ${member}`;
    });
}

/**
 * Roles granted on the project: only those whose resource has no IAM policy of its own (Cloud
 * SQL instances), and only with a condition that narrows them to the one instance.
 */
const NO_RESOURCE_LEVEL = new Set(["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
function projectWideProblems(objs: Obj[]): string[] {
  const problems: string[] = [];
  const instance = cnrm(objs).find((o) => o.kind === "SQLDatabase");
  const project = instance?.metadata.annotations?.["cnrm.cloud.google.com/project-id"];
  const name = `projects/${project}/instances/${instance?.spec.instanceRef.external}`;
  const expected = `resource.name == '${name}' && resource.type == 'sqladmin.googleapis.com/Instance'`;
  for (const o of objs.filter((x) => x.kind === "IAMPolicyMember" && x.spec.resourceRef.kind === "Project")) {
    if (!NO_RESOURCE_LEVEL.has(o.spec.role))
      problems.push(`${o.spec.role} on the project: it has a resource-level grant`);
    else if (o.spec.condition?.expression !== expected)
      problems.push(`${o.spec.role} on the project without the condition ${expected}`);
  }
  return problems;
}

const SA = "serviceAccount:zenml-mlflow@zenml-470505.iam.gserviceaccount.com";
const WORKLOAD_IDENTITY =
  "roles/iam.workloadIdentityUser on IAMServiceAccount zenml-mlflow to " +
  "serviceAccount:zenml-470505.svc.id.goog[mlflow/mlflow]";
const ONLY_INSTANCE =
  "if resource.name == 'projects/zenml-470505/instances/zenml-mysql' && " +
  "resource.type == 'sqladmin.googleapis.com/Instance'";

test("the grants with databaseAuth password, by resource: exactly these", () => {
  expect(grants(objects(seed())).sort()).toEqual(
    [
      WORKLOAD_IDENTITY,
      `roles/storage.objectAdmin on StorageBucket zenml-mlflow-artifacts to ${SA}`,
      `roles/cloudsql.client on Project projects/zenml-470505 ${ONLY_INSTANCE} to ${SA}`,
      `roles/secretmanager.secretAccessor on SecretManagerSecret zenml-mlflow-db-user to ${SA}`,
      `roles/secretmanager.secretAccessor on SecretManagerSecret zenml-mlflow-db-password to ${SA}`,
      `roles/secretmanager.secretAccessor on SecretManagerSecret zenml-mlflow-db-connection to ${SA}`,
    ].sort(),
  );
});

test("the grants with databaseAuth iam, by resource: exactly these (no user or password secret)", () => {
  expect(grants(objects(seed(iam))).sort()).toEqual(
    [
      WORKLOAD_IDENTITY,
      `roles/storage.objectAdmin on StorageBucket zenml-mlflow-artifacts to ${SA}`,
      `roles/cloudsql.client on Project projects/zenml-470505 ${ONLY_INSTANCE} to ${SA}`,
      `roles/cloudsql.instanceUser on Project projects/zenml-470505 ${ONLY_INSTANCE} to ${SA}`,
      `roles/secretmanager.secretAccessor on SecretManagerSecret zenml-mlflow-db-connection to ${SA}`,
    ].sort(),
  );
});

test("a SecretStore identity of its own: only its Google service account reads the secrets", () => {
  const objs = objects(
    seed(
      (c) => (c.spec.externalSecrets = { serviceAccount: "mlflow-secrets", gcpServiceAccount: "zenml-mlflow-secrets" }),
    ),
  );
  const STORE = "serviceAccount:zenml-mlflow-secrets@zenml-470505.iam.gserviceaccount.com";
  expect(grants(objs).sort()).toEqual(
    [
      WORKLOAD_IDENTITY,
      "roles/iam.workloadIdentityUser on IAMServiceAccount zenml-mlflow-secrets to " +
        "serviceAccount:zenml-470505.svc.id.goog[mlflow/mlflow-secrets]",
      `roles/storage.objectAdmin on StorageBucket zenml-mlflow-artifacts to ${SA}`,
      `roles/cloudsql.client on Project projects/zenml-470505 ${ONLY_INSTANCE} to ${SA}`,
      `roles/secretmanager.secretAccessor on SecretManagerSecret zenml-mlflow-db-user to ${STORE}`,
      `roles/secretmanager.secretAccessor on SecretManagerSecret zenml-mlflow-db-password to ${STORE}`,
      `roles/secretmanager.secretAccessor on SecretManagerSecret zenml-mlflow-db-connection to ${STORE}`,
    ].sort(),
  );
  const accounts = objs.filter((o) => o.kind === "IAMServiceAccount").map((o) => o.spec.resourceID);
  expect(accounts.sort()).toEqual(["zenml-mlflow", "zenml-mlflow-secrets"]);
});

test("the secrets the server's auth reads are generated and granted too", () => {
  const basicAuth = objects(
    seed((c) => {
      c.spec.server = { image: "ghcr.io/mlflow/mlflow:v3.10.0-full", auth: { mode: "basic-auth" } };
    }),
  );
  expect(grants(basicAuth)).toContain(
    `roles/secretmanager.secretAccessor on SecretManagerSecret zenml-mlflow-admin-password to ${SA}`,
  );
  const iap = objects(
    seed((c) => {
      c.spec.server = {
        image: "ghcr.io/mlflow/mlflow:v3.10.0-full",
        gateway: { host: "mlflow.example.com", parentRef: { name: "shared", namespace: "gateways" } },
        auth: { iap: { oauthClient: { clientId: "123-abc.apps.googleusercontent.com" } } },
      };
    }),
  );
  expect(grants(iap)).toContain(
    `roles/secretmanager.secretAccessor on SecretManagerSecret zenml-mlflow-iap-client-secret to ${SA}`,
  );
  for (const objs of [basicAuth, iap]) {
    const ids = objs.filter((o) => o.kind === "SecretManagerSecret").map((o) => o.spec.resourceID);
    expect(ids).toHaveLength(4);
  }
});

test("a separate SecretStore account on the instance's Google account: a second Workload Identity member", () => {
  const objs = objects(seed((c) => (c.spec.externalSecrets = { serviceAccount: "mlflow-secrets" })));
  expect(grants(objs)).toContain(
    "roles/iam.workloadIdentityUser on IAMServiceAccount zenml-mlflow to " +
      "serviceAccount:zenml-470505.svc.id.goog[mlflow/mlflow-secrets]",
  );
  expect(objs.filter((o) => o.kind === "IAMServiceAccount")).toHaveLength(1);
});

test("the Workload Identity member follows spec.namespace, serviceAccountName and the cluster's project", () => {
  const objs = objects(
    seed((c) => {
      c.spec.namespace = "ml-prod";
      c.spec.serviceAccountName = "tracking";
      c.spec.gcp.cluster.projectId = "zenml-gke-470505";
    }),
  );
  expect(grants(objs)).toContain(
    "roles/iam.workloadIdentityUser on IAMServiceAccount zenml-mlflow to " +
      "serviceAccount:zenml-gke-470505.svc.id.goog[ml-prod/tracking]",
  );
});

test("the project-wide check fails on a bucket role on the project, a Cloud SQL role unconditioned", () => {
  const broken = structuredClone(objects(seed()));
  const admin = broken.find((o) => o.metadata.name === "mlflow-artifacts-object-admin")!;
  admin.spec.resourceRef = { kind: "Project", external: "projects/zenml-470505" };
  delete broken.find((o) => o.metadata.name === "mlflow-cloudsql-client")!.spec.condition;
  expect(projectWideProblems(broken)).toEqual([
    "roles/storage.objectAdmin on the project: it has a resource-level grant",
    expect.stringMatching(/^roles\/cloudsql.client on the project without the condition resource.name == /),
  ]);
});

// --- sync waves -------------------------------------------------------------------------

function waveProblems(objs: Obj[]): string[] {
  const problems: string[] = [];
  const externalSecret = one(objs, "ExternalSecret");
  const migration = objs.find((o) => o.kind === "Job");
  const server = objs.find((o) => o.kind === "Deployment");
  const context = objs.find((o) => o.kind === "ConfigConnectorContext");
  for (const o of cnrm(objs)) {
    const id = `${o.kind}/${o.metadata.name} (wave ${wave(o)})`;
    if (context && o !== context && wave(o) <= wave(context))
      problems.push(`${id} is not after the ConfigConnectorContext`);
    if (o.kind === "SQLUser") {
      // After the ExternalSecret whose Secret holds its password (with iam it has none, and
      // comes there all the same), before the migration, which logs in as it.
      const ref = o.spec.password?.valueFrom?.secretKeyRef;
      const data = externalSecret.spec.target.template.data;
      if (o.spec.password && (ref?.name !== externalSecret.spec.target.name || !(ref?.key in data)))
        problems.push(`${id} does not read the ExternalSecret's password`);
      if (o.spec.password && o.metadata.namespace !== externalSecret.metadata.namespace)
        problems.push(`${id} is not in the ExternalSecret's namespace`);
      if (wave(o) <= wave(externalSecret)) problems.push(`${id} is not after the ExternalSecret`);
      if (migration && wave(o) >= wave(migration)) problems.push(`${id} is not before the migration`);
    } else if (wave(o) >= wave(externalSecret)) problems.push(`${id} is not before the ExternalSecret`);
    const ref = o.kind === "IAMPolicyMember" ? o.spec.resourceRef : undefined;
    const target = ref?.name && objs.find((t) => t.kind === ref.kind && t.metadata.name === ref.name);
    if (target && wave(o) <= wave(target)) problems.push(`${id} is not after ${target.kind}/${target.metadata.name}`);
  }
  if (migration && server && wave(migration) >= wave(server)) problems.push("the migration is not before the server");
  return problems;
}

test("the wave check fails on a user beside the ExternalSecret or migration, a member beside its resource", () => {
  const objs = objects(seed((c) => (c.spec.server = { image: "ghcr.io/mlflow/mlflow:v3.10.0-full" })));
  const set = (name: string, w: string) => {
    const copy = structuredClone(objs);
    copy.find((o) => o.metadata.name === name)!.metadata.annotations!["argocd.argoproj.io/sync-wave"] = w;
    return waveProblems(copy);
  };
  expect(set("mlflow-database-user", "1")).toEqual([
    "SQLUser/mlflow-database-user (wave 1) is not after the ExternalSecret",
  ]);
  expect(set("mlflow-database-user", "3")).toEqual([
    "SQLUser/mlflow-database-user (wave 3) is not before the migration",
  ]);
  expect(set("mlflow-artifacts-object-admin", "-2")).toEqual([
    "IAMPolicyMember/mlflow-artifacts-object-admin (wave -2) is not after StorageBucket/mlflow-artifacts",
  ]);
  expect(set("mlflow-artifacts", "1")).toEqual([
    "StorageBucket/mlflow-artifacts (wave 1) is not before the ExternalSecret",
    "IAMPolicyMember/mlflow-artifacts-object-admin (wave -1) is not after StorageBucket/mlflow-artifacts",
  ]);
});

test("waves: the Google Cloud objects, then the ESO objects, the password user, the migration and the server", () => {
  const objs = objects(seed((c) => (c.spec.server = { image: "ghcr.io/mlflow/mlflow:v3.10.0-full" })));
  const byKind = (kind: string) => [...new Set(objs.filter((o) => o.kind === kind).map(wave))];
  expect(
    Object.fromEntries(
      [
        "IAMServiceAccount",
        "StorageBucket",
        "SQLDatabase",
        "SecretManagerSecret",
        "IAMPolicyMember",
        "SecretStore",
        "ExternalSecret",
        "SQLUser",
        "Job",
        "Deployment",
      ].map((k) => [k, byKind(k)]),
    ),
  ).toEqual({
    IAMServiceAccount: [-2],
    StorageBucket: [-2],
    SQLDatabase: [-2],
    SecretManagerSecret: [-2],
    IAMPolicyMember: [-1],
    SecretStore: [0],
    ExternalSecret: [1],
    SQLUser: [2],
    Job: [3],
    Deployment: [4],
  });
});

// --- the two database auths -------------------------------------------------------------

describe("databaseAuth", () => {
  const args = (objs: Obj[]) =>
    objs
      .filter((o) => o.kind === "Deployment" || o.kind === "Job")
      .map((o) => o.spec.template.spec.initContainers.find((c: any) => c.name === "cloud-sql-proxy").args as string[]);

  test("password: a built-in user with the ExternalSecret's password, no --auto-iam-authn", () => {
    const objs = objects(
      seed(
        (c) =>
          (c.spec.server = {
            image: "ghcr.io/mlflow/mlflow:v3.10.0-full",
            cloudSqlProxy: { instanceConnectionName: PROXY },
          }),
      ),
    );
    const user = one(objs, "SQLUser");
    expect(user.spec).toEqual({
      resourceID: "mlflow",
      instanceRef: { external: "zenml-mysql" },
      password: { valueFrom: { secretKeyRef: { name: "mlflow-database-secret", key: "password" } } },
    });
    for (const a of args(objs)) expect(a).not.toContain("--auto-iam-authn");
    const es = one(objs, "ExternalSecret");
    expect(es.spec.target.template.data["connection-url"]).toContain(":{{ .password");
    expect(es.spec.data.map((d: any) => d.secretKey)).toEqual(["username", "password", "host", "port", "database"]);
  });

  test("iam (MySQL): the user is the service account, the proxy logs in, no password or user secret", () => {
    const objs = objects(seed(iam));
    expect(one(objs, "SQLUser").spec).toEqual({
      resourceID: "zenml-mlflow@zenml-470505.iam.gserviceaccount.com",
      instanceRef: { external: "zenml-mysql" },
      type: "CLOUD_IAM_SERVICE_ACCOUNT",
    });
    expect(args(objs)).toHaveLength(2);
    for (const a of args(objs)) expect(a).toContain("--auto-iam-authn");
    const es = one(objs, "ExternalSecret");
    expect(es.spec.target.template.data).not.toHaveProperty("password");
    expect(es.spec.target.template.data.username).toBe("zenml-mlflow");
    expect(es.spec.target.template.data["connection-url"]).toBe(
      `mysql+pymysql://zenml-mlflow@127.0.0.1:3306/${databaseTemplate(DB_SECRET)}`,
    );
    expect(es.spec.data.map((d: any) => d.remoteRef.key)).toEqual([
      "zenml-mlflow-db-connection",
      "zenml-mlflow-db-connection",
      "zenml-mlflow-db-connection",
    ]);
    expect(objs.filter((o) => o.kind === "SecretManagerSecret").map((o) => o.spec.resourceID)).toEqual([
      "zenml-mlflow-db-connection",
    ]);
  });

  test("iam (PostgreSQL): the user is the email without .gserviceaccount.com, URL-encoded in the URL", () => {
    const objs = objects(seed((c) => (iam(c), (c.spec.database = { driver: "psycopg2" }))));
    expect(one(objs, "SQLUser").spec.resourceID).toBe("zenml-mlflow@zenml-470505.iam");
    expect(one(objs, "ExternalSecret").spec.target.template.data["connection-url"]).toBe(
      `postgresql+psycopg2://zenml-mlflow%40zenml-470505.iam@127.0.0.1:5432/${databaseTemplate(DB_SECRET)}`,
    );
  });
});

test("namespaced mode: the ConfigConnectorContext, under the one name Config Connector accepts, first", async () => {
  const objs = objects(
    seed((c) =>
      Object.assign(c.spec.gcp.configConnector, {
        mode: "namespaced",
        googleServiceAccount: "cnrm-mlflow@zenml-470505.iam.gserviceaccount.com",
      }),
    ),
  );
  const ccc = one(objs, "ConfigConnectorContext");
  expect(ccc.metadata.name).toBe("configconnectorcontext.core.cnrm.cloud.google.com");
  expect(ccc.metadata.namespace).toBe("mlflow");
  expect(ccc.spec).toEqual({ googleServiceAccount: "cnrm-mlflow@zenml-470505.iam.gserviceaccount.com" });
  expect(Math.min(...cnrm(objs).map(wave))).toBe(wave(ccc));
  expect(await schemaErrors({ ...ccc, spec: { googleServiceAccount: "x", mode: "namespaced" } })).toEqual([
    expect.stringContaining("(mode)"),
  ]);
  expect(objects(seed()).some((o) => o.kind === "ConfigConnectorContext")).toBe(false);
});

test("the Config Connector objects live in configConnector.namespace, the rest in the instance's", () => {
  const objs = objects(seed((c) => (iam(c), (c.spec.gcp.configConnector.namespace = "config-control"))));
  expect([...new Set(cnrm(objs).map((o) => o.metadata.namespace))]).toEqual(["config-control"]);
  expect([
    ...new Set(objs.filter((o) => !isCnrm(o) && o.kind !== "Namespace").map((o) => o.metadata.namespace)),
  ]).toEqual(["mlflow"]);
});

test("the service account's display name stays within IAM's 100 characters", () => {
  const longest = seed((c) => {
    c.metadata.name = `m${"x".repeat(39)}`;
    c.spec.namespace = `n${"y".repeat(62)}`;
    c.spec.gcp.serviceAccount = "mlflow-runner";
  });
  const name = one(objects(longest), "IAMServiceAccount").spec.displayName as string;
  expect(name).toHaveLength(100);
  expect(one(objects(seed()), "IAMServiceAccount").spec.displayName).toBe("MLflow mlflow (mlflow)");
});

test("stale Config Connector objects are pruned in configConnector.namespace, never another instance's", () => {
  const config = seed((c) => (iam(c), (c.spec.gcp.configConnector.namespace = "config-control")));
  const owns = ownedBy(resolve(config as MlflowConfig));
  const gsa = one(objects(config), "IAMServiceAccount");
  expect(gsa.metadata.namespace).toBe("config-control");
  expect(owns(gsa)).toBe(true);
  expect(owns({ ...gsa, metadata: { ...gsa.metadata, namespace: "elsewhere" } })).toBe(false);
  const labels = { ...(gsa.metadata.labels as Record<string, string>), "app.kubernetes.io/instance": "other" };
  expect(owns({ ...gsa, metadata: { ...gsa.metadata, labels } })).toBe(false);
});

test("the CRD check rejects a misspelt field, an unserved version, a bad role, an ambiguous reference", async () => {
  const objs = objects(seed());
  const bucket = structuredClone(one(objs, "StorageBucket"));
  bucket.spec.uniformBucketAccess = true;
  expect((await schemaErrors(bucket)).join("\n")).toMatch(/uniformBucketAccess/);
  expect(
    await schemaErrors({ ...one(objs, "StorageBucket"), metadata: { name: "zenml_mlflow", namespace: "mlflow" } }),
  ).toEqual([expect.stringContaining("metadata.name must be a DNS-1123 subdomain")]);
  expect(
    (await schemaErrors({ ...one(objs, "SQLDatabase"), apiVersion: "sql.cnrm.cloud.google.com/v1alpha1" })).join("\n"),
  ).toMatch(/no CRD|not served/);
  const member = structuredClone(
    one(
      objs.filter((o) => o.metadata.name === "mlflow-cloudsql-client"),
      "IAMPolicyMember",
    ),
  );
  member.spec.role = "cloudsql.client";
  expect((await schemaErrors(member)).join("\n")).toMatch(/pattern/);
  member.spec.role = "roles/cloudsql.client";
  member.spec.resourceRef.name = "x";
  expect((await schemaErrors(member)).join("\n")).toMatch(/oneOf/);
});

// --- absent means unchanged -------------------------------------------------------------

test("without configConnector nothing of Config Connector is generated, and the waves stay 0-3", () => {
  const plain = objects(
    seed((c) => (delete c.spec.gcp.configConnector, (c.spec.server = { image: "ghcr.io/mlflow/mlflow:v3.10.0-full" }))),
  );
  expect(cnrm(plain)).toEqual([]);
  expect([...new Set(plain.map(wave).filter((w) => !Number.isNaN(w)))].sort()).toEqual([0, 1, 2, 3]);
});

// --- Argo CD ---------------------------------------------------------------------------

const CNRM_HEALTH = "resource.customizations.health.core.cnrm.cloud.google.com_ConfigConnectorContext";

test("Argo CD waits for Config Connector objects: the pinned install checks their health (v3.3.0+)", () => {
  // argoproj/argo-cd resource_customizations/_.cnrm.cloud.google.com/_/health.lua, first in
  // v3.3.0 (a wildcard over every *.cnrm.cloud.google.com kind: Healthy on the Ready condition's
  // UpToDate, Degraded on UpdateFailed or DependencyNotFound, Suspended on DependencyNotReady,
  // else Progressing); util/lua/lua.go GetHealthScript falls back to it for any such kind.
  const install = yamlFile(join(DEPLOY, "kustomization.yaml")).resources.find((r: string) =>
    r.includes("argoproj/argo-cd/"),
  );
  const [, major, minor] = /argo-cd\/v(\d+)\.(\d+)\.\d+\/manifests\/install\.yaml$/.exec(install) ?? [];
  expect(Number(major) * 1000 + Number(minor)).toBeGreaterThanOrEqual(3003);
  // deploy/argocd overrides the built-in check for ConfigConnectorContext only (cnrm-health).
  const patches = readdirSync(DEPLOY, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(DEPLOY, d.name, "argocd-cm.yaml")))
    .flatMap((d) => Object.keys(yamlFile(join(DEPLOY, d.name, "argocd-cm.yaml")).data ?? {}));
  expect(patches.filter((k) => k.includes("cnrm"))).toEqual([CNRM_HEALTH]);
});

test("the AppProject allows every Config Connector kind the function generates", () => {
  const project = yamlFile(join(DEPLOY, "apps/appproject.yaml"));
  const kinds = new Set(
    SHAPES.flatMap(([, c]) => cnrm(objects(c)).map((o) => `${String(o.apiVersion).split("/")[0]} ${o.kind}`)),
  );
  expect(kinds.size).toBe(7);
  const allowed = new Set(
    project.spec.namespaceResourceWhitelist.map((e: { group: string; kind: string }) => `${e.group} ${e.kind}`),
  );
  for (const k of kinds) expect([k, allowed.has(k)]).toEqual([k, true]);
});

// --- bad input --------------------------------------------------------------------------

interface BadCase {
  name: string;
  config: Config;
  path: string;
  rule: string[];
}

const BAD: BadCase[] = [
  {
    name: "no sqlInstance",
    config: seed((c) => (c.spec.gcp.configConnector = {})),
    path: "spec.gcp.configConnector.sqlInstance",
    rule: ["is required"],
  },
  {
    name: "sqlInstance with uppercase",
    config: seed((c) => (c.spec.gcp.configConnector.sqlInstance.name = "Zenml")),
    path: "spec.gcp.configConnector.sqlInstance.name",
    rule: ["Cloud SQL instance id"],
  },
  {
    name: "sqlInstance as a connection name",
    config: seed((c) => (c.spec.gcp.configConnector.sqlInstance.name = PROXY)),
    path: "spec.gcp.configConnector.sqlInstance.name",
    rule: ["Cloud SQL instance id"],
  },
  {
    name: "sqlInstance project malformed",
    config: seed((c) => (c.spec.gcp.configConnector.sqlInstance.projectId = "X")),
    path: "spec.gcp.configConnector.sqlInstance.projectId",
    rule: ["GCP project id"],
  },
  {
    name: "databaseAuth unknown",
    config: seed((c) => (c.spec.gcp.configConnector.databaseAuth = "token")),
    path: "spec.gcp.configConnector.databaseAuth",
    rule: ['"password", "iam"'],
  },
  {
    name: "mode unknown",
    config: seed((c) => (c.spec.gcp.configConnector.mode = "global")),
    path: "spec.gcp.configConnector.mode",
    rule: ['"cluster", "namespaced"'],
  },
  {
    name: "a misspelt field",
    config: seed((c) => (c.spec.gcp.configConnector.databseAuth = "iam")),
    path: "spec.gcp.configConnector.databseAuth",
    rule: ["did you mean databaseAuth?"],
  },
  {
    name: "database with a hyphen",
    config: seed((c) => (c.spec.gcp.configConnector.database = "ml-flow")),
    path: "spec.gcp.configConnector.database",
    rule: ["database name"],
  },
  {
    name: "databaseUser too long",
    config: seed((c) => (c.spec.gcp.configConnector.databaseUser = "u".repeat(33))),
    path: "spec.gcp.configConnector.databaseUser",
    rule: ["1-32"],
  },
  {
    name: "googleServiceAccount not an email",
    config: seed((c) =>
      Object.assign(c.spec.gcp.configConnector, { mode: "namespaced", googleServiceAccount: "cnrm-mlflow" }),
    ),
    path: "spec.gcp.configConnector.googleServiceAccount",
    rule: ["service account email"],
  },
  {
    name: "bucketLocation lowercase multi-region",
    config: seed((c) => (c.spec.gcp.configConnector.bucketLocation = "us")),
    path: "spec.gcp.configConnector.bucketLocation",
    rule: ["Cloud Storage location"],
  },
  {
    name: "namespaced mode without googleServiceAccount",
    config: seed((c) => (c.spec.gcp.configConnector.mode = "namespaced")),
    path: "spec.gcp.configConnector.googleServiceAccount",
    rule: ["is required with mode namespaced", "ConfigConnectorContext"],
  },
  {
    name: "iam without a server",
    config: seed((c) => (c.spec.gcp.configConnector.databaseAuth = "iam")),
    path: "spec.server.cloudSqlProxy",
    rule: ["is required with spec.gcp.configConnector.databaseAuth iam", "--auto-iam-authn"],
  },
  {
    name: "iam without the proxy",
    config: seed(
      (c) => (
        (c.spec.gcp.configConnector.databaseAuth = "iam"),
        (c.spec.server = { image: "ghcr.io/mlflow/mlflow:v3.10.0-full" })
      ),
    ),
    path: "spec.server.cloudSqlProxy",
    rule: ["is required with spec.gcp.configConnector.databaseAuth iam"],
  },
  {
    name: "the proxy on another instance",
    config: seed(
      (c) => (iam(c), (c.spec.server.cloudSqlProxy.instanceConnectionName = "zenml-470505:australia-southeast1:other")),
    ),
    path: "spec.server.cloudSqlProxy.instanceConnectionName",
    rule: ["must name spec.gcp.configConnector.sqlInstance (zenml-470505:<region>:zenml-mysql)"],
  },
  {
    name: "the proxy in another project than the instance",
    config: seed((c) => (iam(c), (c.spec.gcp.configConnector.sqlInstance.projectId = "zenml-data-470505"))),
    path: "spec.server.cloudSqlProxy.instanceConnectionName",
    rule: ["zenml-data-470505:<region>:zenml-mysql"],
  },
  {
    name: "iam on PostgreSQL with a user name over 63 characters",
    config: seed((c) => {
      iam(c);
      c.spec.database = { driver: "psycopg2" };
      c.spec.gcp.serviceAccount = `m${"x".repeat(29)}@p${"y".repeat(29)}.iam.gserviceaccount.com`;
    }),
    path: "spec.gcp.serviceAccount",
    rule: ["PostgreSQL IAM user name", "(65 characters", "at most 63"],
  },
  {
    name: "password user in another namespace than its Secret",
    config: seed((c) => (c.spec.gcp.configConnector.namespace = "config-control")),
    path: "spec.gcp.configConnector.namespace",
    rule: ["must be the instance's namespace (mlflow) with databaseAuth password", "secretKeyRef has no namespace"],
  },
  {
    name: "a label Google Cloud refuses",
    config: seed((c) => (c.spec.labels = { Team: "ml" })),
    path: 'spec.labels["Team"]',
    rule: ["copied by Config Connector", "lowercase"],
  },
  {
    name: "a label value Google Cloud refuses",
    config: seed((c) => (c.spec.labels = { team: "ML.Platform" })),
    path: 'spec.labels["team"]',
    rule: ["copied by Config Connector"],
  },
];

describe("bad configConnector input", () => {
  test.each(BAD.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = render(c.config);
    expect(r.ok).toBe(false);
    const errors = r.results.filter((x) => x.severity === "error" && x.field?.path === c.path);
    expect(errors.map((x) => x.field?.path)).toContain(c.path);
    for (const words of c.rule) expect(errors[0].message).toContain(words);
    expect(r.objects).toEqual([]);
  });

  test("the same labels are fine without configConnector, and a prefixed key is fine with it", () => {
    expect(render(seed((c) => (delete c.spec.gcp.configConnector, (c.spec.labels = { Team: "ML.Platform" })))).ok).toBe(
      true,
    );
    expect(render(seed((c) => (c.spec.labels = { "example.com/Team": "ML.Platform", team: "ml-platform" }))).ok).toBe(
      true,
    );
  });

  test.each<[string, (c: Config) => void, string, string]>([
    [
      "googleServiceAccount with mode cluster",
      (c) => (c.spec.gcp.configConnector.googleServiceAccount = "cnrm-mlflow@zenml-470505.iam.gserviceaccount.com"),
      "spec.gcp.configConnector.googleServiceAccount",
      "is not used with mode cluster",
    ],
    [
      "databaseUser with iam",
      (c) => (iam(c), (c.spec.gcp.configConnector.databaseUser = "mlflow")),
      "spec.gcp.configConnector.databaseUser",
      "is not used with databaseAuth iam",
    ],
  ])("warning: %s", (_name, mutate, path, words) => {
    const r = render(seed(mutate));
    expect(r.ok).toBe(true);
    expect(r.results.filter((x) => x.field?.path === path).map((x) => [x.severity, x.message.includes(words)])).toEqual(
      [["warning", true]],
    );
    expect(render(seed()).results.filter((x) => x.field?.path === path)).toEqual([]);
  });
});
