/**
 * The single executable application (dist/mlflow-infra-sea, `npm run build:sea`) runs where
 * there is no Node at all and behaves exactly like `node dist/mlflow-infra`: same stdout,
 * stderr and exit status, byte for byte, on KRM ResourceLists (seed, full, upsert over existing
 * items, invalid input) and on every command-line form.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { documents, resourceList } from "./helpers/krm.js";
import { DIST, ROOT } from "./helpers/paths.js";
import { binWithoutNode, ensureSea, SEA, which } from "./helpers/sea.js";

ensureSea();
// A PATH with the executable under its bare name, a shell, and nothing else: no node.
const sh = which("sh") ?? "/bin/sh";
const { dir, bin } = binWithoutNode({ sh });
const NO_NODE_ENV = { PATH: bin, HOME: dir, LANG: "C" };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function golden(name: string): string {
  const d = join(ROOT, "test/golden", name);
  const items = existsSync(join(d, "items.yaml")) ? documents(readFileSync(join(d, "items.yaml"), "utf8")) : [];
  return resourceList(readFileSync(join(d, "config.yaml"), "utf8"), items);
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function viaNode(args: string[], input: string): Run {
  const r = spawnSync(process.execPath, [DIST, ...args], { input, encoding: "utf8", cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function viaSea(args: string[], input: string, extra: { uid?: number; gid?: number } = {}): Run {
  // Run by its bare name through the shell, as a tool that finds it on PATH would.
  const r = spawnSync("sh", ["-c", 'exec mlflow-infra "$@"', "mlflow-infra", ...args], {
    input,
    encoding: "utf8",
    cwd: dir,
    env: NO_NODE_ENV,
    ...extra,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const invalid = resourceList(
  "apiVersion: mlflow-infra.dev/v1alpha1\nkind: MlflowConfig\nmetadata:\n  name: Not_A_Name\nspec:\n  " +
    "gcp:\n    projectId: x\n",
);

const cases: Array<[string, string[], string]> = [
  ["the seed ResourceList", [], golden("seed")],
  ["the full ResourceList", [], golden("full")],
  ["a ResourceList with existing items (upsert, comments kept)", [], golden("upsert-existing")],
  ["an invalid MlflowConfig (exit 1, results)", [], invalid],
  ["--version", ["--version"], ""],
  ["--help", ["--help"], ""],
  ["render FILE", ["render", join(ROOT, "examples/seed/mlflow-config.yaml")], ""],
  ["render - (stdin)", ["render", "-"], readFileSync(join(ROOT, "examples/seed/mlflow-config.yaml"), "utf8")],
  ["schema", ["schema"], ""],
  ["an unknown command (exit 2)", ["frobnicate"], ""],
  ["install without DIR (exit 2)", ["install"], ""],
];

test("the PATH the executable runs with has no node", () => {
  const r = spawnSync("sh", ["-c", "command -v node || echo none"], { encoding: "utf8", env: NO_NODE_ENV });
  expect(r.stdout.trim()).toBe("none");
  expect(spawnSync("sh", ["-c", "command -v mlflow-infra"], { encoding: "utf8", env: NO_NODE_ENV }).stdout.trim()).toBe(
    join(bin, "mlflow-infra"),
  );
});

test.each(cases)("%s: identical to node dist/mlflow-infra", (_name, args, input) => {
  const expected = viaNode(args, input);
  const actual = viaSea(args, input);
  expect(actual).toEqual(expected);
});

test("the failing cases do fail, with their message on stderr", () => {
  const bad = viaSea([], invalid);
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/metadata\.name/);
  expect(viaSea(["frobnicate"], "").status).toBe(2);
});

test("the seed's output is the golden expected ResourceList", () => {
  const r = viaSea([], golden("seed"));
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(readFileSync(join(ROOT, "test/golden/seed/expected.yaml"), "utf8"));
});

test("--version is package.json's version", () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  expect(viaSea(["--version"], "").stdout).toBe(`${version}\n`);
});

test("runs as nobody (65534) and as Argo CD's uid 999, with an empty environment", () => {
  // Switching uid needs root, as the tests run here and in CI: not being root is a failure, not a skip.
  expect({ uid: process.getuid?.() }).toEqual({ uid: 0 });
  const expected = viaNode([], golden("seed"));
  for (const uid of [65534, 999]) {
    const r = spawnSync(join(bin, "mlflow-infra"), [], {
      input: golden("seed"),
      encoding: "utf8",
      cwd: "/",
      env: {},
      uid,
      gid: uid,
    });
    expect({ uid, status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ uid, ...expected });
  }
});

test("it is one self-contained ELF file: no Node, no bundle beside it", () => {
  const head = readFileSync(join(bin, "mlflow-infra")).subarray(0, 4);
  expect(head.toString("latin1")).toBe("\x7fELF");
  // The copy in bin/ is all there is: its folder holds no JavaScript and no node.
  expect(existsSync(join(bin, "node"))).toBe(false);
  expect(viaSea(["--version"], "").status).toBe(0);
});

test("install DIR copies the executable itself to DIR/mlflow-infra (mode 0755), which runs; node refuses", () => {
  const target = mkdtempSync(join(dir, "install-"));
  const r = viaSea(["install", target], "");
  expect(r).toEqual({
    status: 0,
    stdout:
      `mlflow-infra install: wrote ${join(target, "mlflow-infra")} ` +
      `(${(statSync(SEA).size / 1e6).toFixed(1)} MB, mode 0755)\n`,
    stderr: "",
  });
  expect(readdirSync(target)).toEqual(["mlflow-infra"]);
  expect(statSync(join(target, "mlflow-infra")).mode & 0o777).toBe(0o755);
  expect(readFileSync(join(target, "mlflow-infra")).equals(readFileSync(SEA))).toBe(true);
  // Again over the existing file (a restarted init container), then from the copy itself.
  expect(viaSea(["install", target], "").status).toBe(0);
  const again = spawnSync(join(target, "mlflow-infra"), ["install", target], { encoding: "utf8", env: {} });
  expect(again.status).toBe(0);
  expect(readFileSync(join(target, "mlflow-infra")).equals(readFileSync(SEA))).toBe(true);
  expect(readdirSync(target)).toEqual(["mlflow-infra"]);

  const refused = viaNode(["install", target], "");
  expect(refused.status).toBe(2);
  expect(refused.stderr).toMatch(/only the single executable can install itself/);
  const bad = viaSea(["install", join(target, "missing")], "");
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/^mlflow-infra install: cannot use /);
});
