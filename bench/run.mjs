#!/usr/bin/env node
// `npm run bench`: the performance budget of mlflow-infra, measured side by side in one run.
//
// Every figure is the median wall time of RUNS (>= 15) runs after WARMUP runs, the commands of a
// group interleaved round by round so that load from elsewhere on the machine hits them alike.
// Each command is a fresh process (spawnSync), stdin from a file, stdout to /dev/null.
//
//   start-up     node dist/mlflow-infra < seed ResourceList      vs  node -e 0        budget 1.10x
//                dist/mlflow-infra-sea < seed ResourceList       vs  node -e 0        budget 1.10x
//   passthrough  1,000 / 10,000 unrelated resources              vs  yaml parse+stringify of the
//                through the function                                same input in Node  budget 0.25x
//                50,000 resources through the function alone; growth 1,000 -> 50,000 (time net of
//                node start-up per resource: linear is x50)
//   memory       peak RSS of the function at 1, 10 and 50 MB inputs   budget 150 MB + 3x input
//   end-to-end   kubectl kustomize --enable-alpha-plugins overlays/prod (container function)
//                kpt fn render --allow-exec (exec function)      vs  kubectl kustomize of the same
//                                                                    output as static YAML
//
// Prints a table and writes bench/results.md. Never a test: timings are not asserted anywhere.
// Env: BENCH_RUNS (default 15, at least 15), BENCH_WARMUP (default 3), BENCH_SKIP_E2E=1,
// BENCH_ONLY=startup|passthrough|memory|e2e (one group; then bench/results.md is not written).
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WORK = join(ROOT, ".cache/bench");
const DIST = join(ROOT, "dist/mlflow-infra");
const SEA = join(ROOT, "dist/mlflow-infra-sea");
const RUNS = Math.max(15, Number(process.env.BENCH_RUNS ?? 15));
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP ?? 3));
const NODE = process.execPath;
const MAXRSS_HOOK = join(ROOT, "bench/maxrss.cjs");

const log = (m) => process.stderr.write(`bench: ${m}\n`);

// ---------------------------------------------------------------------------------------------
// Inputs

function seedConfig() {
  return readFileSync(join(ROOT, "examples/seed/mlflow-config.yaml"), "utf8");
}

function indent(text, by) {
  return (
    text
      .replace(/\n+$/, "")
      .split("\n")
      .map((l) => (l === "" ? "" : by + l))
      .join("\n") + "\n"
  );
}

/** A ResourceList as kpt sends it: items with kpt's annotations, then the functionConfig. */
function resourceList(itemTexts) {
  let out = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
  out +=
    itemTexts.length === 0
      ? "items: []\n"
      : "items:\n" + itemTexts.map((t) => "- " + indent(t, "  ").slice(2)).join("");
  return out + "functionConfig:\n" + indent(seedConfig(), "  ");
}

/** The i-th unrelated resource: a mix of kinds, with comments, quoting and kpt annotations. */
function unrelated(i) {
  const path = `app-${i}/resource.yaml`;
  const ann =
    `    internal.config.kubernetes.io/path: ${path}\n    internal.config.kubernetes.io/index: ` +
    `"0"\n    config.kubernetes.io/path: ${path}\n`;
  switch (i % 3) {
    case 0:
      return (
        `# settings of app ${i}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}-settings ` +
        ` # trailing comment\n  namespace: team-${i % 17}\n  annotations:\n${ann}data:\n  mode: 0755\n  ` +
        `enabled: yes\n  released: 2024-01-01\n  note: "a quoted value with: colons and # hashes"\n`
      );
    case 1:
      return (
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: ` +
        `team-${i % 17}\n  labels:\n    app: app-${i}\n  annotations:\n${ann}spec:\n  replicas: 2\n  ` +
        `selector:\n    matchLabels:\n      app: app-${i}\n  template:\n    metadata:\n      labels:\n      ` +
        `  app: app-${i}\n    spec:\n      containers:\n        - name: main\n          image: ` +
        `registry.example.com/app:${i}.0.1\n          args: [--port=8080, --verbose]\n` +
        `          ports:\n            - containerPort: 8080\n` +
        `          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n`
      );
    default:
      return (
        `apiVersion: v1\nkind: Service\nmetadata:\n  name: app-${i}\n  namespace: team-${i % 17}\n  ` +
        `annotations:\n${ann}spec:\n  selector:\n    app: app-${i}\n  ports:\n    - name: http\n      port: ` +
        `80\n      targetPort: 8080\n`
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

const devNull = openSync("/dev/null", "w");

function runOnce(cmd, args, inputFile, env) {
  const fd = inputFile ? openSync(inputFile, "r") : "ignore";
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: [fd, devNull, "pipe"], env: env ?? process.env, maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (typeof fd === "number") closeSync(fd);
  if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
  return ms;
}

/** Median times of commands measured side by side: every round runs each command once. */
function sideBySide(commands) {
  const times = commands.map(() => []);
  for (let round = 0; round < WARMUP + RUNS; round++) {
    commands.forEach((c, i) => {
      const ms = runOnce(c.cmd, c.args, c.input, c.env);
      if (round >= WARMUP) times[i].push(ms);
    });
  }
  return times.map((t) => median(t));
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Peak resident set of a node process, reported by bench/maxrss.cjs at exit (kB). */
function peakRss(args, inputFile) {
  const fd = openSync(inputFile, "r");
  const r = spawnSync(NODE, ["--require", MAXRSS_HOOK, ...args], { stdio: [fd, devNull, "pipe"], encoding: "utf8" });
  closeSync(fd);
  const m = /maxrss-kb=(\d+)/.exec(r.stderr);
  return m ? Number(m[1]) : NaN;
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;
const ratio = (a, b) => a / b;
const verdict = (r, budget) => (r <= budget ? "met" : "NOT met");

// ---------------------------------------------------------------------------------------------
// The groups

const rows = []; // { group, what, value, baseline, ratio, budget, verdict, note }

function startup() {
  const seed = join(WORK, "seed.yaml");
  writeFileSync(seed, resourceList([]));
  const seaBuilt = existsSync(SEA);
  const commands = [
    { cmd: NODE, args: ["-e", "0"] },
    { cmd: NODE, args: [DIST], input: seed },
    ...(seaBuilt ? [{ cmd: SEA, args: [], input: seed }] : []),
  ];
  log(`start-up: ${commands.length} commands x ${RUNS} runs`);
  const [base, fn, sea] = sideBySide(commands);
  const baseline = `node -e 0: ${fmt(base)}`;
  rows.push({
    group: "start-up",
    what: "node dist/mlflow-infra < seed ResourceList",
    value: fmt(fn),
    baseline,
    ratio: ratio(fn, base),
    budget: 1.1,
  });
  const what = "dist/mlflow-infra-sea < seed ResourceList";
  if (seaBuilt) rows.push({ group: "start-up", what, value: fmt(sea), baseline, ratio: ratio(sea, base), budget: 1.1 });
  else
    rows.push({
      group: "start-up",
      what: "dist/mlflow-infra-sea < seed ResourceList",
      value: "not built",
      baseline: `node -e 0: ${fmt(base)}`,
      note: "run `npm run build:sea` first",
    });
  return base;
}

function passthrough(nodeStartup) {
  // The baseline: a bare `yaml` parse and stringify of the same input, bundled and minified like
  // the function so that both pay the same kind of module loading.
  const roundtrip = join(WORK, "yaml-roundtrip.cjs");
  const esbuild = join(ROOT, "node_modules/.bin/esbuild");
  const entry = join(ROOT, "bench/yaml-roundtrip.cjs");
  execFileSync(esbuild, [
    entry,
    "--bundle",
    "--minify",
    "--platform=node",
    "--format=cjs",
    `--outfile=${roundtrip}`,
    "--log-level=warning",
  ]);
  const net = {};
  for (const n of [1000, 10000, 50000]) {
    const input = join(WORK, `passthrough-${n}.yaml`);
    const text = resourceList(Array.from({ length: n }, (_, i) => unrelated(i)));
    writeFileSync(input, text);
    const what = `${n.toLocaleString("en")} resources (${(text.length / 1e6).toFixed(2)} MB)`;
    // The yaml round trip of 50,000 resources takes minutes and gigabytes: the function runs alone.
    const withYaml = n <= 10000;
    log(`passthrough ${n}: ${(text.length / 1e6).toFixed(1)} MB x ${RUNS} runs${withYaml ? "" : ", function only"}`);
    const commands = [
      { cmd: NODE, args: [DIST], input },
      ...(withYaml ? [{ cmd: NODE, args: [roundtrip], input }] : []),
    ];
    const [fn, yaml] = sideBySide(commands);
    net[n] = fn - nodeStartup;
    if (withYaml) {
      const baseline = `yaml parse+stringify: ${fmt(yaml)}`;
      rows.push({
        group: "passthrough",
        what,
        value: fmt(fn),
        baseline,
        ratio: ratio(fn, yaml),
        budget: n === 10000 ? 0.25 : undefined,
      });
    } else {
      rows.push({ group: "passthrough", what, value: fmt(fn), baseline: "(yaml round trip not run)" });
    }
  }
  const perItem = (n) => net[n] / n;
  // Linear growth: the time per resource (net of node's start-up) does not rise with the count.
  rows.push({
    group: "passthrough",
    what: "growth 1,000 -> 50,000, time net of node start-up",
    value:
      `x${(net[10000] / net[1000]).toFixed(1)} (1,000->10,000), ` +
      `x${(net[50000] / net[1000]).toFixed(1)} (1,000->50,000)`,
    baseline: "linear: x10, x50",
    ratio: perItem(50000) / perItem(1000),
    budget: 1.0,
    note:
      `time per 1,000 resources: ${(perItem(1000) * 1000).toFixed(1)} ms at 1,000, ` +
      `${(perItem(50000) * 1000).toFixed(1)} ms at 50,000 (ratio: per resource at 50,000 over 1,000)`,
  });
}

/** Peak resident memory of the function on inputs of about 1, 10 and 50 MB, against 150 MB + 3x the input. */
function memory() {
  for (const mb of [1, 10, 50]) {
    const input = join(WORK, `memory-${mb}.yaml`);
    const texts = [];
    let size = 0;
    for (let i = 0; size < mb * 1e6; i++) {
      texts.push(unrelated(i));
      size += texts[i].length + 2 * 12;
    }
    const text = resourceList(texts);
    writeFileSync(input, text);
    const inputMb = text.length / 2 ** 20;
    const budgetMb = 150 + 3 * inputMb;
    log(`memory ${mb} MB: ${texts.length} resources, 3 runs`);
    const peaks = [0, 1, 2].map(() => peakRss([DIST], input) / 1024);
    const peak = Math.max(...peaks);
    rows.push({
      group: "memory",
      what: `peak RSS, ${texts.length.toLocaleString("en")} resources (${inputMb.toFixed(1)} MiB)`,
      value: `${peak.toFixed(0)} MB`,
      baseline: `budget 150 MB + 3x input: ${budgetMb.toFixed(0)} MB`,
      ratio: peak / budgetMb,
      budget: 1.0,
      note: "highest of 3 runs, process.resourceUsage().maxRSS",
    });
  }
}

function toolEnv() {
  // The container tooling (podman behind a docker shim) lives in .cache when installed.
  const env = { ...process.env };
  const bin = join(ROOT, ".cache/bin");
  if (existsSync(join(bin, "docker"))) env.PATH = `${bin}:${env.PATH}`;
  const conf = join(ROOT, ".cache/containers/containers.conf");
  if (existsSync(conf)) env.CONTAINERS_CONF = conf;
  env.KPT_FN_RUNTIME ??= "podman";
  return env;
}

function which(cmd, env) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { env, encoding: "utf8" }).stdout.trim();
}

/** A kustomization listing the objects of a rendered stream as static files. */
function staticKustomization(dir, objects) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "resources.yaml"), objects);
  writeFileSync(
    join(dir, "kustomization.yaml"),
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- resources.yaml\n",
  );
}

function endToEndKustomize(env) {
  const what = "kubectl kustomize --enable-alpha-plugins overlays/prod (container)";
  const overlay = join(ROOT, "overlays/prod");
  const missing = (why) => rows.push({ group: "end-to-end", what, value: "not available", note: why });
  if (!which("kubectl", env)) return missing("kubectl is not on PATH");
  if (!existsSync(overlay)) return missing("overlays/prod does not exist in this tree yet");
  // The function images the overlay's generators name (config.kubernetes.io/function: container).
  const yamlFiles = (dir) =>
    existsSync(dir)
      ? readdirSync(dir, { recursive: true })
          .filter((f) => /\.ya?ml$/.test(f))
          .map((f) => join(dir, f))
      : [];
  const images = [
    ...new Set(
      [...yamlFiles(overlay), ...yamlFiles(join(ROOT, "base"))].flatMap((f) =>
        [...readFileSync(f, "utf8").matchAll(/container:\s*\n\s*image:\s*["']?([^\s"']+)/g)].map((m) => m[1]),
      ),
    ),
  ];
  if (images.length === 0) return missing("overlays/prod and base/ name no container function image");
  if (!which("docker", env))
    return missing("no `docker` on PATH (scripts/ci/install-tools.sh installs podman behind a docker shim)");
  for (const image of images) {
    if (spawnSync("docker", ["image", "inspect", image], { env, stdio: "ignore" }).status !== 0) {
      return missing(`the image ${image} is not built here (scripts/container/build-image.sh --local)`);
    }
  }
  const args = ["kustomize", "--enable-alpha-plugins", overlay];
  const probe = spawnSync("kubectl", args, { env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (probe.status !== 0)
    return missing(`kubectl kustomize failed here: ${probe.stderr.trim().split("\n").slice(-1)[0]}`);
  const staticDir = join(WORK, "static-prod");
  staticKustomization(staticDir, probe.stdout);
  log(`end-to-end kustomize: 2 commands x ${RUNS} runs`);
  const [live, stat] = sideBySide([
    { cmd: "kubectl", args, env },
    { cmd: "kubectl", args: ["kustomize", staticDir], env },
  ]);
  rows.push({
    group: "end-to-end",
    what,
    value: fmt(live),
    baseline: `static kubectl kustomize: ${fmt(stat)}`,
    ratio: ratio(live, stat),
    note: "the container run (podman) dominates; the function's own share is its start-up row above",
  });
}

function endToEndKpt(env, nodeStartup, fnStartup) {
  const what = "kpt fn render --allow-exec (exec function)";
  const missing = (why) => rows.push({ group: "end-to-end", what, value: "not available", note: why });
  if (!which("kpt", env)) return missing("kpt is not on PATH");
  if (!which("kubectl", env)) return missing("kubectl is not on PATH (for the static baseline)");
  // Two packages: the function, and the identity function `cat` (kpt's own cost of an exec step).
  const pkg = (name, exec) => {
    const dir = join(WORK, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "Kptfile"),
      `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: ${name}\n  annotations:\n    ` +
        `config.kubernetes.io/local-config: "true"\npipeline:\n  mutators:\n    - exec: ${exec}\n      ` +
        `configPath: mlflow-config.yaml\n`,
    );
    writeFileSync(
      join(dir, "mlflow-config.yaml"),
      seedConfig().replace("metadata:\n", 'metadata:\n  annotations:\n    config.kubernetes.io/local-config: "true"\n'),
    );
    return dir;
  };
  const fnPkg = pkg("kpt-function", DIST);
  const catPkg = pkg("kpt-identity", which("cat", env));
  const render = (dir) => ["fn", "render", "--allow-exec", "--truncate-output=false", dir];
  const first = spawnSync("kpt", render(fnPkg), { env, encoding: "utf8" });
  if (first.status !== 0)
    return missing(`kpt fn render failed here: ${(first.stderr || first.stdout).trim().split("\n").slice(-1)[0]}`);
  // The same output as static YAML: every object the render wrote, local-config ones excluded.
  const files = readdirSync(join(fnPkg, "mlflow"), { recursive: true })
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  staticKustomization(
    join(WORK, "static-kpt"),
    files.map((f) => readFileSync(join(fnPkg, "mlflow", f), "utf8").replace(/^(---\n)?/, "---\n")).join(""),
  );
  log(`end-to-end kpt: 3 commands x ${RUNS} runs`);
  const [live, identity, stat] = sideBySide([
    { cmd: "kpt", args: render(fnPkg), env },
    { cmd: "kpt", args: render(catPkg), env },
    { cmd: "kubectl", args: ["kustomize", join(WORK, "static-kpt")], env },
  ]);
  rows.push({
    group: "end-to-end",
    what,
    value: fmt(live),
    baseline: `static kubectl kustomize: ${fmt(stat)}`,
    ratio: ratio(live, stat),
    note:
      `kpt with the identity exec \`cat\`: ${fmt(identity)}; the function's share of the render: ` +
      `${fmt(live - identity)} (${(((live - identity) / live) * 100).toFixed(0)}%), of which node's own ` +
      `start-up ${fmt(nodeStartup)} and the function's JavaScript ${fmt(fnStartup)}`,
  });
}

// ---------------------------------------------------------------------------------------------

function table() {
  const header = ["group", "measured", "median", "baseline (median)", "ratio", "budget", "note"];
  const body = rows.map((r) => [
    r.group,
    r.what,
    r.value,
    r.baseline ?? "",
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}x`,
    r.budget === undefined
      ? ""
      : r.ratio === undefined
        ? `<= ${r.budget}x`
        : `<= ${r.budget}x ${verdict(r.ratio, r.budget)}`,
    r.note ?? "",
  ]);
  const md = [header, header.map(() => "---"), ...body]
    .map((cells) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`)
    .join("\n");
  return { md, body, header };
}

function consoleTable(header, body) {
  const width = header.map((h, i) => Math.min(60, Math.max(h.length, ...body.map((r) => r[i].length))));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(width[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(width.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

mkdirSync(WORK, { recursive: true });
if (!existsSync(DIST)) {
  console.error(`bench: ${DIST} is missing: run \`npm run build\` first (npm run bench does)`);
  process.exit(1);
}
const started = Date.now();
// BENCH_ONLY=startup (or passthrough, e2e) runs one group, for profiling; the table is then partial.
const only = process.env.BENCH_ONLY;
const nodeStartup = startup();
const fnStartup = Number.parseFloat(rows[0].value) - nodeStartup;
if (!only || only === "passthrough") passthrough(nodeStartup);
if (!only || only === "memory") memory();
if (only && only !== "e2e") {
  // start-up or passthrough only
} else if (process.env.BENCH_SKIP_E2E === "1") {
  rows.push({ group: "end-to-end", what: "kustomize and kpt", value: "skipped", note: "BENCH_SKIP_E2E=1" });
} else {
  const env = toolEnv();
  endToEndKustomize(env);
  endToEndKpt(env, nodeStartup, fnStartup);
}

const { md, body, header } = table();
const node = process.version;
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
console.log(consoleTable(header, body));
console.log(
  `\nmedian of ${RUNS} runs after ${WARMUP} warm-up runs, side by side; node ${node}; ${machine}; ` +
    `${((Date.now() - started) / 1000).toFixed(0)} s`,
);
if (!only)
  writeFileSync(
    join(ROOT, "bench/results.md"),
    `# Benchmark results\n\nWritten by \`npm run bench\` (bench/run.mjs) on ${when}: median of ${RUNS} runs ` +
      `after ${WARMUP} warm-up runs, ` +
      `the commands of each group interleaved; node ${node}; ${machine}. Ratios are against the baseline in ` +
      `the same row, ` +
      `measured in the same run. Start-up includes reading the seed ResourceList and writing the output. ` +
      `See bench/README.md for what each row means and why a budget is or is not met.\n\n${md}\n`,
  );
if (!only) log("wrote bench/results.md");
