/**
 * The migration Job's script, run for real under `sh` with stand-ins for what the MLflow
 * image provides (the `mlflow` CLI, the mlflow and sqlalchemy Python modules; the image
 * itself cannot be pulled here). What is checked is the script's own logic and quoting:
 * - an empty database (no tables, or only alembic's) gets the schema created the way
 *   `mlflow server` creates it, then `mlflow db upgrade`;
 * - an existing database goes straight to `mlflow db upgrade`;
 * - the URL reaches both as one argument, exactly as in the environment, whatever it holds;
 * - a failure stops the script before the upgrade, with a non-zero exit (the Job retries).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATION_SCRIPT } from "../function/resources/server/migration.js";

const python3 = spawnSync("python3", ["--version"], { encoding: "utf8" });
if (python3.status !== 0) throw new Error("python3 is needed to run the migration script (every machine of this project has it)");

const dir = mkdtempSync(join(tmpdir(), "mlflow-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(path: string, text: string, mode = 0o644) {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
  chmodSync(join(dir, path), mode);
}

file("py/sqlalchemy/__init__.py", `import json, os
class _Inspector:
    def get_table_names(self):
        return json.loads(os.environ["STUB_TABLES"])
def inspect(engine):
    return _Inspector()
`);
for (const pkg of ["mlflow", "mlflow/store", "mlflow/store/db", "mlflow/store/tracking"]) file(`py/${pkg}/__init__.py`, "");
file("py/mlflow/store/db/utils.py", `import os
def _log(line):
    with open(os.environ["STUB_LOG"], "a") as f:
        f.write(line + "\\n")
class _Engine:
    def dispose(self):
        _log("dispose")
def create_sqlalchemy_engine_with_retry(uri):
    if os.environ.get("STUB_FAIL"):
        raise RuntimeError("database unreachable")
    _log("engine " + uri)
    return _Engine()
`);
file("py/mlflow/store/tracking/sqlalchemy_store.py", `from mlflow.store.db.utils import _log
class SqlAlchemyStore:
    def __init__(self, db_uri, default_artifact_root):
        _log("store " + db_uri + " " + default_artifact_root)
`);
file("bin/python", '#!/bin/sh\nexec python3 "$@"\n', 0o755);
file("bin/mlflow", '#!/bin/sh\nline=mlflow\nfor a in "$@"; do line="$line [$a]"; done\nprintf "%s\\n" "$line" >> "$STUB_LOG"\n', 0o755);

let n = 0;
function migrate(tables: string[], uri: string, extra: Record<string, string> = {}) {
  const log = join(dir, `log-${n++}`);
  writeFileSync(log, "");
  const r = spawnSync("sh", ["-c", MIGRATION_SCRIPT], {
    encoding: "utf8",
    env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, PYTHONPATH: join(dir, "py"), MLFLOW_BACKEND_STORE_URI: uri, STUB_TABLES: JSON.stringify(tables), STUB_LOG: log, ...extra },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls: readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
}

const URI = "mysql+pymysql://mlflow:p%40ss%3Aw%2Frd%20x@127.0.0.1:3306/mlflow";

test.each([
  ["an empty database", []],
  ["a database with only alembic's table (an earlier failed attempt)", ["alembic_version"]],
])("%s: creates the schema as the server would, then upgrades (a no-op)", (_name, tables) => {
  const r = migrate(tables, URI);
  expect(r.status).toBe(0);
  expect(r.calls).toEqual([`engine ${URI}`, "dispose", `store ${URI} mlflow-artifacts:/`, `mlflow [db] [upgrade] [${URI}]`]);
  expect(r.stdout).toContain("empty database");
});

test("an existing database: straight to mlflow db upgrade", () => {
  const r = migrate(["alembic_version", "experiments", "runs", "registered_models"], URI);
  expect(r.status).toBe(0);
  expect(r.calls).toEqual([`engine ${URI}`, "dispose", `mlflow [db] [upgrade] [${URI}]`]);
  expect(r.stdout).toContain("3 MLflow tables found");
});

test("the URL is passed as one argument, unchanged, whatever characters it holds", () => {
  const odd = "postgresql+psycopg2://u:a b$HOME`id`'\"*;x@db:5432/mlflow";
  const r = migrate(["experiments"], odd);
  expect(r.status).toBe(0);
  expect(r.calls.at(-1)).toBe(`mlflow [db] [upgrade] [${odd}]`);
});

test("a failure stops before the upgrade and exits non-zero", () => {
  const r = migrate([], URI, { STUB_FAIL: "1" });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain("database unreachable");
  expect(r.calls).toEqual([]);
});

test("a missing MLFLOW_BACKEND_STORE_URI fails instead of migrating some default database", () => {
  const log = join(dir, "log-unset");
  writeFileSync(log, "");
  const r = spawnSync("sh", ["-c", MIGRATION_SCRIPT], { encoding: "utf8", env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, PYTHONPATH: join(dir, "py"), STUB_TABLES: "[]", STUB_LOG: log } });
  expect(r.status).not.toBe(0);
  expect(readFileSync(log, "utf8")).toBe("");
});
