#!/usr/bin/env bash
# Checks the two tools the tests drive that this project does not install, because neither Debian
# nor npm has them in the versions needed: they must come with the machine.
#   kubectl   with its embedded kustomize at v5.x (`kubectl kustomize`: kubectl 1.27 or later);
#             the tests build every kustomization with it
#   kpt       1.0.0-beta.* (the tests run `kpt fn render` and `kpt fn eval`)
# Prints their versions on stderr; exits 1 with what to install when one is missing or of another
# version (a missing tool fails the tests, it is never skipped). scripts/ci/install-tools.sh runs it.
# Only bash builtins besides the two tools, so that it can be run with any PATH.
set -euo pipefail

errors=()
found=()

# Sets $out to what `TOOL ARGS...` prints; otherwise records why not (with the hint) and returns 1.
version_of() {
  local tool="$1" hint="$2"
  shift 2
  if ! command -v "$tool" >/dev/null; then
    errors+=("$tool not found on PATH: $hint")
    return 1
  fi
  if ! out="$("$tool" "$@" 2>&1)"; then
    errors+=("\`$tool $*\` failed: ${out//$'\n'/ }")
    return 1
  fi
}

if version_of kubectl "install kubectl 1.27 or later (its embedded kustomize must be v5.x)" version --client; then
  re_client='Client Version: (v[^[:space:]]+)'
  re_kustomize='Kustomize Version: (v[^[:space:]]+)'
  client="unknown" kustomize=""
  [[ "$out" =~ $re_client ]] && client="${BASH_REMATCH[1]}"
  [[ "$out" =~ $re_kustomize ]] && kustomize="${BASH_REMATCH[1]}"
  if [[ -z "$kustomize" ]]; then
    errors+=("kubectl $client reports no embedded kustomize: install kubectl 1.27 or later (kustomize v5.x)")
  elif [[ ! "$kustomize" =~ ^v5\. ]]; then
    errors+=("kubectl $client embeds kustomize $kustomize, the tests need v5.x: install kubectl 1.27 or later")
  else
    found+=("kubectl $client (kustomize $kustomize)")
  fi
fi

if version_of kpt "install kpt 1.0.0-beta.* (tested with 1.0.0-beta.56)" version; then
  version="${out%%$'\n'*}"
  version="${version#v}"
  if [[ "$version" =~ ^1\.0\.0-beta\.[0-9]+$ ]]; then
    found+=("kpt $version")
  else
    errors+=("kpt reports version '$version', the tests need 1.0.0-beta.* (tested with 1.0.0-beta.56): install that kpt")
  fi
fi

if ((${#errors[@]})); then
  for e in "${errors[@]}"; do echo "check-tools: ERROR: $e" >&2; done
  exit 1
fi
summary="${found[0]}"
for f in "${found[@]:1}"; do summary+=", $f"; done
echo "check-tools: ok: $summary" >&2
