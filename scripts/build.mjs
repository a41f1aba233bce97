#!/usr/bin/env node
// Build: write dist/:
//   mlflow-infra.js     function/main.ts bundled into one CommonJS file (ASCII only, no runtime
//                       dependencies); `node dist/mlflow-infra.js` runs it as it is
//   mlflow-infra        the executable: a launcher (scripts/lib/launcher.mjs) that runs the bundle
//                       with its code cache
//   mlflow-infra.cache  a V8 code cache of the bundle (--no-code-cache: none; the launcher then
//                       compiles the bundle)
//   mlflow-infra.yaml.js  the yaml package, which the bundle requires the first time it needs it
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { BUILD_MARK, ID_LENGTH, launcher, WRAP_HEAD, WRAP_TAIL, YAML_CHUNK } from "./lib/launcher.mjs";
import { root } from "./lib/load-module.mjs";

const require = createRequire(import.meta.url);

/**
 * The `yaml` package, loaded on first use. A render of an ordinary ResourceList never needs it:
 * scan.ts reads the items and the functionConfig as text, and function/krm/yaml.ts writes the
 * output. It is bundled on its own (dist/mlflow-infra.yaml.js); in the bundle, the import
 * resolves to a stand-in whose exports are getters that require that file the first time one of
 * them is read (the launcher's require serves it in the single executable too). Bundled as is,
 * its ~40 modules would be initialised at every start, and its 115 kB read and hashed.
 */
const lazyYaml = {
  name: "lazy-yaml",
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: "yaml", namespace: "lazy-yaml" }));
    b.onResolve({ filter: /^\.\/mlflow-infra\.yaml\.js$/ }, (a) => ({ path: a.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: "lazy-yaml" }, () => {
      const getters = Object.keys(require("yaml")).map((k) => `get ${k}() { return load().${k}; }`);
      return {
        contents:
          `let m;\nconst load = () => (m ??= require(${JSON.stringify(`./${YAML_CHUNK}`)}));\n` +
          `module.exports = { ${getters.join(", ")} };\n`,
        loader: "js",
      };
    });
  },
};

const BUNDLE = join(root, "dist/mlflow-infra.js");
const CACHE = join(root, "dist/mlflow-infra.cache");
const LAUNCHER = join(root, "dist/mlflow-infra");
const CHUNK = join(root, "dist", YAML_CHUNK);

/**
 * dist/mlflow-infra.js: the function as one CommonJS file in ASCII, no runtime dependencies but
 * dist/mlflow-infra.yaml.js, the yaml package (ASCII too).
 */
async function bundle() {
  const { version } = require(join(root, "package.json"));
  await Promise.all([BUNDLE, CACHE, LAUNCHER, CHUNK].map((f) => rm(f, { force: true })));
  const common = {
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    charset: "ascii",
    legalComments: "none",
    logLevel: "warning",
  };
  await build({ ...common, entryPoints: [require.resolve("yaml")], outfile: CHUNK });
  await build({
    ...common,
    entryPoints: [join(root, "function/main.ts")],
    outfile: BUNDLE,
    define: { __VERSION__: JSON.stringify(version) },
    plugins: [lazyYaml],
  });
  const source = await readFile(BUNDLE, "latin1");
  for (const [file, text] of [
    [BUNDLE, source],
    [CHUNK, await readFile(CHUNK, "latin1")],
  ]) {
    // esbuild escapes strings, not regular expression literals: the launchers read the files as latin1.
    const odd = /[\u0080-\uffff]/.exec(text);
    if (odd) {
      const around = text.slice(Math.max(0, odd.index - 40), odd.index + 20);
      throw new Error(`build: ${file} is not ASCII at ${odd.index}: ${JSON.stringify(around)}`);
    }
  }
  const id = createHash("sha256").update(source).digest("hex").slice(0, ID_LENGTH);
  await writeFile(BUNDLE, `${source}${BUILD_MARK}${id}\n`);
}

const readBeside = (name, binary) =>
  `require("node:fs").readFileSync(__dirname+${JSON.stringify(`/${name}`)}${binary ? "" : `,"latin1"`})`;

/**
 * dist/mlflow-infra.cache: the id, then a V8 code cache made by running the bundle once on the
 * seed config, so that it holds the bytecode of everything a render runs. If anything here fails,
 * there is no cache (the launcher then compiles the bundle), with a warning.
 */
async function makeCodeCache() {
  const source = await readFile(BUNDLE, "latin1");
  const maker = [
    'const fs = require("node:fs"), vm = require("node:vm");',
    `const src = fs.readFileSync(${JSON.stringify(BUNDLE)}, "latin1");`,
    `const script = new vm.Script(${JSON.stringify(WRAP_HEAD)} + src + ${JSON.stringify(WRAP_TAIL)}, ` +
      `{ filename: "mlflow-infra.js" });`,
    `process.on("exit", () => fs.writeFileSync(${JSON.stringify(`${CACHE}.tmp`)}, script.createCachedData()));`,
    // require as from dist/: the bundle requires ./mlflow-infra.yaml.js when it needs the yaml package.
    `const m = { exports: {} }, req = require("node:module").createRequire(${JSON.stringify(LAUNCHER)});`,
    `script.runInThisContext()(m.exports, req, m, ${JSON.stringify(LAUNCHER)}, ${JSON.stringify(dirname(LAUNCHER))});`,
  ].join("\n");
  const seedConfig = await readFile(join(root, "examples/seed/mlflow-config.yaml"), "utf8");
  const seed =
    `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: ` +
    `[]\nfunctionConfig:\n${seedConfig.replace(/\n$/, "").replace(/^/gm, "  ")}\n`;
  const made = spawnSync(process.execPath, ["-e", maker], { input: seed, encoding: "utf8", maxBuffer: 64 << 20 });
  let cache;
  try {
    cache = await readFile(`${CACHE}.tmp`);
  } catch {
    return console.warn(`build: no code cache (the run on the seed exited ${made.status}: ${made.stderr.trim()})`);
  } finally {
    await rm(`${CACHE}.tmp`, { force: true });
  }
  const id = source.slice(-(ID_LENGTH + 1), -1);
  await writeFile(CACHE, Buffer.concat([Buffer.from(id, "latin1"), cache]));
  // The launcher must render the seed exactly as the bundle alone does, and V8 must take the cache.
  const check =
    `const vm=require("node:vm"),fs=require("node:fs");const src=fs.readFileSync(${JSON.stringify(BUNDLE)},"latin1");` +
    `const s=new vm.Script(${JSON.stringify(WRAP_HEAD)}+src+${JSON.stringify(WRAP_TAIL)},{filename:"mlflow-infra.js",` +
    `cachedData:fs.readFileSync(${JSON.stringify(CACHE)}).subarray(${ID_LENGTH})});` +
    `process.stdout.write(String(s.cachedDataRejected))`;
  const taken = spawnSync(process.execPath, ["-e", check], { encoding: "utf8" });
  const got = spawnSync(process.execPath, [LAUNCHER], { input: seed, encoding: "utf8", maxBuffer: 64 << 20 });
  if (made.status !== 0 || got.status !== 0 || got.stdout !== made.stdout || taken.stdout !== "false") {
    await rm(CACHE, { force: true });
    return console.warn(
      `build: the code cache was not taken (${taken.stdout}) or changed the output (exit ${got.status}): ` +
        `no cache written`,
    );
  }
}

async function writeLauncher() {
  await writeFile(
    LAUNCHER,
    "#!/usr/bin/env node\n" +
      "// mlflow-infra: runs mlflow-infra.js beside it with its V8 code cache (scripts/build.mjs).\n" +
      launcher(readBeside),
  );
  await chmod(LAUNCHER, 0o755);
}

await bundle();
await writeLauncher();
if (!process.argv.includes("--no-code-cache")) await makeCodeCache();
