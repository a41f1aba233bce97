/**
 * Where the Debian database packages that scripts/ci/install-tools.sh installs put their
 * programs, for the tests that start MariaDB and PostgreSQL on loopback.
 */
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/**
 * Debian's own interpreter: the python3-* packages are installed for it. A python3 found earlier
 * on PATH (pyenv, a virtualenv) has none of them.
 */
export const PYTHON = "/usr/bin/python3";

/** The newest PostgreSQL's programs (/usr/lib/postgresql/<major>/bin: 15 on bookworm, 16 on noble). */
export const PG_BIN = (() => {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => +b - +a)
    : [];
  return versions.length ? join(base, versions[0], "bin") : join(base, "<version>", "bin");
})();

/** MariaDB's server and its data directory initialiser, by absolute path (/usr/sbin is not on every PATH). */
export const MYSQLD = "/usr/sbin/mysqld";
export const MARIADB_INSTALL_DB = "/usr/bin/mariadb-install-db";

/** A TCP port on 127.0.0.1 that was free a moment ago, for a server a test starts. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
    s.on("error", fail);
  });
}
