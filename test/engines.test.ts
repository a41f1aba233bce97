/**
 * The connection URL of the ExternalSecret, proved with the real engines, all from Debian and
 * installed by scripts/ci/install-tools.sh (a missing one fails this test, it is never skipped):
 * - the template the function emits is rendered by Go's text/template with Sprig, set up the way
 *   ESO's template engine v2 sets it up (test/engines/esotemplate/main.go says how, and from which
 *   ESO source);
 * - the rendered URL is read back by SQLAlchemy's make_url (python3-sqlalchemy; MLflow reads
 *   MLFLOW_BACKEND_STORE_URI the same way) into exactly the credentials, host, port and database;
 * - each URL logs in, through SQLAlchemy, with PyMySQL and mysqlclient (MySQLdb) to a MariaDB
 *   server and with psycopg2 to a PostgreSQL server, both started here on loopback (IPv4 and
 *   IPv6) in a temporary directory, for a table of hostile credentials.
 * PyMySQL encodes a text password as latin-1 (PyMySQL issue #1252): a non-ASCII password cannot
 * log in through it whatever the URL holds. Those cases are asserted to fail, as documented in
 * docs/database.md and the driver's schema description.
 * The migration Job's script then runs with such a URL against both servers, through the drivers
 * of MLflow's images (PyMySQL, psycopg2), with stand-ins for MLflow (test/helpers/mlflow-standin.ts).
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { resolve } from "../function/config/defaults.js";
import type { ResolvedConfig } from "../function/config/types.js";
import { UPGRADE_MARKER } from "../function/resources/server/migration.js";
import { connectionUrlTemplate } from "../function/resources/secrets.js";
import { HEAD, migrationStandIn } from "./helpers/mlflow-standin.js";
import { ROOT } from "./helpers/paths.js";
import { freePort, MARIADB_INSTALL_DB, MYSQLD, PG_BIN, PYTHON } from "./helpers/databases.js";
import { withServer } from "./helpers/server.js";
import { stagingDir } from "./helpers/stage.js";

const run = promisify(execFile);

const TOOLS = ["/usr/bin/go", PYTHON, MARIADB_INSTALL_DB, MYSQLD, join(PG_BIN, "initdb"), join(PG_BIN, "pg_ctl")];
const SPRIG = "/usr/share/gocode/src/github.com/Masterminds/sprig/functions.go";
const PY_MODULES = "import sqlalchemy, pymysql, MySQLdb, psycopg2";

const isRoot = process.getuid?.() === 0;
// The servers run as mysql / postgres and must reach their directories: not under $TMPDIR.
const dir = stagingDir("engines");

/** The servers refuse to run as root: as root, drop to their Debian system users (setpriv execs). */
function asUser(user: "mysql" | "postgres", argv: string[]): [string, string[]] {
  if (!isRoot) return [argv[0], argv.slice(1)];
  return ["setpriv", [`--reuid=${user}`, `--regid=${user}`, "--init-groups", "--", ...argv]];
}

function ownedDir(name: string, user: "mysql" | "postgres"): string {
  const path = join(dir, name);
  mkdirSync(path, { mode: 0o700 });
  if (isRoot) {
    const id = (flag: string) => Number(spawnSync("id", [flag, user], { encoding: "utf8" }).stdout.trim());
    chownSync(path, id("-u"), id("-g"));
  }
  return path;
}

function python(request: object): any {
  const script = join(ROOT, "test/engines/dburl.py");
  const r = spawnSync(PYTHON, [script], { input: JSON.stringify(request), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`dburl.py failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// --- ESO's template engine: Go text/template + Sprig, built from Debian's sources ---------------
const esotemplate = join(ROOT, ".cache/engines/esotemplate");

async function buildRenderer(): Promise<void> {
  // GOPATH mode, offline: Debian's golang-*-dev packages are GOPATH sources under
  // /usr/share/gocode. The program sits in a GOPATH of its own (a symlink) with a go.mod, so
  // that "github.com/Masterminds/sprig/v3" resolves to Debian's sprig (minimal module
  // compatibility applies to GOPATH code only).
  const gopath = join(ROOT, ".cache/engines/gopath");
  mkdirSync(join(gopath, "src"), { recursive: true });
  const link = join(gopath, "src/esotemplate");
  rmSync(link, { force: true });
  symlinkSync(join(ROOT, "test/engines/esotemplate"), link);
  const env = {
    ...process.env,
    GO111MODULE: "off",
    GOPATH: `${gopath}:/usr/share/gocode`,
    GOCACHE: join(ROOT, ".cache/go-build"),
    GOPROXY: "off",
    GOFLAGS: "",
  };
  await run("/usr/bin/go", ["build", "-o", esotemplate, "esotemplate"], { env, cwd: ROOT });
}

type Rendered = { data?: Record<string, string>; error?: string };

function renderTemplates(templates: Record<string, string>, cases: Array<Record<string, string>>): Rendered[] {
  const r = spawnSync(esotemplate, [], { input: JSON.stringify({ templates, cases }), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`esotemplate failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// --- the servers ------------------------------------------------------------------------------
const servers: { mysqld?: ChildProcess; pgData?: string } = {};
const ports = { mysql: 0, postgresql: 0 };

async function startMariaDb(): Promise<void> {
  const home = ownedDir("mariadb", "mysql");
  const data = join(home, "data");
  const install = asUser("mysql", [
    MARIADB_INSTALL_DB,
    "--no-defaults",
    `--datadir=${data}`,
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
  ]);
  await run(...install, { cwd: dir });
  ports.mysql = await freePort();
  const socket = join(home, "mysqld.sock");
  const [mcmd, margs] = asUser("mysql", [
    MYSQLD,
    "--no-defaults",
    `--datadir=${data}`,
    `--socket=${socket}`,
    `--pid-file=${join(home, "mysqld.pid")}`,
    "--skip-networking=0",
    "--bind-address=127.0.0.1,::1",
    `--port=${ports.mysql}`,
    "--skip-name-resolve",
    `--log-error=${join(home, "error.log")}`,
    "--skip-log-bin",
    "--innodb-buffer-pool-size=16M",
  ]);
  const mysqld = spawn(mcmd, margs, { cwd: dir, stdio: "ignore" });
  servers.mysqld = mysqld;
  for (let i = 0; !existsSync(socket); i++) {
    if (mysqld.exitCode !== null || i > 300) {
      const log = existsSync(join(home, "error.log")) ? readFileSync(join(home, "error.log"), "utf8") : "";
      throw new Error(`mysqld did not start (exit ${mysqld.exitCode}):\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  python({ op: "admin", engine: "mysql", socket, databases: DATABASES, users: USERS, owned: OWNED });
}

async function startPostgres(): Promise<void> {
  const home = ownedDir("postgresql", "postgres");
  const data = join(home, "data");
  const initdb = asUser("postgres", [
    join(PG_BIN, "initdb"),
    "-D",
    data,
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "--no-sync",
    "--no-instructions",
  ]);
  await run(...initdb, { cwd: dir });
  ports.postgresql = await freePort();
  const port = ports.postgresql;
  const options = `-c listen_addresses=127.0.0.1,::1 -p ${port} -c unix_socket_directories=${home} -c fsync=off`;
  const log = join(home, "server.log");
  const pgCtl = join(PG_BIN, "pg_ctl");
  const start = asUser("postgres", [pgCtl, "-D", data, "-l", log, "-w", "-t", "60", "-o", options, "start"]);
  servers.pgData = data;
  await run(...start, { cwd: dir });
  python({ op: "admin", engine: "postgresql", socket: home, port, databases: DATABASES, users: USERS, owned: OWNED });
}

// --- the credentials --------------------------------------------------------------------------
interface Credential {
  name: string;
  user: string;
  password: string;
  host?: string;
  database?: string;
  /** PyMySQL cannot log in with it (a non-ASCII password: PyMySQL #1252). */
  pymysqlFails?: true;
}

const ODD_DATABASE = "ml-flow.db_1$";
const DATABASES = ["mlflow", ODD_DATABASE];
const LONG = Array.from({ length: 30 }, (_, i) => `${i}:@/+%# ?&=\\'"`).join("");

// User names stay within 32 characters (MySQL 8's limit) and 63 bytes (PostgreSQL's).
const CREDENTIALS: Credential[] = [
  { name: "plain", user: "mlflow", password: "s3cret" },
  { name: "spaces", user: "user with spaces", password: " leading, inner and trailing spaces " },
  { name: "URL delimiters @ : /", user: "u@x:y/z", password: "p@ss:w/rd@db:5432/other" },
  { name: "+ and % (no double decoding)", user: "u+%25", password: "+plus+ %25 %2B %20 100%" },
  { name: "# ? & = (fragment and query)", user: "u?x#y&z=1", password: "#frag?query&a=b=c" },
  { name: "quotes and backslashes", user: "o'brien\"\\", password: `it's "quoted" \\ back\\slash \\' \\"` },
  { name: "shell and template syntax", user: "u$`;|", password: "$(id) `id` {{ .password }} ${HOME} ;|&<>*" },
  { name: "every ASCII punctuation mark", user: "u-punct", password: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" },
  { name: "control characters", user: "u-ctl", password: "tab\tcr\rlf\nend" },
  { name: "very long (440 characters)", user: "u-long", password: LONG },
  { name: "Latin-1 letters", user: "u-latin1", password: "pässwörd-été", pymysqlFails: true },
  { name: "beyond Latin-1", user: "ユーザー", password: "密码-пароль-🔑", pymysqlFails: true },
  { name: "non-ASCII user name, ASCII password", user: "üser-名前", password: "ascii only" },
  { name: "IPv6 host, database with . - _ $", user: "u-v6", password: "v6 p@ss", host: "::1", database: ODD_DATABASE },
];
const USERS = CREDENTIALS.map((c) => [c.user, c.password]);
/** The migration script's database, owned by the punctuation user (PostgreSQL 15 lets only owners create tables). */
const MIGRATOR = CREDENTIALS.find((c) => c.user === "u-punct")!;
const OWNED = [["mlflow_migrate", MIGRATOR.user]];

const DRIVERS = [
  { driver: "pymysql", engine: "mysql" },
  { driver: "mysqldb", engine: "mysql" },
  { driver: "psycopg2", engine: "postgresql" },
] as const;

function config(driver: string, port: number, proxy: boolean): ResolvedConfig {
  const server = proxy ? { cloudSqlProxy: { instanceConnectionName: "p-123456:europe-west1:db" } } : {};
  const resolved = resolve(withServer(server, { database: { driver } as any }));
  // The proxy listens on the database's standard port; here the server's port stands in for it.
  return { ...resolved, database: { ...resolved.database, port } };
}

/** What ESO hands the template: the secret's values, by secretKey. */
function esoData(c: Credential, port: number): Record<string, string> {
  const { user: username, password } = c;
  return { username, password, host: c.host ?? "127.0.0.1", port: String(port), database: c.database ?? "mlflow" };
}

function label(c: Credential, driver: string, proxy: boolean): string {
  return `${c.name} / ${driver}${proxy ? " / through the proxy's 127.0.0.1" : ""}`;
}

interface Row {
  label: string;
  driver: string;
  credential: Credential;
  url: string;
  expected: { drivername: string; username: string; password: string; host: string; port: number; database: string };
}
const rows: Row[] = [];
let logins: Array<{ user?: string; database?: string; error?: string }> = [];
let parsed: any[] = [];

beforeAll(async () => {
  const missing = TOOLS.filter((t) => !existsSync(t));
  if (!existsSync(SPRIG)) missing.push(SPRIG);
  if (spawnSync(PYTHON, ["-c", PY_MODULES]).status !== 0) missing.push(`${PYTHON}: ${PY_MODULES}`);
  if (missing.length) throw new Error(`missing (run scripts/ci/install-tools.sh): ${missing.join(", ")}`);

  await Promise.all([buildRenderer(), startMariaDb(), startPostgres()]);

  for (const { driver, engine } of DRIVERS) {
    for (const proxy of [false, true]) {
      const c0 = config(driver, ports[engine], proxy);
      const rendered = renderTemplates(
        { "connection-url": connectionUrlTemplate(c0) },
        CREDENTIALS.map((c) => esoData(proxy ? { ...c, host: undefined } : c, ports[engine])),
      );
      CREDENTIALS.forEach((credential, i) => {
        const r = rendered[i];
        if (!r.data) throw new Error(`${credential.name} (${driver}): ${r.error}`);
        rows.push({
          label: label(credential, driver, proxy),
          driver,
          credential,
          url: r.data["connection-url"],
          expected: {
            drivername: c0.database.scheme,
            username: credential.user,
            password: credential.password,
            host: proxy ? "127.0.0.1" : (credential.host ?? "127.0.0.1"),
            port: ports[engine],
            database: credential.database ?? "mlflow",
          },
        });
      });
    }
  }
  parsed = python({ op: "parse", urls: rows.map((r) => r.url) });
  logins = python({ op: "login", urls: rows.map((r) => r.url) });
}, 300_000);

afterAll(async () => {
  const stops: Array<Promise<unknown>> = [];
  if (servers.pgData) {
    const stop = asUser("postgres", [join(PG_BIN, "pg_ctl"), "-D", servers.pgData, "-m", "immediate", "-w", "stop"]);
    stops.push(run(...stop).catch(() => undefined));
  }
  const mysqld = servers.mysqld;
  if (mysqld && mysqld.exitCode === null) {
    stops.push(
      new Promise((done) => {
        const kill = setTimeout(() => mysqld.kill("SIGKILL"), 20_000);
        mysqld.once("exit", () => done(clearTimeout(kill)));
        mysqld.kill("SIGTERM");
      }),
    );
  }
  await Promise.all(stops);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const index = (label: string) => rows.findIndex((r) => r.label === label);
const LABELS = DRIVERS.flatMap(({ driver }) =>
  [false, true].flatMap((proxy) => CREDENTIALS.map((c) => label(c, driver, proxy))),
);

describe("SQLAlchemy reads the rendered URL back to exactly the parts", () => {
  test.each(LABELS)("%s", (label) => {
    const i = index(label);
    expect(parsed[i]).toEqual({ ...rows[i].expected, query: {} });
  });
});

describe("a real login with the rendered URL", () => {
  test.each(LABELS)("%s", (label) => {
    const { driver, credential, expected } = rows[index(label)];
    const result = logins[index(label)];
    if (driver === "pymysql" && credential.pymysqlFails) {
      // PyMySQL sends password.encode("latin-1"): either it cannot encode it, or the server
      // hashes other bytes than the UTF-8 ones the user was created with.
      expect(result.error).toMatch(/UnicodeEncodeError: 'latin-1' codec|Access denied for user/);
    } else {
      expect(result).toEqual({ user: credential.user, database: expected.database });
    }
  });
});

describe("what the template refuses, and why it must", () => {
  const template = (driver = "psycopg2") => connectionUrlTemplate(config(driver, 5432, false));
  const good = { username: "u", password: "p", host: "db.internal", port: "5432", database: "mlflow" };
  const secret = "zenml-mlflow-db-connection";
  // The connection URL as v0.1 emitted it: host, port and database unchecked.
  const unchecked =
    'postgresql+psycopg2://{{ .username | urlquery | replace "+" "%20" }}:' +
    '{{ .password | urlquery | replace "+" "%20" }}@{{ .host }}:{{ .port }}/{{ .database }}';

  // [field, value, why]: no why = SQLAlchemy reads the unchecked URL into other parts (or cannot
  // read it); a why = SQLAlchemy 1.4 reads it back unchanged, and the check refuses it for that reason.
  const NOT_A_HOST = "not a DNS name or an IP address: the driver's name lookup would fail later, less clearly";
  const BAD: Array<[field: "host" | "port" | "database", value: string, why?: string]> = [
    ["host", "db/evil"],
    ["host", "db?sslmode=disable"],
    ["host", "db:3306"],
    ["host", "/cloudsql/p-123456:europe-west1:db"],
    ["host", "fe80::1%eth0"],
    ["host", ""],
    ["host", "db#x", NOT_A_HOST],
    ["host", "user@db", NOT_A_HOST],
    ["host", "db host", NOT_A_HOST],
    ["host", "-db", NOT_A_HOST],
    ["port", "33a"],
    ["port", ""],
    ["port", "123456", "not a TCP port"],
    ["database", "a?b"],
    ["database", "a%2Fb", "SQLAlchemy 2.1 percent-decodes the database (sqlalchemy#11234): a/b there"],
    ["database", "a/b", "outside the names MySQL and PostgreSQL take unquoted"],
    ["database", "a#b", "outside the names MySQL and PostgreSQL take unquoted"],
    ["database", "a b", "outside the names MySQL and PostgreSQL take unquoted"],
    ["database", "mlflöw", "outside the names MySQL and PostgreSQL take unquoted"],
    ["database", "", "no database: the driver would connect to none"],
  ];

  test.each(BAD)("%s %j: ESO's engine fails naming the secret and the property", (field, value) => {
    const [r] = renderTemplates({ "connection-url": template() }, [{ ...good, [field]: value }]);
    expect(r.data).toBeUndefined();
    expect(r.error).toContain("unable to execute template at key connection-url");
    expect(r.error).toContain(`mlflow-infra needs the ${field} in Secret Manager secret ${secret} (property ${field})`);
  });

  const sent = (field: string, value: string) => {
    const parts = { ...good, [field]: value };
    return [parts.host, parts.port, parts.database];
  };
  // The unchecked template's URL for each row and the accepted hosts' URLs, read by SQLAlchemy
  // in one Python run: the parts (host, port, database), or the error.
  const ACCEPTED: Array<[what: string, host: string, read: string]> = [
    ["a DNS name", "mlflow-db.internal.example", "mlflow-db.internal.example"],
    ["a fully qualified name with its final dot", "p-123456.europe-west1.sql.goog.", "p-123456.europe-west1.sql.goog."],
    ["an IPv4 address", "10.20.30.40", "10.20.30.40"],
    ["an IPv6 address", "2001:db8::5", "2001:db8::5"],
    ["an IPv6 address with an embedded IPv4 one", "::ffff:10.0.0.1", "::ffff:10.0.0.1"],
    ["an IPv6 address in brackets", "[2001:db8::5]", "2001:db8::5"],
  ];
  const read = new Map<string, any>();
  beforeAll(() => {
    const urls = [
      ...renderTemplates(
        { u: unchecked },
        BAD.map(([field, value]) => ({ ...good, [field]: value })),
      ),
      ...renderTemplates(
        { u: template() },
        ACCEPTED.map(([, host]) => ({ ...good, host })),
      ),
    ].map((r) => r.data!.u);
    const keys = [...BAD.map(([f, v]) => `${f} ${v}`), ...ACCEPTED.map(([w]) => w)];
    python({ op: "parse", urls }).forEach((p: any, i: number) => read.set(keys[i], p));
  });
  const readUnchecked = (field: string, value: string) => {
    const p = read.get(`${field} ${value}`);
    return p.error ? { error: p.error } : { parts: [p.host, p.port === null ? null : String(p.port), p.database] };
  };

  const misread = BAD.filter(([, , why]) => !why);
  test.each(misread)("%s %j: unchecked, SQLAlchemy reads other parts or fails", (field, value) => {
    expect(readUnchecked(field, value)).not.toEqual({ parts: sent(field, value) });
  });

  test.each(BAD.filter(([, , why]) => why))("%s %j: SQLAlchemy reads it unchanged; refused as %s", (field, value) => {
    expect(readUnchecked(field, value)).toEqual({ parts: sent(field, value) });
  });

  test.each(ACCEPTED)("accepts %s", (what, _host, host) => {
    expect(read.get(what)).toMatchObject({ host, port: 5432, database: "mlflow", username: "u", password: "p" });
  });

  test("a key missing from the secret data fails as in ESO (missingkey=error), naming it", () => {
    const { database: _omitted, ...partial } = good;
    const [r] = renderTemplates({ "connection-url": template() }, [partial]);
    expect(r.error).toMatch(/map has no entry for key "database"/);
  });

  test("the renderer has ESO's function set: no env, expandenv, getHostByName; Sprig's and ESO's own", () => {
    for (const f of ["env", "expandenv", "getHostByName"]) {
      expect(renderTemplates({ k: `{{ ${f} "x" }}` }, [{}])[0].error).toContain(`function "${f}" not defined`);
    }
    const sprig = renderTemplates({ k: '{{ "a b" | urlquery }}|{{ "x" | b64enc }}|{{ trim " y " }}' }, [{}]);
    expect(sprig[0].data).toEqual({ k: "a+b|eA==|y" });
    expect(renderTemplates({ k: '{{ if false }}{{ pkcs12cert "" }}{{ end }}ok' }, [{}])[0].data).toEqual({ k: "ok" });
  });
});

describe("the migration script with the rendered URL, on the real servers", () => {
  const standIn = migrationStandIn();
  afterAll(() => standIn.remove());
  const MLFLOW_TABLES = ["alembic_version", "experiments", "metrics", "params", "runs", "tags"];

  test.each(["pymysql", "psycopg2"] as const)(
    "%s: creates beside another application, refuses after a failure",
    (driver) => {
      const engine = driver === "pymysql" ? "mysql" : "postgresql";
      const template = connectionUrlTemplate(config(driver, ports[engine], false));
      const data = esoData({ ...MIGRATOR, database: "mlflow_migrate" }, ports[engine]);
      const url = renderTemplates({ u: template }, [data])[0].data!.u;
      const tables = () => python({ op: "tables", urls: [url] })[0];
      python({ op: "execute", url, statements: ["CREATE TABLE users (id INTEGER)"] });

      const created = standIn.migrate(url);
      expect([created.status, created.stderr]).toEqual([0, ""]);
      expect(created.stdout).toContain("no MLflow schema: creating it at the latest revision, as mlflow server does");
      expect(created.stdout).toContain("(1 tables of other applications left alone)");
      expect(created.calls).toContain(`mlflow [db] [upgrade] [${url}]`);
      expect(tables()).toEqual([...MLFLOW_TABLES, "users"]);

      const failed = standIn.migrate(url, { STUB_UPGRADE_FAIL: "1" });
      expect(failed.stdout).toContain(`MLflow schema at revision ${HEAD}: upgrading it`);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toContain("mlflow-infra: ERROR: mlflow db upgrade failed (exit 1).");
      expect(tables()).toContain(UPGRADE_MARKER);

      const refused = standIn.migrate(url);
      expect(refused.status).toBe(3);
      expect(refused.stderr).toMatch(
        new RegExp(
          `an earlier upgrade did not finish \\(started [^)]* at revision ${HEAD}; table ${UPGRADE_MARKER}\\)`,
        ),
      );
      expect(refused.calls.some((c) => c.startsWith("mlflow "))).toBe(false);
    },
  );
});
