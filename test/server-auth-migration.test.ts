/**
 * The migration Job's basic-auth step (AUTH_MIGRATION_SCRIPT), run for real under `sh` with
 * Debian's python3, SQLAlchemy, psycopg2 and PyMySQL against a real PostgreSQL and a real
 * MariaDB, each started on loopback for this test and stopped after it. MLflow itself is not in
 * Debian: its two functions the script calls are stand-ins (create_sqlalchemy_engine_with_retry
 * creates a plain engine; the auth store's migrate creates a table in the database it is given
 * and logs the revision). What is checked is the script's own part:
 * - the auth database is created on the tracking database's server when it is missing, with a
 *   name that needs quoting (a '-' from the connection secret's database name), outside a
 *   transaction (PostgreSQL refuses CREATE DATABASE inside one);
 * - a second run finds it and does not create it again;
 * - the migration runs against the auth database, to revision head;
 * - a failure exits non-zero.
 * The tools come from Debian (scripts/ci/install-tools.sh installs them); missing ones fail.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AUTH_MIGRATION_SCRIPT, UPGRADE_MARKER } from "../function/resources/server/migration.js";
import { freePort, MARIADB_INSTALL_DB, MYSQLD, PG_BIN, PYTHON } from "./helpers/databases.js";
import { stagingDir } from "./helpers/stage.js";

const NOBODY = 65534;

const deps = spawnSync(PYTHON, ["-c", "import sqlalchemy, psycopg2, pymysql"], { encoding: "utf8" });
if (deps.status !== 0) {
  throw new Error(`Debian's python3-sqlalchemy, python3-psycopg2 and python3-pymysql are needed: ${deps.stderr}`);
}
for (const tool of [`${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`, MYSQLD, MARIADB_INSTALL_DB]) {
  if (!existsSync(tool))
    throw new Error(`${tool} is missing: run scripts/ci/install-tools.sh (postgresql, mariadb-server)`);
}

// The servers run as another user and must reach their directories: not under $TMPDIR.
const dir = stagingDir("auth-migrate");

function file(path: string, text: string, mode = 0o644) {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
  chmodSync(join(dir, path), mode);
}

for (const pkg of [
  "mlflow",
  "mlflow/store",
  "mlflow/store/db",
  "mlflow/server",
  "mlflow/server/auth",
  "mlflow/server/auth/db",
]) {
  file(`py/${pkg}/__init__.py`, "");
}
file(
  "py/mlflow/store/db/utils.py",
  `import sqlalchemy
def create_sqlalchemy_engine_with_retry(uri):
    return sqlalchemy.create_engine(uri)
`,
);
file(
  "py/mlflow/server/auth/db/utils.py",
  `import os
import sqlalchemy
def migrate(engine, revision):
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("CREATE TABLE IF NOT EXISTS users (id INTEGER)"))
    with open(os.environ["STUB_LOG"], "a") as f:
        f.write(f"migrate {engine.url.database} {revision}\\n")
`,
);
file("bin/python", `#!/bin/sh\nexec ${PYTHON} "$@"\n`, 0o755);

function must(cmd: string, args: string[], opts: Parameters<typeof spawnSync>[2] = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${String(r.stderr)}${String(r.stdout)}`);
  return r;
}

async function waitFor(check: () => boolean, what: string) {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start`);
}

const pg = { dir: join(dir, "pg"), port: 0 };
const maria: { dir: string; port: number; proc?: ChildProcess } = { dir: join(dir, "maria"), port: 0 };
const asNobody = { uid: NOBODY, gid: NOBODY };

beforeAll(async () => {
  // PostgreSQL refuses to run as root: the cluster belongs to nobody.
  pg.port = await freePort();
  mkdirSync(pg.dir);
  chmodSync(pg.dir, 0o700);
  spawnSync("chown", [`${NOBODY}:${NOBODY}`, pg.dir]);
  must(`${PG_BIN}/initdb`, ["-D", pg.dir, "-A", "trust", "-U", "postgres"], { ...asNobody, cwd: "/" });
  const opts = `-c listen_addresses=127.0.0.1 -p ${pg.port} -k ${pg.dir}`;
  must(`${PG_BIN}/pg_ctl`, ["-D", pg.dir, "-o", opts, "-w", "-l", join(pg.dir, "log"), "start"], {
    ...asNobody,
    cwd: "/",
  });
  const createPg = [
    `c = psycopg2.connect(host="127.0.0.1", port=${pg.port}, user="postgres", dbname="postgres")`,
    "c.autocommit = True",
    `c.cursor().execute('CREATE DATABASE "mlflow-prod"')`,
  ];
  must(PYTHON, ["-c", ["import psycopg2", ...createPg].join("\n")]);

  maria.port = await freePort();
  must(MARIADB_INSTALL_DB, [`--datadir=${maria.dir}`, "--user=root", "--auth-root-authentication-method=normal"]);
  maria.proc = spawn(
    MYSQLD,
    [
      `--datadir=${maria.dir}`,
      "--user=root",
      `--port=${maria.port}`,
      "--bind-address=127.0.0.1",
      `--socket=${join(maria.dir, "sock")}`,
      "--skip-grant-tables",
      "--skip-log-bin",
    ],
    { stdio: "ignore" },
  );
  const ping = [
    "import pymysql",
    `c = pymysql.connect(host="127.0.0.1", port=${maria.port}, user="root")`,
    'c.cursor().execute("CREATE DATABASE IF NOT EXISTS `mlflow-prod`")',
  ].join("\n");
  await waitFor(() => spawnSync(PYTHON, ["-c", ping]).status === 0, "MariaDB");
}, 120000);

afterAll(async () => {
  if (existsSync(join(pg.dir, "postmaster.pid"))) {
    spawnSync(`${PG_BIN}/pg_ctl`, ["-D", pg.dir, "-m", "fast", "-w", "stop"], { ...asNobody, cwd: "/" });
  }
  const proc = maria.proc;
  if (proc && proc.exitCode === null) {
    const exited = new Promise((ok) => proc.once("exit", ok));
    proc.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}, 60000);

let n = 0;
function run(tracking: string, auth: string) {
  const log = join(dir, `log-${n++}`);
  writeFileSync(log, "");
  const r = spawnSync("sh", ["-c", `set -eu\n${AUTH_MIGRATION_SCRIPT}`], {
    encoding: "utf8",
    env: {
      PATH: `${join(dir, "bin")}:/usr/bin:/bin`,
      PYTHONPATH: join(dir, "py"),
      MLFLOW_BACKEND_STORE_URI: tracking,
      MLFLOW_AUTH_DATABASE_URL: auth,
      STUB_LOG: log,
    },
  });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    calls: readFileSync(log, "utf8").trim().split("\n").filter(Boolean),
  };
}

const engines = [
  ["PostgreSQL", () => `postgresql+psycopg2://postgres@127.0.0.1:${pg.port}`, "SELECT datname FROM pg_database"],
  [
    "MariaDB",
    () => `mysql+pymysql://root@127.0.0.1:${maria.port}`,
    "SELECT schema_name FROM information_schema.schemata",
  ],
] as const;

function databases(server: string, query: string): string[] {
  const py = [
    "import sqlalchemy",
    `with sqlalchemy.create_engine(${JSON.stringify(`${server}/mlflow-prod`)}).connect() as c:`,
    `    print("\\n".join(r[0] for r in c.execute(sqlalchemy.text(${JSON.stringify(query)}))))`,
  ].join("\n");
  return String(must(PYTHON, ["-c", py]).stdout)
    .trim()
    .split("\n");
}

describe.each(engines)("%s", (_name, server, query) => {
  test("creates the missing auth database (a name that needs quoting) and migrates it to head", () => {
    expect(databases(server(), query)).not.toContain("mlflow-prod_auth");
    const r = run(`${server()}/mlflow-prod`, `${server()}/mlflow-prod_auth`);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain("creating the auth database mlflow-prod_auth");
    expect(r.calls).toEqual(["migrate mlflow-prod_auth head"]);
    expect(databases(server(), query)).toContain("mlflow-prod_auth");
  });

  test("a second run finds the database and only migrates", () => {
    const r = run(`${server()}/mlflow-prod`, `${server()}/mlflow-prod_auth`);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).not.toContain("creating");
    expect(r.calls).toEqual(["migrate mlflow-prod_auth head"]);
  });

  test("a failed auth step drops the tracking upgrade's marker (the tracking schema is untouched)", () => {
    const tracking = `${server()}/mlflow-prod`;
    const marker = (sql: string) =>
      must(PYTHON, [
        "-c",
        `import sqlalchemy\nwith sqlalchemy.create_engine(${JSON.stringify(tracking)}).begin() as c:\n    ${sql}`,
      ]);
    marker(`c.execute(sqlalchemy.text("CREATE TABLE ${UPGRADE_MARKER} (started VARCHAR(40), revision VARCHAR(40))"))`);
    const r = run(tracking, "postgresql+psycopg2://postgres@127.0.0.1:1/unreachable_auth");
    expect(r.status).not.toBe(0);
    expect(r.calls).toEqual([]);
    const left = marker(`print(sqlalchemy.inspect(c).has_table("${UPGRADE_MARKER}"))`);
    expect(String(left.stdout).trim()).toBe("False");
  });

  test("an unreachable tracking database fails before migrating", () => {
    const r = run(`${server()}/no-such-db`, `${server()}/other_auth`);
    expect(r.status).not.toBe(0);
    expect(r.calls).toEqual([]);
  });
});
