#!/usr/bin/env bash
# Installs the container tooling that the image / kustomize / kpt tests need, idempotently:
#   - podman + runc (+ netavark network stack, conmon) and lua5.1 from Debian via apt, only when
#     missing;
#   - a project-local containers.conf  (.cache/containers/containers.conf);
#   - a `docker` shim (.cache/bin/docker) that execs podman with that containers.conf, so that
#     kustomize (which shells out to `docker run ...`) runs container functions through podman;
#   - the real engines that test/engines.test.ts drives (Go + Sprig, SQLAlchemy, PyMySQL,
#     mysqlclient, psycopg2, MariaDB, PostgreSQL), from Debian via apt, only when missing;
#   - a check of kubectl (embedded kustomize v5.x) and kpt (1.0.0-beta.*), which it does not install
#     (neither Debian nor npm has them): scripts/ci/check-tools.sh, which fails naming what to install.
# Prints the `export` lines to use the tools; `source scripts/ci/env.sh` does the same.
#
# Must run as root (apt-get; podman is used rootful here). Fast (< 1 s) when all is installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache"
CONF_DIR="$CACHE/containers"
BIN_DIR="$CACHE/bin"

die() { echo "install-tools: ERROR: $*" >&2; exit 1; }
log() { echo "install-tools: $*" >&2; }

# --- 1. packages -----------------------------------------------------------------------------
# podman        the container engine (Debian bookworm: 4.3.1)
# runc          OCI runtime (crun, podman's first choice when installed, is reported to fail on
#               setrlimit here; it is not installed, and containers.conf pins runc anyway)
# conmon        container monitor (a Depends of podman, listed to be explicit)
# netavark, aardvark-dns, iptables
#               network stack for `podman build` RUN steps (npm ci in the source build);
#               without iptables every such RUN fails with "netavark: No such file or directory".
#               Functions themselves run with --network none and need none of it.
# lua5.1        runs the Lua health check deploy/argocd/app-health puts in argocd-cm
#               (test/argocd.test.ts); Argo CD runs such checks in gopher-lua, a Lua 5.1 VM
# postgresql, mariadb-server, python3-sqlalchemy, python3-psycopg2, python3-pymysql
#               the databases and drivers test/server-auth-migration.test.ts runs the migration
#               Job's basic-auth step against (on loopback, started and stopped by the test)
# Recommends (buildah, fuse-overlayfs, slirp4netns, uidmap, ...) are not needed as root with the
# kernel's native overlay driver, so --no-install-recommends keeps the install small.
#
# The connection URL's end-to-end test (test/engines.test.ts) renders the ExternalSecret's template
# with Go's text/template and Sprig, reads the URL back with SQLAlchemy and logs in for real:
# golang-go                            go, to build test/engines/esotemplate (GOPATH mode, offline)
# golang-github-masterminds-sprig-dev  Sprig v3 sources under /usr/share/gocode (and their deps)
# python3-sqlalchemy                   make_url and create_engine, as MLflow uses them
# python3-pymysql python3-mysqldb python3-psycopg2
#                                      the drivers behind mysql+pymysql, mysql+mysqldb and
#                                      postgresql+psycopg2, for /usr/bin/python3
# mariadb-server postgresql            the servers the test starts on loopback in a temporary
#                                      directory (mariadb-install-db + mysqld; initdb + pg_ctl)
PKGS=(podman runc conmon netavark aardvark-dns iptables lua5.1
  golang-go golang-github-masterminds-sprig-dev python3-sqlalchemy python3-pymysql python3-mysqldb
  python3-psycopg2 mariadb-server postgresql)
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  [[ "$(id -u)" == 0 ]] || die "need root to apt-get install: ${missing[*]}"
  command -v apt-get >/dev/null || die "apt-get not found; install by hand: ${missing[*]}"
  log "installing ${missing[*]} via apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # Always refresh the lists first (about 1 s): on a new machine they are empty or stale.
  # Wait for a concurrent apt-get (another checkout's run) instead of failing on its lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq || die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
else
  log "packages present: ${PKGS[*]}"
fi
command -v podman >/dev/null || die "podman not on PATH after install"
command -v runc   >/dev/null || die "runc not on PATH after install"
command -v lua5.1 >/dev/null || die "lua5.1 not on PATH after install"
command -v go     >/dev/null || die "go not on PATH after install"
/usr/bin/python3 -c 'import sqlalchemy, pymysql, MySQLdb, psycopg2' \
  || die "Debian's /usr/bin/python3 cannot import sqlalchemy, pymysql, MySQLdb or psycopg2 after install"

# --- 1b. kubectl and kpt: from the machine, not installed here -------------------------------
bash "$ROOT/scripts/ci/check-tools.sh" || die "kubectl or kpt missing or of another version (above); install them, then re-run"

# --- 2. containers.conf ----------------------------------------------------------------------
# default_ulimits = []  : without it every `podman run` fails here with "error setting rlimit
#                         type 7 (RLIMIT_NOFILE): operation not permitted" (podman raises nofile)
# runtime = "runc"      : crun is reported to fail on setrlimit here; pin runc
# cgroup_manager/events : no systemd as PID 1 here; cgroupfs + file events avoid dbus/journald
mkdir -p "$CONF_DIR" "$BIN_DIR"
conf_tmp="$(mktemp)"
cat >"$conf_tmp" <<'CONF'
# Generated by scripts/ci/install-tools.sh; do not edit (re-run the script instead).
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
if ! cmp -s "$conf_tmp" "$CONF_DIR/containers.conf"; then
  mv "$conf_tmp" "$CONF_DIR/containers.conf"
  log "wrote $CONF_DIR/containers.conf"
else
  rm -f "$conf_tmp"
fi

# --- 3. docker shim ------------------------------------------------------------------------
# Finds containers.conf relative to itself, so the repo can be moved/cloned elsewhere.
shim_tmp="$(mktemp)"
cat >"$shim_tmp" <<'SHIM'
#!/bin/sh
# Generated by scripts/ci/install-tools.sh: `docker` -> podman (for kustomize container functions).
set -eu
here="$(dirname "$(readlink -f "$0")")"
: "${CONTAINERS_CONF:=$here/../containers/containers.conf}"
export CONTAINERS_CONF
exec podman "$@"
SHIM
if ! cmp -s "$shim_tmp" "$BIN_DIR/docker"; then
  mv "$shim_tmp" "$BIN_DIR/docker"
  log "wrote $BIN_DIR/docker"
else
  rm -f "$shim_tmp"
fi
chmod 0755 "$BIN_DIR/docker"

# --- 4. smoke check --------------------------------------------------------------------------
CONTAINERS_CONF="$CONF_DIR/containers.conf" podman info --format '{{.Host.OCIRuntime.Name}}' \
  >/dev/null 2>&1 || {
  CONTAINERS_CONF="$CONF_DIR/containers.conf" podman info >&2 || true
  die "podman info failed with $CONF_DIR/containers.conf"
}
log "ok: $(podman --version), runtime runc $(runc --version | awk 'NR==1{print $3}')"

# --- 5. how to use -------------------------------------------------------------------------
cat <<ENV
export CONTAINERS_CONF="$CONF_DIR/containers.conf"
export PATH="$BIN_DIR:\$PATH"
export KPT_FN_RUNTIME=podman
ENV
