#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs the tools the end-to-end tests
# drive (podman, runc), builds the function, checks types and lints, runs jest, and ends with one
# summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ci/install-tools.sh
# shellcheck disable=SC1091
source scripts/ci/env.sh
npm run --silent build
# Types are checked here (ts-jest runs without type diagnostics, for speed).
npm run --silent typecheck
# ESLint, Prettier and the 120-character line limit; a finding fails the suite after jest has run.
lint=0
npm run --silent lint || lint=1
# The single executable (dist/mlflow-infra-sea) for the SEA, image and Argo CD tests: about 2-4 s.
node scripts/build-sea.mjs

report=.cache/jest-report.json
mkdir -p .cache
status=0
node --experimental-vm-modules node_modules/jest/bin/jest.js --ci --json --outputFile="$report" "$@" || status=$?
node -e '
const r = require(process.argv[1]);
console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' "$PWD/$report" || status=1
if [ "$lint" -ne 0 ]; then echo "npm test: npm run lint failed (above)" >&2; status=1; fi
exit "$status"
