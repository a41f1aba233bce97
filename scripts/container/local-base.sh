#!/usr/bin/env bash
# Assembles a minimal, distroless-like "cc" base image from this host's shared libraries, for
# machines that cannot pull public images (the Dockerfile takes it via --build-arg RUNTIME_IMAGE=...).
#
# It stands in for gcr.io/distroless/cc-debian12 (glibc, libstdc++, libgcc_s; no shell, no node),
# on which the function image runs its single executable (dist/mlflow-infra-sea):
#   /lib/..., /lib64/...              exactly the shared libraries `ldd dist/mlflow-infra-sea`
#                                     reports (glibc with its loader, libstdc++, libgcc_s, libm, ...)
#   /etc/passwd, /etc/group           root (0), nobody (65534), nonroot (65532)
#   /tmp (1777), /home/nonroot        as in distroless
#   USER 65532, WORKDIR /home/nonroot, no ENTRYPOINT (as distroless cc)
# No shell, no package manager, no node: it can COPY and run the executable, nothing else.
# (Distroless cc also has CA certificates, tzdata, libssl and libgomp; the function needs none.)
#
# Usage: scripts/container/local-base.sh [--force] [IMAGE]
#   IMAGE defaults to localhost/mlflow-infra-cc-base:local. Skips the build when IMAGE exists and
#   was made from the same libraries (label mlflow-infra.libs: a sha256 over their paths and
#   bytes). Prints the image name on stdout.
#   Env: ELF (the executable whose libraries to take; default dist/mlflow-infra-sea, built by
#   `npm run build:sea`), CONTAINERS_CONF.
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

elf="${ELF:-$ROOT/dist/mlflow-infra-sea}"
[[ -x "$elf" ]] || die "no executable $elf; run 'npm run build:sea' first (or set ELF)"
image="${1:-localhost/mlflow-infra-cc-base:local}"

# The libraries it links (ldd prints "name => /path (addr)" and "/path (addr)"), real paths kept.
libs="$(ldd "$elf" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)"
[[ -n "$libs" ]] || die "ldd reported no libraries for $elf (statically linked?)"
interp="$(echo "$libs" | grep -m1 '/ld-linux' || true)"
[[ -n "$interp" ]] || die "no dynamic loader found in ldd output"
# shellcheck disable=SC2086
fingerprint="$(for lib in $libs; do printf '%s %s\n' "$lib" "$(sha256sum <"$lib" | cut -d' ' -f1)"; done | sha256sum | cut -c1-16)"

if ((!force)) && podman image exists "$image"; then
  have="$(podman image inspect --format '{{index .Labels "mlflow-infra.libs"}}' "$image" 2>/dev/null || true)"
  if [[ "$have" == "$fingerprint" ]]; then
    log "$image exists (libraries $fingerprint), skipping"
    echo "$image"
    exit 0
  fi
  log "$image holds libraries '${have:-?}', the host has $fingerprint: rebuilding"
fi

old_id="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
rootfs="$stage/rootfs"
mkdir -p "$rootfs"/{etc,tmp,home/nonroot,root}

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

# Check that the executable runs on the tree alone (same dynamic loader, no host paths), then
# take it out again: the base holds only libraries.
if command -v chroot >/dev/null; then
  cp "$elf" "$rootfs/probe"
  env -i "$(command -v chroot)" "$rootfs" /probe --version >/dev/null \
    || die "$elf does not start inside the assembled tree"
  rm "$rootfs/probe"
fi

# Everything root-owned except /home/nonroot (as in distroless); tar keeps numeric owners.
[[ "$(id -u)" == 0 ]] || die "run as root (the tree needs root-owned files and chown)"
chown 65532:65532 "$rootfs/home/nonroot"
tar --numeric-owner -C "$rootfs" -cf "$stage/rootfs.tar" .

podman import --quiet \
  --change 'USER 65532' \
  --change 'WORKDIR /home/nonroot' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL mlflow-infra.libs=$fingerprint" \
  --message "mlflow-infra local cc base: the libraries of $elf ($fingerprint)" \
  "$stage/rootfs.tar" "$image" >/dev/null \
  || die "podman import failed"
new_id="$(podman image inspect --format '{{.Id}}' "$image")"
if [[ -n "$old_id" && "$old_id" != "$new_id" ]]; then
  podman rmi "$old_id" >/dev/null 2>&1 || true   # the untagged old base, unless still in use
fi
log "built $image from the libraries of $elf: $(podman image inspect --format '{{.Size}}' "$image") bytes"
echo "$image"
