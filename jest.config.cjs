/**
 * Jest runs the TypeScript sources as ES modules (the kubernetes-models packages used by
 * the schema tests are ESM-only), through ts-jest; node needs --experimental-vm-modules,
 * which scripts/test.sh passes.
 */
module.exports = {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, isolatedModules: true, diagnostics: false }],
  },
  testMatch: ["<rootDir>/test/**/*.test.ts", "<rootDir>/function/**/*.test.ts"],
  testTimeout: 120000,
};
