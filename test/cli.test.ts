/**
 * The built executable, dist/mlflow-infra, as users and tools run it: its commands, exit
 * codes and streams, and that it is self-contained (shebang on line 1, executable, runs with
 * plain node and no node_modules): a launcher that runs the bundle beside it, dist/mlflow-infra.js,
 * with the bundle's V8 code cache, dist/mlflow-infra.cache (scripts/lib/launcher.mjs).
 */
import Ajv from "ajv";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { mlflowConfigSchema } from "../function/config/schema.js";
import { validateConfig } from "../function/config/validate.js";
import type { KubeObject } from "../function/krm/resource-list.js";
import { documents, generatedItems, parseOutput, parseStream, resourceList } from "./helpers/krm.js";
import { DIST, requireFile, ROOT } from "./helpers/paths.js";

const BIN = requireFile(DIST, "run `npm run build` first");
const BUNDLE = requireFile(`${DIST}.js`, "run `npm run build` first");
const CACHE = requireFile(`${DIST}.cache`, "run `npm run build` first");
const YAML_CHUNK = requireFile(`${DIST}.yaml.js`, "run `npm run build` first");
const SEED_CONFIG = join(ROOT, "examples/seed/mlflow-config.yaml");
const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

function cli(args: string[], options: SpawnSyncOptions & { input?: string } = {}) {
  const p = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: ROOT, ...options });
  return { status: p.status, stdout: String(p.stdout), stderr: String(p.stderr) };
}

/** The seed golden's generated objects, without the file annotations only the KRM mode adds. */
function seedObjects(): KubeObject[] {
  const expected = parseOutput(readFileSync(join(ROOT, "test/golden/seed/expected.yaml"), "utf8"));
  return generatedItems(expected.items).map((o) => {
    const annotations = { ...(o.metadata?.annotations as Record<string, string>) };
    delete annotations["internal.config.kubernetes.io/path"];
    delete annotations["config.kubernetes.io/path"];
    const metadata = { ...o.metadata };
    if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
    else delete metadata.annotations;
    return { ...o, metadata };
  });
}

describe("the files", () => {
  test("line 1 is the shebang and the file is executable", () => {
    const text = readFileSync(BIN, "utf8");
    expect(text.split("\n")[0]).toBe("#!/usr/bin/env node");
    expect(statSync(BIN).mode & 0o111).toBe(0o111);
  });

  test("runs with plain node from a folder without node_modules, with or without its cache", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-infra-bundle-"));
    try {
      for (const f of [BIN, BUNDLE, CACHE, YAML_CHUNK])
        copyFileSync(f, join(dir, f.slice(DIST.length - "mlflow-infra".length)));
      const env = { PATH: process.env.PATH ?? "", HOME: dir };
      const render = (file: string, args: string[], input: string) =>
        spawnSync(process.execPath, [join(dir, file), ...args], { cwd: dir, env, encoding: "utf8", input });
      const seed = readFileSync(SEED_CONFIG, "utf8");
      const p = render("mlflow-infra", ["render", "-"], seed);
      expect(p.stderr).toBe("");
      expect(p.status).toBe(0);
      expect(parseStream(p.stdout)).toEqual(seedObjects());
      const krm = render("mlflow-infra", [], resourceList(seed));
      expect(krm.status).toBe(0);
      // The bundle alone, and the launcher without a cache or with another build's, give the same bytes.
      expect(render("mlflow-infra.js", [], resourceList(seed)).stdout).toBe(krm.stdout);
      writeFileSync(join(dir, "mlflow-infra.cache"), Buffer.concat([Buffer.from("0".repeat(32)), readFileSync(CACHE)]));
      expect(render("mlflow-infra", [], resourceList(seed)).stdout).toBe(krm.stdout);
      rmSync(join(dir, "mlflow-infra.cache"));
      expect(render("mlflow-infra", [], resourceList(seed)).stdout).toBe(krm.stdout);
      // An input only the yaml package reads (an anchor), which the bundle loads from mlflow-infra.yaml.js.
      const anchored = resourceList(seed).replace("items: []", "items:\n- &cm {apiVersion: v1, kind: ConfigMap}");
      const viaYaml = render("mlflow-infra", [], anchored);
      expect(viaYaml.status).toBe(0);
      expect(viaYaml.stdout).toContain("- &cm {apiVersion: v1, kind: ConfigMap}\n");
      expect(render("mlflow-infra.js", [], anchored).stdout).toBe(viaYaml.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the launcher copied without its bundle: exit 1, one line saying what is missing, nothing on stdout", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-infra-alone-"));
    try {
      copyFileSync(BIN, join(dir, "mlflow-infra"));
      const p = spawnSync(process.execPath, [join(dir, "mlflow-infra")], {
        input: resourceList(readFileSync(SEED_CONFIG, "utf8")),
        encoding: "utf8",
      });
      expect(p.status).toBe(1);
      expect(p.stdout).toBe("");
      expect(p.stderr).toBe(
        "mlflow-infra: cannot read mlflow-infra.js beside it (ENOENT): keep the files npm run build writes in " +
          "dist/ together\n",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the yaml package is read from disk only for an input that needs it", () => {
    // A preload that reports, at exit, whether the launcher read dist/mlflow-infra.yaml.js.
    const dir = mkdtempSync(join(tmpdir(), "mlflow-infra-chunk-"));
    try {
      const hook = join(dir, "hook.cjs");
      writeFileSync(
        hook,
        'const fs = require("node:fs"), read = fs.readFileSync; let seen = false;\n' +
          "fs.readFileSync = function (p, ...rest) { if (String(p).endsWith('mlflow-infra.yaml.js')) seen = true; " +
          "return read.call(this, p, ...rest); };\n" +
          'process.on("exit", () => fs.writeSync(2, `yaml-chunk-read=${seen}\\n`));\n',
      );
      const seed = resourceList(readFileSync(SEED_CONFIG, "utf8"));
      const run = (input: string) =>
        spawnSync(process.execPath, ["--require", hook, BIN], { input, encoding: "utf8" }).stderr.trim();
      expect(run(seed)).toBe("yaml-chunk-read=false");
      expect(run(seed.replace("items: []", "items:\n- &cm {apiVersion: v1, kind: ConfigMap}"))).toBe(
        "yaml-chunk-read=true",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("V8 takes the code cache for the bundle", () => {
    // As the launcher compiles it; in a child process, since jest may run with other V8 flags.
    const check =
      `const fs = require("node:fs"), vm = require("node:vm");` +
      `const src = fs.readFileSync(${JSON.stringify(BUNDLE)}, "latin1");` +
      `const s = new vm.Script("(function(exports,require,module,__filename,__dirname){" + src + "\\n})", ` +
      `{ cachedData: fs.readFileSync(${JSON.stringify(CACHE)}).subarray(32) });` +
      `process.stdout.write(String(s.cachedDataRejected));`;
    expect(spawnSync(process.execPath, ["-e", check], { encoding: "utf8" }).stdout).toBe("false");
  });

  /**
   * The launcher's own logic, run with a stand-in for node:vm that records what it is given: a
   * cache is used only when it starts with the id on the bundle's last line. V8 checks a cache
   * against the source's length only, so this is what keeps another build's cache out.
   */
  describe("the launcher", () => {
    const body = readFileSync(BIN, "utf8").replace(/^#!.*\n/, "");
    const bundle = readFileSync(BUNDLE, "latin1");
    const id = /\/\/# mlflow-infra-build ([0-9a-f]{32})\n$/.exec(bundle)?.[1];

    interface Compiled {
      source: string;
      options: { filename: string; cachedData?: Buffer };
      /** The require the compiled module body was run with. */
      require?: (id: string) => unknown;
    }

    /** Runs the launcher in a folder holding the bundle, `cache` and a yaml chunk: what it compiled. */
    function launch(cache: Buffer | undefined, then?: (bundleRequire: (id: string) => unknown) => void): Compiled[] {
      const dir = mkdtempSync(join(tmpdir(), "mlflow-infra-launcher-"));
      try {
        writeFileSync(join(dir, "mlflow-infra.js"), bundle, "latin1");
        writeFileSync(join(dir, "mlflow-infra.yaml.js"), "module.exports = 'the yaml package';");
        if (cache) writeFileSync(join(dir, "mlflow-infra.cache"), cache);
        const seen: Compiled[] = [];
        class Script {
          constructor(source: string, options: { filename: string; cachedData?: Buffer }) {
            seen.push({ source, options });
          }
          runInThisContext() {
            const compiled = seen[seen.length - 1];
            return (_exports: unknown, bundleRequire: (id: string) => unknown, module: { exports: unknown }) => {
              compiled.require = bundleRequire;
              if (compiled.options.filename === "mlflow-infra.yaml.js") module.exports = "the yaml package";
            };
          }
        }
        const fakeRequire = (m: string) => (m === "node:vm" ? { Script } : m === "node:fs" ? fs : `builtin ${m}`);
        new Function("exports", "require", "module", "__filename", "__dirname", body)(
          {},
          fakeRequire,
          {},
          join(dir, "mlflow-infra"),
          dir,
        );
        then?.(seen[0].require!);
        return seen;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    test("the bundle's last line names its build", () => expect(id).toMatch(/^[0-9a-f]{32}$/));

    test("compiles the bundle as a CommonJS module body, and nothing else", () => {
      const compiled = launch(undefined);
      expect(compiled).toHaveLength(1);
      const [{ source, options }] = compiled;
      expect(source).toBe(`(function(exports,require,module,__filename,__dirname){${bundle}\n})`);
      expect(options.filename).toBe("mlflow-infra.js");
      expect(options.cachedData).toBeUndefined();
    });

    test("the bundle's require serves the yaml chunk from beside it, once, and built-ins", () => {
      const compiled = launch(undefined, (bundleRequire) => {
        expect(bundleRequire("node:path")).toBe("builtin node:path");
        expect(bundleRequire("./mlflow-infra.yaml.js")).toBe("the yaml package");
        expect(bundleRequire("./mlflow-infra.yaml.js")).toBe("the yaml package");
      });
      expect(compiled.map((c) => c.options.filename)).toEqual(["mlflow-infra.js", "mlflow-infra.yaml.js"]);
      expect(compiled[1].source).toBe(
        "(function(exports,require,module,__filename,__dirname){module.exports = 'the yaml package';\n})",
      );
    });

    test("passes the cache after its id when the id is the bundle's", () => {
      const v8 = Buffer.from("the cache V8 made");
      expect(launch(Buffer.concat([Buffer.from(id!), v8]))[0].options.cachedData).toEqual(v8);
      expect(readFileSync(CACHE).subarray(0, 32).toString("latin1")).toBe(id);
    });

    test.each([
      ["another build's id", Buffer.concat([Buffer.from(`${id!.slice(1)}0`), Buffer.from("cache")])],
      ["no id", Buffer.from("cache")],
      ["an empty file", Buffer.alloc(0)],
    ])("ignores a cache with %s", (_name, cache) => {
      expect(launch(cache)[0].options.cachedData).toBeUndefined();
    });
  });
  test("runs directly through its shebang", () => {
    const p = spawnSync(BIN, ["--version"], { encoding: "utf8" });
    expect(p.status).toBe(0);
    expect(p.stdout).toBe(`${version}\n`);
  });
});

describe("--help and --version", () => {
  test.each(["--help", "-h", "help"])("%s prints the usage on stdout, exit 0", (flag) => {
    const p = cli([flag]);
    expect(p.status).toBe(0);
    expect(p.stderr).toBe("");
    for (const words of ["Usage:", "mlflow-infra render FILE", "mlflow-infra schema", "--version", "Exit status"])
      expect(p.stdout).toContain(words);
  });

  test.each(["--version", "-v", "version"])("%s prints the package.json version", (flag) => {
    const p = cli([flag]);
    expect(p.status).toBe(0);
    expect(p.stdout).toBe(`${version}\n`);
  });
});

describe("install", () => {
  test("is in --help", () => {
    expect(cli(["--help"]).stdout).toContain("mlflow-infra install DIR");
  });

  test("refuses under node (it would copy node, not the function): exit 2, nothing written", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-infra-install-"));
    try {
      const p = cli(["install", dir]);
      expect(p.status).toBe(2);
      expect(p.stdout).toBe("");
      expect(p.stderr).toMatch(/^mlflow-infra install: only the single executable can install itself/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("without DIR: exit 2", () => {
    const p = cli(["install"]);
    expect(p.status).toBe(2);
    expect(p.stderr).toContain("missing DIR");
  });
});

describe("schema", () => {
  const p = cli(["schema"]);
  const schema = JSON.parse(p.stdout) as Record<string, unknown>;

  test("prints the JSON Schema of MlflowConfig, exit 0", () => {
    expect(p.status).toBe(0);
    expect(schema.title).toBe("MlflowConfig");
    expect(schema).toEqual(JSON.parse(JSON.stringify(mlflowConfigSchema)));
  });

  test("is the schema the function validates with: ajv compiled from it agrees with the function", () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addVocabulary(["x-rule"]);
    const validate = ajv.compile(schema);
    const seed = parse(readFileSync(SEED_CONFIG, "utf8")) as Record<string, any>;
    expect(validate(seed)).toBe(true);
    const variants: Array<(c: Record<string, any>) => void> = [
      () => {},
      (c) => (c.spec.gcp.projectId = "Zenml"),
      (c) => (c.spec.gcp.projctId = "zenml-470505"),
      (c) => (c.spec.argocd = { repoURL: "https://github.com/example/mlops.git", syncWave: "3" }),
      (c) => (c.spec.namespace = "Team.ML"),
      (c) => (c.apiVersion = "v1"),
      (c) => (c.spec.database = { secrets: { user: "a b" } }),
      (c) => (c.spec.labels = { team: "ml" }),
    ];
    for (const mutate of variants) {
      const c = structuredClone(seed);
      mutate(c);
      const schemaSays = validate(c);
      const functionSaysErrors = validateConfig(c).results.filter((r) => r.severity === "error");
      expect([JSON.stringify(c), schemaSays]).toEqual([JSON.stringify(c), functionSaysErrors.length === 0]);
    }
  });
});

describe("render", () => {
  test("render examples/seed/mlflow-config.yaml prints the seed's objects as multi-document YAML", () => {
    const p = cli(["render", "examples/seed/mlflow-config.yaml"]);
    expect(p.status).toBe(0);
    expect(p.stderr).toBe("");
    expect(p.stdout.startsWith("---\napiVersion: ")).toBe(true);
    expect(documents(p.stdout).length).toBe(seedObjects().length);
    expect(parseStream(p.stdout)).toEqual(seedObjects());
  });

  test("render - reads the config from stdin", () => {
    const p = cli(["render", "-"], { input: readFileSync(SEED_CONFIG, "utf8") });
    expect(p.status).toBe(0);
    expect(parseStream(p.stdout)).toEqual(seedObjects());
  });

  test("render twice gives the same bytes", () => {
    expect(cli(["render", SEED_CONFIG]).stdout).toBe(cli(["render", SEED_CONFIG]).stdout);
  });

  test("a missing file: exit 1, a message naming the file", () => {
    const p = cli(["render", "no/such/config.yaml"]);
    expect(p.status).toBe(1);
    expect(p.stdout).toBe("");
    expect(p.stderr).toBe("mlflow-infra render: cannot read no/such/config.yaml: no such file\n");
  });

  test("a directory: exit 1", () => {
    const p = cli(["render", "examples"]);
    expect(p.status).toBe(1);
    expect(p.stderr).toContain("cannot read examples: it is a directory");
  });

  test("no FILE: exit 2 (usage)", () => {
    const p = cli(["render"]);
    expect(p.status).toBe(2);
    expect(p.stderr).toContain("missing FILE");
  });

  test("an invalid config: exit 1, each error once on stderr with its field, nothing on stdout", () => {
    const text = readFileSync(SEED_CONFIG, "utf8").replace("projectId: zenml-470505", "projectId: Zenml");
    const p = cli(["render", "-"], { input: text });
    expect(p.status).toBe(1);
    expect(p.stdout).toBe("");
    expect(p.stderr).toMatch(/^error: spec\.gcp\.projectId must be a GCP project id: .*got "Zenml"/m);
    expect(p.stderr).not.toContain("spec.gcp.projectId: spec.gcp.projectId");
  });

  test.each([
    ["YAML that does not parse", "a: [\n", "standard input is not valid YAML"],
    ["duplicate keys", "a: 1\na: 2\n", 'duplicate key "a"'],
    ["an empty file", "", "must hold a MlflowConfig"],
    ["a list", "- a\n", "must hold a MlflowConfig"],
    [
      "10,000 levels of block nesting (the same reader as the KRM mode)",
      Array.from({ length: 10000 }, (_, i) => `${" ".repeat(i)}k:\n`).join(""),
      "standard input is not valid YAML",
    ],
  ])("%s: exit 1", (_name, input, words) => {
    const p = cli(["render", "-"], { input });
    expect(p.status).toBe(1);
    expect(p.stdout).toBe("");
    expect(p.stderr).toContain(words);
  });

  test("warnings go to stderr and do not fail the render", () => {
    const text = `${readFileSync(SEED_CONFIG, "utf8")}  externalSecrets:\n    refreshInterval: 10s\n`;
    const p = cli(["render", "-"], { input: text });
    expect(p.status).toBe(0);
    expect(p.stderr).toMatch(/^warning: spec\.externalSecrets\.refreshInterval /m);
    expect(parseStream(p.stdout).length).toBe(seedObjects().length);
  });
});

describe("usage errors", () => {
  test("an unknown command: exit 2, the usage on stderr", () => {
    const p = cli(["bogus"]);
    expect(p.status).toBe(2);
    expect(p.stdout).toBe("");
    expect(p.stderr).toContain('unknown command "bogus"');
    expect(p.stderr).toContain("Usage:");
  });
});

describe("KRM mode on stdin", () => {
  test("the seed config as functionConfig: the seed golden's output, exit 0", () => {
    const p = cli([], { input: resourceList(readFileSync(SEED_CONFIG, "utf8")) });
    expect(p.status).toBe(0);
    expect(p.stdout).toBe(readFileSync(join(ROOT, "test/golden/seed/expected.yaml"), "utf8"));
  });

  test("only the ResourceList goes to stdout; info results stay off stderr", () => {
    const config = readFileSync(SEED_CONFIG, "utf8").replace("  stack: zenml\n", "");
    const p = cli([], { input: resourceList(config) });
    expect(p.status).toBe(0);
    const out = parseOutput(p.stdout);
    expect(out.results.some((r) => r.severity === "info")).toBe(true);
    expect(p.stderr).toBe("");
  });

  test("a large ResourceList is written whole", () => {
    const items = Array.from(
      { length: 3000 },
      (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  v: "${"x".repeat(100)}"\n`,
    );
    const p = cli([], { input: resourceList(readFileSync(SEED_CONFIG, "utf8"), items), maxBuffer: 64 * 1024 * 1024 });
    expect(p.status).toBe(0);
    expect(parseOutput(p.stdout).items.length).toBe(3000 + seedObjects().length);
  });

  test("text over the 1 MiB read buffer, multi-byte characters cut at its end, passes through whole", () => {
    // 2-, 3- and 4-byte UTF-8 sequences in items of varying length: some straddle each 1 MiB boundary.
    const text = (i: number) => "\u00e9\u20ac\u{1f600}x".repeat(40 + (i % 7));
    const items = Array.from(
      { length: 3000 },
      (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  v: "${text(i)}"\n`,
    );
    const input = resourceList(readFileSync(SEED_CONFIG, "utf8"), items);
    expect(Buffer.byteLength(input)).toBeGreaterThan(1 << 20);
    const p = cli([], { input, maxBuffer: 64 * 1024 * 1024 });
    expect(p.status).toBe(0);
    const itemsText = input.slice(input.indexOf("items:\n"), input.indexOf("functionConfig:"));
    expect(p.stdout.startsWith(`apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n${itemsText}`)).toBe(true);
    expect(p.stdout).not.toContain("\ufffd");
  });
});
