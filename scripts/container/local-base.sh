#!/usr/bin/env bash
# Assembles a minimal, distroless-like Node base image from this host's node binary, for machines
# that cannot pull public images (the Dockerfile takes it via --build-arg RUNTIME_IMAGE=...).
#
# Layout mimics gcr.io/distroless/nodejs20-debian12 so the Dockerfile works unchanged with either:
#   /nodejs/bin/node                  the host's node (readlink -f "$(command -v node)")
#   /lib/..., /lib64/...              exactly the shared libraries `ldd node` reports
#   /etc/passwd, /etc/group           root (0), nobody (65534), nonroot (65532)
#   /tmp (1777), /home/nonroot        as in distroless
#   ENTRYPOINT ["/nodejs/bin/node"], USER 65532, WORKDIR /home/nonroot
# No shell, no package manager, no npm: it can COPY and run node, nothing else.
#
# Usage: scripts/container/local-base.sh [--force] [IMAGE]
#   IMAGE defaults to localhost/mlflow-infra-node-base:<node major>. Skips the build when IMAGE
#   exists and was made from the same node version (label mlflow-infra.node-version).
#   Prints the image name on stdout. Env: NODE (node binary to use), CONTAINERS_CONF.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
die() { echo "local-base: ERROR: $*" >&2; exit 1; }
log() { echo "local-base: $*" >&2; }

force=0
if [[ "${1:-}" == "--force" ]]; then force=1; shift; fi

: "${CONTAINERS_CONF:=$ROOT/.cache/containers/containers.conf}"
[[ -f "$CONTAINERS_CONF" ]] || die "no $CONTAINERS_CONF; run scripts/ci/install-tools.sh first"
export CONTAINERS_CONF
command -v podman >/dev/null || die "podman not found; run scripts/ci/install-tools.sh first"
command -v ldd >/dev/null || die "ldd not found (Debian package libc-bin)"

node_bin="$(readlink -f "${NODE:-$(command -v node || true)}")"
[[ -x "$node_bin" ]] || die "no node binary (set NODE=/path/to/node)"
node_version="$("$node_bin" --version)"          # e.g. v20.20.2
node_major="${node_version#v}"; node_major="${node_major%%.*}"
image="${1:-localhost/mlflow-infra-node-base:$node_major}"

if ((!force)) && podman image exists "$image"; then
  have="$(podman image inspect --format '{{index .Labels "mlflow-infra.node-version"}}' "$image" 2>/dev/null || true)"
  if [[ "$have" == "$node_version" ]]; then
    log "$image exists (node $node_version), skipping"
    echo "$image"
    exit 0
  fi
  log "$image holds node '${have:-?}', host has $node_version: rebuilding"
fi

old_id="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
rootfs="$stage/rootfs"
mkdir -p "$rootfs"/{nodejs/bin,etc,tmp,home/nonroot,root}

# node + the libraries it links (ldd prints "name => /path (addr)" and "/path (addr)").
cp "$node_bin" "$rootfs/nodejs/bin/node"
libs="$(ldd "$node_bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)"
[[ -n "$libs" ]] || die "ldd reported no libraries for $node_bin (statically linked?)"
for lib in $libs; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"                       # dereference: the image holds real files
done

cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
GROUP
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"
chmod 0700 "$rootfs/home/nonroot"

# Check the tree runs on its own before importing it (same dynamic loader, no host paths).
interp="$(echo "$libs" | grep -m1 '/ld-linux' || true)"
[[ -n "$interp" ]] || die "no dynamic loader found in ldd output"
if command -v chroot >/dev/null; then
  env -i "$(command -v chroot)" "$rootfs" /nodejs/bin/node -e 'process.exit(0)' \
    || die "node does not start inside the assembled tree"
fi

# Everything root-owned except /home/nonroot (as in distroless); tar keeps numeric owners.
[[ "$(id -u)" == 0 ]] || die "run as root (the tree needs root-owned files and chown)"
chown 65532:65532 "$rootfs/home/nonroot"
tar --numeric-owner -C "$rootfs" -cf "$stage/rootfs.tar" .

podman import --quiet \
  --change 'ENTRYPOINT ["/nodejs/bin/node"]' \
  --change 'USER 65532' \
  --change 'WORKDIR /home/nonroot' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL mlflow-infra.node-version=$node_version" \
  --message "mlflow-infra local node base from $node_bin ($node_version)" \
  "$stage/rootfs.tar" "$image" >/dev/null \
  || die "podman import failed"
new_id="$(podman image inspect --format '{{.Id}}' "$image")"
if [[ -n "$old_id" && "$old_id" != "$new_id" ]]; then
  podman rmi "$old_id" >/dev/null 2>&1 || true   # the untagged old base, unless still in use
fi
log "built $image from $node_bin ($node_version): $(podman image inspect --format '{{.Size}}' "$image") bytes"
echo "$image"
