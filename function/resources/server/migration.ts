/**
 * The database migration Job: `mlflow db upgrade`, run as an Argo CD Sync hook in wave 2,
 * after the ExternalSecret (wave 1) is healthy, which Argo CD's built-in ExternalSecret
 * health check reads from its Ready condition: the Job never starts before the secret
 * exists. The server (wave 3) starts on an up-to-date schema, and a rollout's pods never race
 * each other over a migration. BeforeHookCreation replaces the previous run's Job on every
 * sync, so a new image migrates again.
 *
 * Works on an empty and on an existing database. `mlflow db upgrade` on an empty database
 * fails in most MLflow releases (mlflow#2113, #2444: the first migration alters tables that do
 * not exist; fixed by mlflow#23752 in 2026), while `mlflow server` creates a fresh schema
 * itself (SqlAlchemyStore: create_all, then alembic upgrade heads). So the script first looks
 * for MLflow tables: none, it creates the schema the way the server does, at the latest
 * revision; then it always runs `mlflow db upgrade`, a no-op on a fresh schema and the
 * upgrade on an existing one. A partly migrated database is not "empty" and goes to the
 * upgrade, which reports its error instead of hiding it.
 *
 * `mlflow db upgrade` takes the URL as a positional argument with no environment variable, so
 * the shell expands "$MLFLOW_BACKEND_STORE_URI" at run time: the URL is in neither the Job
 * spec nor the manifests. With cloudSqlProxy the proxy runs as a native sidecar, which the
 * kubelet stops once the migration exits, so the Job completes.
 */
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { ResolvedConfig } from "../../config/types.js";
import { labels, meta, SYNC_WAVES } from "../meta.js";
import { authMigrationEnv } from "./auth.js";
import { cloudSqlProxySidecar } from "./cloud-sql-proxy.js";
import { mlflowContainer, podBasics, server, tmpVolume } from "./pod.js";

export const MIGRATION_SCRIPT = `set -eu
python - <<'PY'
import os

import sqlalchemy
from mlflow.store.db.utils import create_sqlalchemy_engine_with_retry

uri = os.environ["MLFLOW_BACKEND_STORE_URI"]
engine = create_sqlalchemy_engine_with_retry(uri)
tables = [t for t in sqlalchemy.inspect(engine).get_table_names() if not t.startswith("alembic_")]
engine.dispose()
if tables:
    print(f"mlflow-infra: {len(tables)} MLflow tables found: upgrading the schema", flush=True)
else:
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    print("mlflow-infra: empty database: creating the MLflow schema at the latest revision", flush=True)
    SqlAlchemyStore(uri, "mlflow-artifacts:/")
PY
exec mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI"
`;

/**
 * With auth.mode basic-auth, run before the tracking schema's upgrade: create the auth
 * database on the tracking database's server when it is missing (PostgreSQL has no CREATE
 * DATABASE IF NOT EXISTS, and neither engine runs it inside a transaction, hence the catalog
 * query and AUTOCOMMIT; the name is quoted by the dialect), then bring it to the auth store's
 * latest revision with MLflow's own function (mlflow/server/auth/db/utils.py, migrate(engine,
 * revision), which the auth store's init_db calls through migrate_if_needed). The database user
 * needs the right to create databases (on Cloud SQL, the built-in users have it).
 */
export const AUTH_MIGRATION_SCRIPT = `python - <<'PY'
import os

import sqlalchemy
from mlflow.server.auth.db import utils as auth_db
from mlflow.store.db.utils import create_sqlalchemy_engine_with_retry

auth_url = os.environ["MLFLOW_AUTH_DATABASE_URL"]
name = sqlalchemy.engine.make_url(auth_url).database
server = create_sqlalchemy_engine_with_retry(os.environ["MLFLOW_BACKEND_STORE_URI"])
if server.dialect.name == "postgresql":
    query = "SELECT 1 FROM pg_database WHERE datname = :name"
else:
    query = "SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"
with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
    if conn.execute(sqlalchemy.text(query), {"name": name}).first() is None:
        print(f"mlflow-infra: creating the auth database {name}", flush=True)
        conn.execute(sqlalchemy.text("CREATE DATABASE " + server.dialect.identifier_preparer.quote_identifier(name)))
server.dispose()
engine = create_sqlalchemy_engine_with_retry(auth_url)
print(f"mlflow-infra: migrating the auth database {name}", flush=True)
auth_db.migrate(engine, "head")
engine.dispose()
PY
`;

/** The Job's script: the tracking schema's, with the auth database's step before its last line. */
export function migrationScript(basicAuth: boolean): string {
  if (!basicAuth) return MIGRATION_SCRIPT;
  const last = MIGRATION_SCRIPT.lastIndexOf("exec mlflow db upgrade");
  return MIGRATION_SCRIPT.slice(0, last) + AUTH_MIGRATION_SCRIPT + MIGRATION_SCRIPT.slice(last);
}

export const MIGRATION_HOOK_ANNOTATIONS = {
  "argocd.argoproj.io/hook": "Sync",
  "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
} as const;

export function migrationJobName(config: ResolvedConfig): string {
  return `${config.names.server}-db-migrate`;
}

export function buildMigrationJob(config: ResolvedConfig): IJob {
  const s = server(config);
  const proxy = cloudSqlProxySidecar(config);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(config, "migration", migrationJobName(config), { wave: SYNC_WAVES.migration, annotations: { ...MIGRATION_HOOK_ANNOTATIONS } }),
    spec: {
      // A failed migration is retried twice (the database may still be starting); a hung one
      // is stopped after 30 minutes; a finished Job is kept a day for its logs.
      backoffLimit: 2,
      activeDeadlineSeconds: 1800,
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels: labels(config, "migration"), annotations: { "kubectl.kubernetes.io/default-container": "migrate" } },
        spec: {
          restartPolicy: "Never",
          ...podBasics(config, s),
          ...(proxy ? { initContainers: [proxy] } : {}),
          containers: [
            mlflowContainer(config, s, {
              name: "migrate",
              command: ["sh", "-c"],
              args: [migrationScript(s.auth.mode === "basic-auth")],
              env: authMigrationEnv(config),
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
            }),
          ],
          volumes: [tmpVolume(s.tmpSizeLimit)],
        },
      },
    },
  };
}
