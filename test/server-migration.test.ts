/**
 * The migration Job's script, run for real under `sh`, against real SQLite databases through
 * the real SQLAlchemy (Debian's python3-sqlalchemy, installed by scripts/ci/install-tools.sh),
 * with stand-ins for MLflow's modules and CLI (test/helpers/mlflow-standin.ts says what each
 * models). What is checked is the script's own logic: which database it recognises as MLflow's,
 * what it refuses, the marker that stops every later run after a failed upgrade, its messages,
 * and that the URL reaches SQLAlchemy and the CLI as one argument, exactly as in the
 * environment. test/engines.test.ts runs it against MariaDB and PostgreSQL too.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UPGRADE_MARKER } from "../function/resources/server/migration.js";
import { HEAD, migrationStandIn, PYTHON } from "./helpers/mlflow-standin.js";

const standIn = migrationStandIn();
const dir = standIn.dir;
const migrate = standIn.migrate;
afterAll(() => standIn.remove());

let n = 0;
/** A new SQLite database with these tables (and these alembic revisions), its path and URL. */
function database(tables: string[] = [], revisions: string[] = [], name = `db-${n++}.sqlite`) {
  const path = join(dir, name);
  const column = (t: string) => (t === "alembic_version" ? "version_num VARCHAR(32)" : "id INTEGER");
  const statements = tables.map((t) => `CREATE TABLE "${t}" (${column(t)})`);
  for (const r of revisions) statements.push(`INSERT INTO alembic_version VALUES ('${r}')`);
  sql(path, statements);
  return { path, uri: `sqlite:///${path}` };
}

function sql(path: string, statements: string[]): void {
  const code =
    "import sqlite3, sys, json\nc = sqlite3.connect(sys.argv[1])\n" +
    "for s in json.loads(sys.argv[2]): c.execute(s)\nc.commit()";
  const r = spawnSync(PYTHON, ["-c", code, path, JSON.stringify(statements)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
}

function tablesOf(path: string): string[] {
  const code =
    "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\n" +
    "print('\\n'.join(sorted(r[0] for r in c.execute(\"SELECT name FROM sqlite_master WHERE type = 'table'\"))))";
  return spawnSync(PYTHON, ["-c", code, path], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
}

function revisionOf(path: string): string[] {
  const code =
    "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\n" +
    "print('\\n'.join(r[0] for r in c.execute('SELECT version_num FROM alembic_version')))";
  return spawnSync(PYTHON, ["-c", code, path], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
}

const MLFLOW_TABLES = ["alembic_version", "experiments", "metrics", "params", "runs", "tags"];

const OTHERS = " (2 tables of other applications left alone)";

describe("a database without MLflow's schema: created as mlflow server creates it, then upgraded", () => {
  test.each([
    ["an empty database", [], [], ""],
    ["an empty alembic_version (mlflow db upgrade's leftover on an empty MySQL database)", ["alembic_version"], [], ""],
    ["other applications' tables (a shared database)", ["users", "orders"], [], OTHERS],
  ])("%s", (_name, tables, revisions, note) => {
    const db = database(tables, revisions);
    const r = migrate(db.uri);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const upgrade = `mlflow [db] [upgrade] [${db.uri}]`;
    expect(r.calls).toEqual([`engine ${db.uri}`, `store ${db.uri} mlflow-artifacts:/`, upgrade, `engine ${db.uri}`]);
    expect(r.stdout).toBe(
      `mlflow-infra: no MLflow schema: creating it at the latest revision, as mlflow server does${note}\n` +
        "mlflow-infra: the schema is up to date\n",
    );
    const others = tables.filter((t) => t !== "alembic_version");
    expect(tablesOf(db.path)).toEqual([...MLFLOW_TABLES, ...others].sort());
    expect(revisionOf(db.path)).toEqual([HEAD]);
  });
});

test("an MLflow schema: straight to mlflow db upgrade; a second run upgrades again (a no-op)", () => {
  const db = database([...MLFLOW_TABLES, "registered_models", "users"], ["0584bdc529eb"]);
  const r = migrate(db.uri);
  expect([r.status, r.stderr]).toEqual([0, ""]);
  expect(r.calls).toEqual([`engine ${db.uri}`, `mlflow [db] [upgrade] [${db.uri}]`, `engine ${db.uri}`]);
  const said = ["MLflow schema at revision 0584bdc529eb: upgrading it", "the schema is up to date"];
  expect(r.stdout).toBe(said.map((line) => `mlflow-infra: ${line}\n`).join(""));
  expect(revisionOf(db.path)).toEqual([HEAD]);
  const again = migrate(db.uri);
  expect(again.status).toBe(0);
  expect(again.stdout).toContain(`MLflow schema at revision ${HEAD}: upgrading it`);
  expect(tablesOf(db.path)).not.toContain(UPGRADE_MARKER);
});

test("a first run creates, the next one upgrades", () => {
  const db = database();
  expect(migrate(db.uri).stdout).toContain("no MLflow schema: creating it");
  const second = migrate(db.uri);
  expect(second.stdout).toContain(`MLflow schema at revision ${HEAD}: upgrading it`);
  expect(second.calls.some((c) => c.startsWith("store "))).toBe(false);
});

describe("refused, with nothing changed and no migration", () => {
  test.each([
    [
      "another application's Alembic revision",
      ["alembic_version", "users"],
      ["ae1027a6acf"],
      /alembic_version is at revision ae1027a6acf but there is no MLflow experiments table: another application/,
    ],
    [
      "another application's experiments table",
      ["experiments", "users"],
      [],
      /tables named like MLflow's \(experiments\) but no MLflow schema \(experiments and alembic_version\)/,
    ],
    [
      "MLflow's initial tables without alembic_version (a first start that stopped half-way)",
      ["experiments", "runs", "tags"],
      [],
      /tables named like MLflow's \(experiments, runs, tags\)/,
    ],
  ])("%s", (_name, tables, revisions, message) => {
    const db = database(tables, revisions);
    const before = tablesOf(db.path);
    const r = migrate(db.uri);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Give MLflow a database of its own.* Nothing was changed\.\n$/);
    expect(r.calls).toEqual([`engine ${db.uri}`]);
    expect(tablesOf(db.path)).toEqual(before);
  });
});

describe("a failed upgrade is never run again", () => {
  const db = database(MLFLOW_TABLES, ["0584bdc529eb"]);
  let failed: ReturnType<typeof migrate>;
  beforeAll(() => {
    failed = migrate(db.uri, { STUB_UPGRADE_FAIL: "1" });
  });

  test("it exits non-zero saying what to do, and leaves the marker", () => {
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("alembic: migration failed half-way");
    expect(failed.stderr).toContain(
      "mlflow-infra: ERROR: mlflow db upgrade failed (exit 1). MLflow's migrations are not transactional: " +
        "the schema may be half-migrated, so this Job does not retry and later syncs refuse to migrate " +
        `(table ${UPGRADE_MARKER}). Restore the database from the backup taken before this sync ` +
        "(docs/database.md in mlflow-infra), go back to the previous image or fix the cause above, then sync again.",
    );
    expect(tablesOf(db.path)).toContain(UPGRADE_MARKER);
  });

  test("the next run (an Argo CD sync retry) refuses before touching the schema", () => {
    const r = migrate(db.uri);
    expect(r.status).toBe(3);
    const started = String.raw`started \d{4}-\d\d-\d\dT[\d:]+\+00:00 at revision 0584bdc529eb`;
    expect(r.stderr).toMatch(new RegExp(`an earlier upgrade did not finish \\(${started}; table ${UPGRADE_MARKER}\\)`));
    expect(r.stderr).toContain("Restore the database from the backup taken before this sync");
    expect(r.calls).toEqual([`engine ${db.uri}`]);
  });

  test("once the marker is dropped (a restored backup has none), it migrates again", () => {
    sql(db.path, [`DROP TABLE ${UPGRADE_MARKER}`, "DROP TABLE half_migrated"]);
    const r = migrate(db.uri);
    expect(r.status).toBe(0);
    expect(tablesOf(db.path)).toEqual(MLFLOW_TABLES);
  });
});

test("a failed first start says what to clean up, and the next run refuses", () => {
  const db = database(["users"]);
  const r = migrate(db.uri, { STUB_STORE_FAIL: "1" });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(
    "mlflow-infra: ERROR: creating the MLflow schema failed (below). The database held no MLflow schema: drop the " +
      `tables MLflow created and ${UPGRADE_MARKER} (or re-create the database), fix the cause, then sync again.`,
  );
  expect(r.stderr).toContain("RuntimeError: connection lost");
  expect(r.calls.some((c) => c.startsWith("mlflow "))).toBe(false);
  expect(migrate(db.uri).stderr).toContain("an earlier upgrade did not finish");
});

test("the URL reaches SQLAlchemy and the CLI as one argument, unchanged, whatever it holds", () => {
  const odd = database([], [], "a b$HOME`id`'\"*;x&.sqlite");
  expect(odd.uri).toContain("`id`");
  const r = migrate(odd.uri);
  expect([r.status, r.stderr]).toEqual([0, ""]);
  expect(r.calls).toContain(`mlflow [db] [upgrade] [${odd.uri}]`);
  expect(r.calls[0]).toBe(`engine ${odd.uri}`);
  expect(existsSync(odd.path)).toBe(true);
});

test("an unreachable database stops before any change, non-zero", () => {
  const db = database();
  const r = migrate(db.uri, { STUB_UNREACHABLE: "1" });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain("database unreachable");
  expect(r.calls).toEqual([]);
  expect(tablesOf(db.path)).toEqual([]);
});

test("a missing MLFLOW_BACKEND_STORE_URI fails instead of migrating some default database", () => {
  const r = migrate(undefined);
  expect(r.status).not.toBe(0);
  expect(r.calls).toEqual([]);
});
