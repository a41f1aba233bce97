/**
 * End to end with kpt (1.0.0-beta.56 here): examples/kpt-package, copied to a temporary
 * directory, rendered by the function image (KPT_FN_RUNTIME=podman, the image built from this
 * Dockerfile) and by the bundle as an exec function; `kpt fn eval --exec` with --fn-config and
 * with the ConfigMap form (`-- key=value`). Every run is done twice: the second changes no byte.
 *
 * kpt itself rewrites a few styles when it writes a package back (a trailing comment's spacing,
 * folded block scalars, `<<` merge keys), whatever the function does. So the package's own files
 * are compared with an identity run (`kpt fn eval --exec /bin/cat`), byte for byte; the generated
 * files with what `mlflow-infra render` prints for the same MlflowConfig.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse } from "yaml";
import type { KubeObject } from "../function/krm/resource-list.js";
import { parseStream } from "./helpers/krm.js";
import { DIST, ROOT } from "./helpers/paths.js";
import { buildImage, requireTools, run, type BuiltImage } from "./helpers/e2e.js";

const PKG = join(ROOT, "examples/kpt-package");
/** The exec path as README.md writes it: kpt resolves it from the working directory (ROOT). */
const EXEC = relative(ROOT, DIST);

let built: BuiltImage;
let work: string;
let identity: Map<string, string>;
let original: Map<string, string>;
let byImage: Map<string, string>;

/** Every file under dir, by relative path. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return files;
}

function copyPackage(name: string): string {
  const dest = join(work, name);
  cpSync(PKG, dest, { recursive: true });
  return dest;
}

function kpt(args: string[], options: { allowFailure?: boolean } = {}) {
  return run("kpt", ["fn", ...args], { cwd: ROOT, allowFailure: options.allowFailure });
}

/** The files the function should generate for a MlflowConfig: mlflow/<kind>_<name>.yaml. */
function expectedFiles(configPath: string): Map<string, KubeObject> {
  const objects = parseStream(run("node", [DIST, "render", configPath]).stdout);
  return new Map(objects.map((o) => [`mlflow/${String(o.kind).toLowerCase()}_${String(o.metadata?.name)}.yaml`, o]));
}

/** Generated files exist where kpt should write them and hold exactly the rendered objects. */
function expectGenerated(files: Map<string, string>, expected: Map<string, KubeObject>): void {
  const generated = [...files.keys()].filter((f) => f.startsWith("mlflow/")).sort();
  expect(generated).toEqual([...expected.keys()].sort());
  for (const [file, object] of expected) {
    const docs = parseStream(files.get(file)!);
    expect({ file, docs }).toEqual({ file, docs: [object] });
  }
}

/** Runs a kpt command twice on dir; returns the files after the first run (the second changed no byte). */
function twice(dir: string, args: string[]): Map<string, string> {
  kpt(args);
  const first = snapshot(dir);
  kpt(args);
  expect(snapshot(dir)).toEqual(first);
  return first;
}

beforeAll(() => {
  requireTools(["podman", "kpt", "flock"]);
  built = buildImage();
  work = mkdtempSync(join(tmpdir(), "mlflow-infra-kpt-"));
  original = snapshot(PKG);
  const id = copyPackage("identity");
  kpt(["eval", id, "--exec", "/bin/cat"]);
  identity = snapshot(id);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("examples/kpt-package", () => {
  test("its Kptfile runs the function image with mlflow-config.yaml as configPath", () => {
    const kptfile = parse(original.get("Kptfile")!) as {
      pipeline: { mutators: { image: string; configPath: string }[] };
    };
    expect(kptfile.pipeline.mutators).toEqual([{ image: built.image, configPath: "mlflow-config.yaml" }]);
    expect(parse(original.get("mlflow-config.yaml")!).kind).toBe("MlflowConfig");
    // Nothing generated is committed: a render creates mlflow/.
    expect([...original.keys()].filter((f) => f.startsWith("mlflow/"))).toEqual([]);
  });

  test("metadata.yaml (kpt catalog format) names the same image; its tag is the package version", () => {
    const metadata = parse(readFileSync(join(ROOT, "metadata.yaml"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(metadata).sort()).toEqual([
      "description",
      "examplePackageURLs",
      "image",
      "license",
      "sourceURL",
      "tags",
    ]);
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    expect(built.image).toBe(`${String(metadata.image)}:${version}`);
    expect(metadata.examplePackageURLs).toEqual([expect.stringMatching(/\/examples\/kpt-package$/)]);
  });

  test("docs/kpt.md and the example's README show the commands this file runs", () => {
    const readme = readFileSync(join(ROOT, "docs/kpt.md"), "utf8");
    const example = original.get("README.md")!;
    for (const text of [readme, example]) {
      expect(text).toMatch(/^kpt fn render \/tmp\/mlflow-pkg( +#.*)?$/m);
      expect(text).toContain("kpt fn render /tmp/mlflow-pkg --allow-exec");
      expect(text).toContain(`exec: ${EXEC}`);
      expect(text).toContain(
        `kpt fn eval /tmp/mlflow-pkg --exec ${EXEC} --fn-config /tmp/mlflow-pkg/mlflow-config.yaml`,
      );
      expect(text).toContain("export KPT_FN_RUNTIME=podman");
    }
    expect(readme).toContain(`--exec ${EXEC} -- name=mlflow stack=zenml gcp.projectId=zenml-470505`);
  });

  test(
    "the example's README lists exactly the files a render generates, and each namespace it names is the " + "object's",
    () => {
      const listing = /^### Expected result\n[^]*?^```\n([^]*?)^```$/m.exec(original.get("README.md")!);
      expect(listing).not.toBeNull();
      const lines = listing![1]
        .trim()
        .split("\n")
        .map((l) => /^(\S+)\s*(.*)$/.exec(l)!);
      const expected = expectedFiles(join(PKG, "mlflow-config.yaml"));
      expect(lines.map(([, file]) => file).sort()).toEqual([...expected.keys()].sort());
      const claims = lines
        .filter(([, , note]) => /^in \S+:/.test(note))
        .map(([, file, note]) => [file, /^in (\S+):/.exec(note)![1]]);
      expect(claims.length).toBeGreaterThan(0);
      for (const [file, namespace] of claims)
        expect([file, namespace]).toEqual([file, expected.get(file)!.metadata?.namespace]);
    },
  );

  test("kpt itself normalizes some styles of the unrelated files (the identity run shows which)", () => {
    // Documents why the comparisons below are against the identity run. The files written in
    // kpt's own style stay byte-identical even through kpt.
    const normalized = [...original.keys()].filter((f) => identity.get(f) !== original.get(f)).sort();
    expect(normalized).toEqual(["app/client-settings.yaml", "app/feature-flags.yaml"]);
    expect(identity.get("Kptfile")).toBe(original.get("Kptfile"));
    expect(identity.get("mlflow-config.yaml")).toBe(original.get("mlflow-config.yaml"));
  });
});

describe("kpt fn render with the image (KPT_FN_RUNTIME=podman)", () => {
  test("generates mlflow/<kind>_<name>.yaml, keeps the package's files, and a second render changes no byte", () => {
    const dir = copyPackage("render-image");
    byImage = twice(dir, ["render", dir]);
    expectGenerated(byImage, expectedFiles(join(PKG, "mlflow-config.yaml")));
    for (const [file, text] of identity) expect({ file, text: byImage.get(file) }).toEqual({ file, text });
  });

  test("an invalid MlflowConfig fails the render, names the field, and writes nothing", () => {
    const dir = copyPackage("render-invalid");
    const config = join(dir, "mlflow-config.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("projectId: zenml-470505", "projectId: Not_A_Project"));
    const before = snapshot(dir);
    const r = kpt(["render", dir], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("spec.gcp.projectId");
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("kpt fn render with exec (--allow-exec)", () => {
  test("the Kptfile's exec path is resolved from the working directory; same bytes as the image, twice", () => {
    const dir = copyPackage("render-exec");
    const kptfile = join(dir, "Kptfile");
    writeFileSync(kptfile, readFileSync(kptfile, "utf8").replace(`- image: ${built.image}`, `- exec: ${EXEC}`));
    const refused = kpt(["render", dir], { allowFailure: true });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("--allow-exec");
    const files = twice(dir, ["render", dir, "--allow-exec"]);
    for (const [file, text] of byImage)
      if (file !== "Kptfile") expect({ file, text: files.get(file) }).toEqual({ file, text });
  });
});

describe("kpt fn eval --exec", () => {
  test("with --fn-config mlflow-config.yaml: the same package as the render, twice", () => {
    const dir = copyPackage("eval-fn-config");
    const files = twice(dir, ["eval", dir, "--exec", EXEC, "--fn-config", join(dir, "mlflow-config.yaml")]);
    expect(files).toEqual(byImage);
  });

  test(
    "with the ConfigMap form (-- name=mlflow stack=zenml gcp.projectId=zenml-470505): the seed's " + "objects, twice",
    () => {
      const dir = join(work, "eval-configmap");
      mkdirSync(dir);
      const files = twice(dir, [
        "eval",
        dir,
        "--exec",
        EXEC,
        "--",
        "name=mlflow",
        "stack=zenml",
        "gcp.projectId=zenml-470505",
      ]);
      expectGenerated(files, expectedFiles(join(ROOT, "examples/seed/mlflow-config.yaml")));
      expect([...files.keys()].filter((f) => !f.startsWith("mlflow/"))).toEqual([]);
    },
  );
});
