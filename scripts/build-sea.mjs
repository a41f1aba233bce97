#!/usr/bin/env node
// Build dist/mlflow-infra-sea: the function as a Node single executable application (SEA), one
// file that runs where no Node is installed (Argo CD's repo-server). Steps, as in the Node 20
// docs (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html):
//   1. the bundle dist/mlflow-infra.js, its code cache dist/mlflow-infra.cache and the yaml
//      package dist/mlflow-infra.yaml.js (built by scripts/build.mjs when missing; pass --rebuild
//      to build them anyway) become the SEA's assets, and its main script is the launcher of
//      scripts/lib/launcher.mjs, reading them from there (node:sea getRawAsset: no copy);
//   2. `node --experimental-sea-config sea-config.json` (written to a fresh folder under
//      .cache/sea/, so that parallel builds do not collide) writes the preparation blob;
//   3. a copy of the very node binary that wrote the blob (process.execPath: blob and binary
//      must be the same Node version) gets its debug symbols stripped when `strip` is on PATH
//      (99 MB -> 86 MB here; --no-strip keeps them);
//   4. postject (devDependency) injects the blob as the NODE_SEA_BLOB note and flips the
//      NODE_SEA_FUSE sentinel;
//   5. the result must answer `--version` with package.json's version before it replaces
//      dist/mlflow-infra-sea.
// The executable is for the OS, CPU and C library of the node that built it (here linux-x64,
// glibc): build it on, or in a container image of, the platform it will run on.
// --if-stale: do nothing when dist/mlflow-infra-sea is up to date, that is when it exists, is not
// empty, and is not older than the bundle or its cache (the bundle must exist). The one staleness rule: the tests
// run `flock .cache/build-image.lock node scripts/build-sea.mjs --if-stale` (test/helpers/sea.ts),
// so the check is made under the lock and parallel test files build the executable once.
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launcher, YAML_CHUNK } from "./lib/launcher.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const bundle = join(root, "dist/mlflow-infra.js");
const cache = join(root, "dist/mlflow-infra.cache");
const output = join(root, "dist/mlflow-infra-sea");
// The fuse string Node's binary carries (src/node_sea.cc); postject flips its trailing 0 to 1.
const SENTINEL_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const args = new Set(process.argv.slice(2));
const started = Date.now();

function step(message) {
  process.stderr.write(`build-sea: ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

function isStale() {
  if (!existsSync(bundle) || !existsSync(output)) return true;
  const sea = statSync(output);
  const built = Math.max(...[bundle, cache].filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
  return sea.size === 0 || sea.mtimeMs < built;
}

if (args.has("--if-stale") && !args.has("--rebuild") && !isStale()) process.exit(0);

if (args.has("--rebuild") || !existsSync(bundle)) {
  execFileSync(process.execPath, [join(root, "scripts/build.mjs")], { stdio: "inherit" });
  step("bundled dist/mlflow-infra.js");
}

mkdirSync(join(root, ".cache/sea"), { recursive: true });
const work = mkdtempSync(join(root, ".cache/sea/build-"));
const main = join(work, "main.cjs");
const asset = (name, binary) =>
  `Buffer.from(require("node:sea").getRawAsset(${JSON.stringify(name)}))${binary ? "" : `.toString("latin1")`}`;
writeFileSync(main, launcher(asset));
const assets = { "mlflow-infra.js": bundle, [YAML_CHUNK]: join(root, "dist", YAML_CHUNK) };
if (existsSync(cache)) assets["mlflow-infra.cache"] = cache;
const blob = join(work, "sea-prep.blob");
const seaConfig = join(work, "sea-config.json");
// Not the SEA's own code cache (useCodeCache): that holds the main script's top level only, which
// here is the launcher; the bundle's cache covers every function a render runs.
const config = { main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, assets };
writeFileSync(seaConfig, `${JSON.stringify(config, null, 2)}\n`);
execFileSync(process.execPath, ["--experimental-sea-config", seaConfig], { stdio: ["ignore", "ignore", "pipe"] });
step(`wrote the preparation blob with node ${process.version}`);

const tmp = join(work, "mlflow-infra-sea");
copyFileSync(process.execPath, tmp);
chmodSync(tmp, 0o755);
if (!args.has("--no-strip") && spawnSync("strip", ["--version"], { stdio: "ignore" }).status === 0) {
  execFileSync("strip", [tmp]);
  step("copied and stripped the node binary");
} else {
  step("copied the node binary (not stripped)");
}

// postject's CLI, as the Node docs run it; its ELF library warns about notes it cannot name
// ("Can't find string offset for section name '.note.100'"): harmless, so filtered out.
const postject = spawnSync(
  process.execPath,
  [require.resolve("postject/dist/cli.js"), tmp, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SENTINEL_FUSE],
  { encoding: "utf8" },
);
const noise = /^warning: Can't find string offset for section name/;
const banner = /^(Start injection|💉 Injection done)/;
const plain = `${postject.stdout}${postject.stderr}`.replace(
  new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"),
  "",
);
process.stderr.write(
  plain
    .split("\n")
    .filter((l) => l.trim() !== "" && !noise.test(l) && !banner.test(l))
    .map((l) => `${l}\n`)
    .join(""),
);
if (postject.status !== 0) throw new Error(`postject failed with exit ${postject.status}`);
step("injected the blob with postject");

const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const check = spawnSync(tmp, ["--version"], { encoding: "utf8", env: { PATH: "/nonexistent" } });
if (check.status !== 0 || check.stdout !== `${version}\n`) {
  throw new Error(
    `the built executable does not work: exit ${check.status}, stdout ${JSON.stringify(check.stdout)}, ` +
      `stderr ${JSON.stringify(check.stderr)}`,
  );
}
renameSync(tmp, output);
rmSync(work, { recursive: true, force: true });
step(`wrote dist/mlflow-infra-sea, ${(statSync(output).size / 1e6).toFixed(1)} MB`);
