#!/usr/bin/env bash
# Builds the function image with podman from the repo's Dockerfile.
#
# Usage: scripts/container/build-image.sh [--local] [--prebuilt] [--tag IMAGE]... [-- PODMAN_BUILD_ARGS...]
#   --local     use the host-made "cc" base from scripts/container/local-base.sh as RUNTIME_IMAGE
#               (and BUILD_IMAGE, so nothing is pulled), with --pull=never: for machines that cannot
#               pull public images. Implies --prebuilt (the local base has no node or npm).
#   --prebuilt  take the executable from the build context (--target prebuilt); needs
#               dist/mlflow-infra-sea, i.e. `npm run build:sea` first.
#   --tag       image name, default localhost/mlflow-infra:dev; repeat it for more names (all move
#               to the new image at once, so the previous one is left with none)
# Without flags: builds from source in the pinned public images (needs registry access; a
# TLS-intercepting proxy's CA, if any, is passed as the npm-ca build secret from $NPM_CA_FILE,
# default /etc/ssl/certs/ca-certificates.crt when it exists).
# After the build, removes this project's dangling images (untagged, no child; label
# mlflow-infra.image=function, the Dockerfile's): each rebuild of the executable makes a new image
# and leaves the previous one, about 93 MB, untagged. Images of other projects are left alone.
# Prints the (first) image name on stdout. Env: CONTAINERS_CONF (default .cache/containers/containers.conf).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
die() { echo "build-image: ERROR: $*" >&2; exit 1; }
log() { echo "build-image: $*" >&2; }

local_base=0 prebuilt=0 tags=()
while (($#)); do
  case "$1" in
    --local) local_base=1; prebuilt=1 ;;
    --prebuilt) prebuilt=1 ;;
    --tag) [[ $# -ge 2 ]] || die "--tag needs a value"; tags+=("$2"); shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

: "${CONTAINERS_CONF:=$ROOT/.cache/containers/containers.conf}"
[[ -f "$CONTAINERS_CONF" ]] || die "no $CONTAINERS_CONF; run scripts/ci/install-tools.sh first"
export CONTAINERS_CONF
command -v podman >/dev/null || die "podman not found; run scripts/ci/install-tools.sh first"

((${#tags[@]})) || tags=(localhost/mlflow-infra:dev)
tag="${tags[0]}"
args=(--file "$ROOT/Dockerfile")
for t in "${tags[@]}"; do args+=(--tag "$t"); done
if ((prebuilt)); then
  [[ -x "$ROOT/dist/mlflow-infra-sea" ]] || die "no dist/mlflow-infra-sea; run 'npm run build:sea' first"
  args+=(--target prebuilt)
else
  ca="${NPM_CA_FILE-/etc/ssl/certs/ca-certificates.crt}"
  if [[ -n "$ca" && -s "$ca" ]]; then args+=(--secret "id=npm-ca,src=$ca"); fi
fi
if ((local_base)); then
  base="$("$ROOT/scripts/container/local-base.sh")"
  args+=(--pull=never --build-arg "RUNTIME_IMAGE=$base" --build-arg "BUILD_IMAGE=$base")
fi

log "podman build ${args[*]} $* $ROOT"
start=$(date +%s.%N)
podman build "${args[@]}" "$@" "$ROOT" >&2 || die "podman build failed"
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
size=$(podman image inspect --format '{{.Size}}' "$tag")
log "built ${tags[*]} in ${secs}s, $((size / 1000000)) MB ($size bytes)"

# Only dangling images (untagged and without children: build-cache layers have children) that
# carry the Dockerfile's label, i.e. earlier builds of this image.
label=mlflow-infra.image=function
pruned="$(podman image prune --force --filter "label=$label")" || die "podman image prune failed"
if [[ -n "$pruned" ]]; then log "removed $(wc -l <<<"$pruned") dangling image(s) labelled $label"; fi
echo "$tag"
