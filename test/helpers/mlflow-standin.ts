/**
 * Stand-ins for what the MLflow image gives the migration Job's script (the image cannot be
 * pulled here), over the real SQLAlchemy and drivers of Debian's /usr/bin/python3. What each
 * models (MLflow source read on master, August 2026):
 * - mlflow.store.db.utils.create_sqlalchemy_engine_with_retry(uri): sqlalchemy.create_engine
 *   (MLflow's also retries the first connection); STUB_UNREACHABLE makes it raise;
 * - SqlAlchemyStore(uri, root) on a database without MLflow's tables: what its __init__ does
 *   there (_initialize_tables: create_all of the initial models in
 *   mlflow/store/tracking/dbmodels/initial_models.py, then alembic upgrade heads): it creates
 *   experiments, runs, tags, metrics, params and alembic_version at the head revision, or, with
 *   STUB_STORE_FAIL, raises after the first table;
 * - `mlflow db upgrade URL`: sets alembic_version to the head revision, or, with
 *   STUB_UPGRADE_FAIL, half-migrates (adds a table half_migrated) and exits 1, as a failed
 *   non-transactional migration can.
 * Each call is logged to STUB_LOG: "engine URL", "store URL ROOT", "mlflow [db] [upgrade] [URL]".
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATION_SCRIPT } from "../../function/resources/server/migration.js";

import { PYTHON } from "./databases.js";

export { PYTHON };
/** The revision the stand-ins migrate to. */
export const HEAD = "1b5f0d9ad7c1";

export interface MigrationRun {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
}

export interface MigrationStandIn {
  dir: string;
  /** Runs MIGRATION_SCRIPT under sh with the stand-ins; uri undefined leaves the variable unset. */
  migrate(uri: string | undefined, extra?: Record<string, string>): MigrationRun;
  remove(): void;
}

export function migrationStandIn(): MigrationStandIn {
  if (spawnSync(PYTHON, ["-c", "import sqlalchemy"]).status !== 0) {
    throw new Error(`${PYTHON} cannot import sqlalchemy: run scripts/ci/install-tools.sh (python3-sqlalchemy)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "mlflow-migrate-"));
  const file = (path: string, text: string, mode = 0o644) => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
    chmodSync(join(dir, path), mode);
  };
  for (const pkg of ["mlflow", "mlflow/store", "mlflow/store/db", "mlflow/store/tracking"]) {
    file(`py/${pkg}/__init__.py`, "");
  }
  file(
    "py/mlflow/store/db/utils.py",
    `import os
import sqlalchemy
def _log(line):
    with open(os.environ["STUB_LOG"], "a") as f:
        f.write(line + "\\n")
def create_sqlalchemy_engine_with_retry(uri):
    if os.environ.get("STUB_UNREACHABLE"):
        raise RuntimeError("database unreachable")
    _log("engine " + uri)
    return sqlalchemy.create_engine(uri)
`,
  );
  file(
    "py/mlflow/store/tracking/sqlalchemy_store.py",
    `import os
import sqlalchemy
from mlflow.store.db.utils import _log
class SqlAlchemyStore:
    def __init__(self, db_uri, default_artifact_root):
        _log("store " + db_uri + " " + default_artifact_root)
        with sqlalchemy.create_engine(db_uri).begin() as conn:
            for t in ["experiments", "runs", "tags", "metrics", "params"]:
                conn.execute(sqlalchemy.text("CREATE TABLE " + t + " (id INTEGER)"))
                if os.environ.get("STUB_STORE_FAIL"):
                    raise RuntimeError("connection lost")
            conn.execute(sqlalchemy.text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32))"))
            conn.execute(sqlalchemy.text("DELETE FROM alembic_version"))
            conn.execute(sqlalchemy.text("INSERT INTO alembic_version VALUES ('${HEAD}')"))
`,
  );
  file(
    "py/mlflow_cli.py",
    `import os, sys
import sqlalchemy
sys.path.insert(0, os.path.dirname(__file__))
from mlflow.store.db.utils import _log
_log("mlflow " + " ".join("[" + a + "]" for a in sys.argv[1:]))
assert sys.argv[1:3] == ["db", "upgrade"] and len(sys.argv) == 4
with sqlalchemy.create_engine(sys.argv[3]).begin() as conn:
    if os.environ.get("STUB_UPGRADE_FAIL"):
        conn.execute(sqlalchemy.text("CREATE TABLE half_migrated (id INTEGER)"))
    else:
        conn.execute(sqlalchemy.text("UPDATE alembic_version SET version_num = '${HEAD}'"))
if os.environ.get("STUB_UPGRADE_FAIL"):
    sys.exit("alembic: migration failed half-way")
`,
  );
  file("bin/python", `#!/bin/sh\nexec ${PYTHON} "$@"\n`, 0o755);
  file("bin/mlflow", `#!/bin/sh\nexec ${PYTHON} "${join(dir, "py/mlflow_cli.py")}" "$@"\n`, 0o755);

  let n = 0;
  return {
    dir,
    migrate(uri, extra = {}) {
      const log = join(dir, `log-${n++}`);
      writeFileSync(log, "");
      const PATH = `${join(dir, "bin")}:/usr/bin:/bin`;
      const env: Record<string, string> = { PATH, PYTHONPATH: join(dir, "py"), STUB_LOG: log, ...extra };
      if (uri !== undefined) env.MLFLOW_BACKEND_STORE_URI = uri;
      const r = spawnSync("sh", ["-c", MIGRATION_SCRIPT], { encoding: "utf8", env });
      const calls = readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
