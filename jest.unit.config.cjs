/**
 * `npm run test:unit`: the unit, golden, property and docs tests, which need no root, no
 * containers and no tools beyond node (under a minute here: package.json runs it with FUZZ_RUNS=0.25, a
 * quarter of the property tests' runs). `npm test` runs every test,
 * these included, with jest.config.cjs.
 */
const base = require("./jest.config.cjs");

/** Tests that run containers, switch users, install tools, or take minutes: `npm test` only. */
const WHOLE_SUITE_ONLY = [
  "argocd",
  "argocd-image",
  "build-image",
  "check-tools",
  "clone-location",
  "config-connector-tools",
  "e2e-kpt",
  "e2e-kustomize",
  "engines",
  "hostile",
  "sea",
  "server-auth-migration",
  "server-migration",
];

module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/", ...WHOLE_SUITE_ONLY.map((name) => `/test/${name}\\.test\\.ts$`)],
};
