# shellcheck shell=bash
# Source this (bash): puts the podman-backed `docker` shim first on PATH and points podman at the
# project's containers.conf, for kustomize/kpt container-function tests.
#   bash scripts/ci/install-tools.sh && source scripts/ci/env.sh
# No `set -euo pipefail` here: it would leak into the sourcing shell.
_mlflow_infra_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ ! -x "$_mlflow_infra_root/.cache/bin/docker" ]]; then
  echo "env.sh: $_mlflow_infra_root/.cache/bin/docker missing; run scripts/ci/install-tools.sh" >&2
fi
export CONTAINERS_CONF="$_mlflow_infra_root/.cache/containers/containers.conf"
case ":$PATH:" in
  *":$_mlflow_infra_root/.cache/bin:"*) ;;
  *) export PATH="$_mlflow_infra_root/.cache/bin:$PATH" ;;
esac
export KPT_FN_RUNTIME=podman
unset _mlflow_infra_root
