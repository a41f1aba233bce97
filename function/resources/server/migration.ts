/**
 * The database migration Job: `mlflow db upgrade`, run as an Argo CD Sync hook in wave 2,
 * after the ExternalSecret (wave 1) is healthy, which Argo CD's built-in ExternalSecret
 * health check reads from its Ready condition: the Job never starts before the secret
 * exists. The server (wave 3) starts on an up-to-date schema, and a rollout's pods never race
 * each other over a migration. With gcp.configConnector the database user comes in wave 2, and
 * the Job and the server one wave later (meta.ts: CONFIG_CONNECTOR_WAVES). BeforeHookCreation
 * replaces the previous run's Job on every sync, so a new image migrates again.
 *
 * MLflow's migrations are not transactional (mlflow/db.py, `upgrade`: "Schema migrations can
 * be slow and are not guaranteed to be transactional - always take a backup of your database
 * before running migrations"; read on master, August 2026): on MySQL every DDL statement
 * commits, so a failed upgrade can leave a half-migrated schema that a second run makes worse.
 * So a failed run is never retried: backoffLimit 0, and a marker table (UPGRADE_MARKER) written
 * before the schema is touched and dropped only after `mlflow db upgrade` succeeded, which
 * makes every later run refuse to start, Argo CD's sync retries included (argocd.ts retries a
 * failed sync, and BeforeHookCreation makes each retry a new Job). The logs say what to do:
 * restore the backup (docs/database.md).
 *
 * Which database it finds, by MLflow's own tables, not by "any table" (a database shared with
 * other applications has theirs):
 * - `experiments` and `alembic_version`: an MLflow schema; `mlflow db upgrade` upgrades it.
 * - none of the tables of MLflow's initial schema (experiments, runs, tags, metrics, params:
 *   mlflow/store/tracking/dbmodels/initial_models.py, the 0.9.1 schema its first migration
 *   starts from) and no Alembic revision: a new MLflow database, whatever other tables it
 *   holds. `mlflow db upgrade` fails on it in most MLflow releases (mlflow#2113, #2444: the first
 *   migration alters tables that do not exist; fixed by mlflow#23752 in 2026), while
 *   `mlflow server` creates a fresh schema itself (SqlAlchemyStore: create_all of the initial
 *   models, then alembic upgrade heads), so the script does what the server does, then runs
 *   `mlflow db upgrade`, a no-op on a fresh schema. An empty `alembic_version` counts as no
 *   revision: what `mlflow db upgrade` on an empty MySQL database leaves behind (mlflow#2113).
 * - anything else is refused, nothing changed: `alembic_version` at a revision without
 *   `experiments` (another application's Alembic: MLflow keeps its revision in the same
 *   table, mlflow/store/db_migrations/env.py sets no version_table), or tables named like
 *   MLflow's without its schema (another application's `experiments`, or a first start that
 *   stopped half-way).
 *
 * `mlflow db upgrade` takes the URL as a positional argument with no environment variable, so
 * the shell expands "$MLFLOW_BACKEND_STORE_URI" at run time: the URL is in neither the Job
 * spec nor the manifests. With cloudSqlProxy the proxy runs as a native sidecar, which the
 * kubelet stops once the migration exits, so the Job completes.
 */
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { ResolvedConfig } from "../../config/types.js";
import { labels, meta, syncWaves } from "../meta.js";
import { authMigrationEnv } from "./auth.js";
import { cloudSqlProxySidecar } from "./cloud-sql-proxy.js";
import { mlflowContainer, podBasics, server, tmpVolume } from "./pod.js";

/** The table that marks an upgrade in progress (see above); never one of MLflow's names. */
export const UPGRADE_MARKER = "mlflow_infra_upgrade";

/** The checks before the upgrade (above): they refuse, or record the upgrade with the marker. */
const CHECKS = `set -eu
python - <<'PY'
import datetime
import os
import sys

import sqlalchemy
from mlflow.store.db.utils import create_sqlalchemy_engine_with_retry

INITIAL = {"experiments", "runs", "tags", "metrics", "params"}
VERSIONS = "alembic_version"
MARKER = "${UPGRADE_MARKER}"
RESTORE = "Restore the database from the backup taken before this sync (docs/database.md in mlflow-infra)"


def say(message):
    print("mlflow-infra: " + message, flush=True)


def refuse(message):
    print("mlflow-infra: ERROR: " + message + " Nothing was changed.", file=sys.stderr, flush=True)
    sys.exit(3)


uri = os.environ["MLFLOW_BACKEND_STORE_URI"]
engine = create_sqlalchemy_engine_with_retry(uri)
tables = set(sqlalchemy.inspect(engine).get_table_names())
revisions, marker = [], []
with engine.connect() as conn:
    if VERSIONS in tables:
        revisions = [r[0] for r in conn.execute(sqlalchemy.text(f"SELECT version_num FROM {VERSIONS}"))]
    if MARKER in tables:
        marker = [tuple(r) for r in conn.execute(sqlalchemy.text(f"SELECT started, revision FROM {MARKER}"))]
named_like_mlflow = sorted(INITIAL & tables)
others = sorted(tables - INITIAL - {VERSIONS, MARKER})
revision = ", ".join(revisions) or "none"

if MARKER in tables:
    started = "; ".join(f"started {s} at revision {r}" for s, r in marker) or "no record"
    refuse(
        f"an earlier upgrade did not finish ({started}; table {MARKER}): the schema may be half-migrated"
        f" and is not migrated again. {RESTORE}, which has no {MARKER} table, then sync again. Only if you"
        f" know the schema is intact (the earlier run failed before migrating), drop table {MARKER}."
    )
if "experiments" in tables and VERSIONS in tables:
    action = f"MLflow schema at revision {revision}: upgrading it"
elif not named_like_mlflow and not revisions:
    action = "no MLflow schema: creating it at the latest revision, as mlflow server does"
    if others:
        action += f" ({len(others)} tables of other applications left alone)"
elif revisions:
    refuse(
        f"{VERSIONS} is at revision {revision} but there is no MLflow experiments table: another application"
        " manages this database with Alembic, and MLflow would share its version table. Give MLflow a database"
        " of its own."
    )
else:
    refuse(
        f"the database has tables named like MLflow's ({', '.join(named_like_mlflow)}) but no MLflow schema"
        f" (experiments and {VERSIONS}): another application's, or an earlier first start that stopped"
        " half-way. Give MLflow a database of its own, or drop those tables if they are MLflow's and empty."
    )

with engine.begin() as conn:
    conn.execute(sqlalchemy.text(f"CREATE TABLE {MARKER} (started VARCHAR(40), revision VARCHAR(255))"))
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    conn.execute(sqlalchemy.text(f"INSERT INTO {MARKER} VALUES (:s, :r)"), {"s": now, "r": revision})
engine.dispose()
say(action)
if "creating" in action:
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    try:
        SqlAlchemyStore(uri, "mlflow-artifacts:/")
    except BaseException:
        print(
            "mlflow-infra: ERROR: creating the MLflow schema failed (below). The database held no MLflow schema:"
            f" drop the tables MLflow created and {MARKER} (or re-create the database), fix the cause, then sync"
            " again.",
            file=sys.stderr,
            flush=True,
        )
        raise
PY
`;

/** The tracking schema's upgrade, which drops the marker when it succeeds. */
const UPGRADE = `if mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI"; then
  python - <<'PY'
import os

import sqlalchemy
from mlflow.store.db.utils import create_sqlalchemy_engine_with_retry

engine = create_sqlalchemy_engine_with_retry(os.environ["MLFLOW_BACKEND_STORE_URI"])
with engine.begin() as conn:
    conn.execute(sqlalchemy.text("DROP TABLE ${UPGRADE_MARKER}"))
engine.dispose()
print("mlflow-infra: the schema is up to date", flush=True)
PY
else
  status=$?
  echo "mlflow-infra: ERROR: mlflow db upgrade failed (exit $status)." \\
    "MLflow's migrations are not transactional: the schema may be half-migrated, so this Job does not" \\
    "retry and later syncs refuse to migrate (table ${UPGRADE_MARKER}). Restore the database from the" \\
    "backup taken before this sync (docs/database.md in mlflow-infra), go back to the previous image" \\
    "or fix the cause above, then sync again." >&2
  exit "$status"
fi
`;

export const MIGRATION_SCRIPT = CHECKS + UPGRADE;

/**
 * With auth.mode basic-auth, run before the tracking schema's upgrade: create the auth
 * database on the tracking database's server when it is missing (PostgreSQL has no CREATE
 * DATABASE IF NOT EXISTS, and neither engine runs it inside a transaction, hence the catalog
 * query and AUTOCOMMIT; the name is quoted by the dialect), then bring it to the auth store's
 * latest revision with MLflow's own function (mlflow/server/auth/db/utils.py, migrate(engine,
 * revision), which the auth store's init_db calls through migrate_if_needed). The database user
 * needs the right to create databases (on Cloud SQL, the built-in users have it). It runs after
 * the tracking checks have created the upgrade marker and before the tracking schema is touched,
 * so when it fails it drops the marker again: the next sync must not take it for a half-finished
 * upgrade.
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
try:
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.execute(sqlalchemy.text(query), {"name": name}).first() is None:
            print(f"mlflow-infra: creating the auth database {name}", flush=True)
            quoted = server.dialect.identifier_preparer.quote_identifier(name)
            conn.execute(sqlalchemy.text("CREATE DATABASE " + quoted))
    engine = create_sqlalchemy_engine_with_retry(auth_url)
    print(f"mlflow-infra: migrating the auth database {name}", flush=True)
    auth_db.migrate(engine, "head")
    engine.dispose()
except BaseException:
    # The tracking schema is untouched: no upgrade is half-finished.
    with server.begin() as conn:
        conn.execute(sqlalchemy.text("DROP TABLE IF EXISTS ${UPGRADE_MARKER}"))
    raise
server.dispose()
PY
`;

/** The Job's script: the tracking schema's, with the auth database's step just before its upgrade. */
export function migrationScript(basicAuth: boolean): string {
  return basicAuth ? CHECKS + AUTH_MIGRATION_SCRIPT + UPGRADE : MIGRATION_SCRIPT;
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
    metadata: meta(config, "migration", migrationJobName(config), {
      wave: syncWaves(config).migration,
      annotations: { ...MIGRATION_HOOK_ANNOTATIONS },
    }),
    spec: {
      // A failed migration is not retried (see above: MLflow's migrations are not transactional,
      // a second run on a half-migrated schema makes it worse; connecting is retried inside
      // create_sqlalchemy_engine_with_retry); a hung one is stopped after 30 minutes; a finished
      // Job is kept a day for its logs.
      backoffLimit: 0,
      activeDeadlineSeconds: 1800,
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: {
          labels: labels(config, "migration"),
          annotations: { "kubectl.kubernetes.io/default-container": "migrate" },
        },
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
