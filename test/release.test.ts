/**
 * What a release builds here (scripts/release/*, the steps .github/workflows/release.yml runs):
 * image.txt as the one place that names the function image, every committed reference equal to
 * it, `npm run set-image -- REF` retargeting them all (by tag or by digest, all or nothing); the
 * version check against the tag; the release notes from CHANGELOG.md; the single executable as a
 * release asset and its SHA256SUMS, checked by `sha256sum -c`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { copyCheckout } from "./helpers/checkout.js";
import { run } from "./helpers/e2e.js";
import { ROOT } from "./helpers/paths.js";

const scratch = mkdtempSync(join(tmpdir(), "mlflow-infra-release-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const { version: VERSION } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

/** A command's outcome, whatever its exit status. */
function node(script: string, args: string[], cwd: string) {
  const env = { PATH: process.env.PATH };
  const r = spawnSync(process.execPath, [join(cwd, script), ...args], { cwd, encoding: "utf8", env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every committed reference to the function image, read as YAML from a checkout at dir. */
function references(dir: string): Record<string, string> {
  const yamlFile = (f: string) => parse(readFileSync(join(dir, f), "utf8"));
  const generator = yamlFile("base/generator/mlflow-config.yaml");
  const fn = parse(generator.metadata.annotations["config.kubernetes.io/function"]);
  const patch = yamlFile("deploy/argocd/executable/repo-server-init-container.yaml");
  return {
    "image.txt": readFileSync(join(dir, "image.txt"), "utf8"),
    "base/generator/mlflow-config.yaml": fn.container.image,
    "examples/kpt-package/Kptfile": yamlFile("examples/kpt-package/Kptfile").pipeline.mutators[0].image,
    "deploy/argocd/executable/repo-server-init-container.yaml": patch.spec.template.spec.initContainers.find(
      (c: { name: string }) => c.name === "install-mlflow-infra",
    ).image,
    "metadata.yaml": yamlFile("metadata.yaml").image,
  };
}

/** What references() must read when image.txt holds ref (metadata.yaml: the name alone). */
function expected(ref: string, name: string): Record<string, string> {
  return {
    "image.txt": `${ref}\n`,
    "base/generator/mlflow-config.yaml": ref,
    "examples/kpt-package/Kptfile": ref,
    "deploy/argocd/executable/repo-server-init-container.yaml": ref,
    "metadata.yaml": name,
  };
}

/** Tracked text files that name a `.../mlflow-infra` image with a tag or a digest (not local builds). */
function taggedMentions(dir: string): Map<string, string[]> {
  const mention = new RegExp(
    "(?<![\\w./-])(?!localhost/)[a-z0-9.-]+(?::\\d+)?(?:/[a-z0-9._-]+)*/mlflow-infra" +
      "(?::\\w[\\w.-]*)?(?:@sha256:[0-9a-f]{64})?",
    "g",
  );
  const found = new Map<string, string[]>();
  const listed = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT }).stdout;
  const files = listed.split("\0");
  for (const f of files.filter((x) => x !== "" && !x.startsWith("test/") && x !== "CHANGELOG.md")) {
    let text: string;
    try {
      text = readFileSync(join(dir, f), "utf8");
    } catch {
      continue; // deleted in the work tree
    }
    const refs = [...text.matchAll(mention)].map((m) => m[0]).filter((r) => /[:@]/.test(r.slice(r.lastIndexOf("/"))));
    if (refs.length > 0) found.set(f, refs);
  }
  return found;
}

const IMAGE = readFileSync(join(ROOT, "image.txt"), "utf8").trim();
const IMAGE_NAME = IMAGE.replace(/@sha256:[0-9a-f]{64}$/, "").replace(/:[\w][\w.-]*$/, "");

describe("image.txt names the function image for every committed file", () => {
  test("every committed reference (generator config, Kptfile, init container, metadata.yaml) is image.txt's", () => {
    expect(IMAGE).toMatch(/^[a-z0-9.-]+(\/[a-z0-9._-]+)+:[\w][\w.-]*$/);
    expect(references(ROOT)).toEqual(expected(IMAGE, IMAGE_NAME));
  });

  test("no other file names a tagged mlflow-infra image than image.txt's (docs included)", () => {
    const others = [...taggedMentions(ROOT)].flatMap(([f, refs]) =>
      refs.filter((r) => r !== IMAGE).map((r) => `${f}: ${r}`),
    );
    expect(others).toEqual([]);
    expect(taggedMentions(ROOT).size).toBeGreaterThan(4);
  });
});

describe("npm run set-image -- REF", () => {
  /** A fresh copy of the checkout (without node_modules: set-image needs none). */
  const fresh = () => copyCheckout(mkdtempSync(join(scratch, "set-image-")));

  test("by tag: every reference and the docs move to REF, metadata.yaml to its name; again changes nothing", () => {
    const dir = fresh();
    const ref = "registry.example.com/platform/krm-mlflow:1.4.2";
    const r = node("scripts/release/set-image.mjs", [ref], dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^set-image: image\.txt$/m);
    expect(references(dir)).toEqual(expected(ref, "registry.example.com/platform/krm-mlflow"));
    // The documentation's mentions of the old reference follow; none is left.
    expect([...taggedMentions(dir).values()].flat()).toEqual([]);
    expect(readFileSync(join(dir, "docs/kustomize.md"), "utf8")).toContain(ref);
    expect(node("scripts/release/set-image.mjs", [ref], dir)).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  test("by digest (NAME@sha256:..., and NAME:TAG@sha256:...), then back: the files are as committed", () => {
    const dir = fresh();
    const byDigest = `ghcr.io/acme/mlflow-infra@${DIGEST}`;
    expect(node("scripts/release/set-image.mjs", [byDigest], dir).status).toBe(0);
    expect(references(dir)).toEqual(expected(byDigest, "ghcr.io/acme/mlflow-infra"));
    const both = `ghcr.io/acme/mlflow-infra:2.0.0@${DIGEST}`;
    expect(node("scripts/release/set-image.mjs", [both], dir).status).toBe(0);
    expect(references(dir)).toEqual(expected(both, "ghcr.io/acme/mlflow-infra"));
    expect(node("scripts/release/set-image.mjs", [IMAGE], dir).status).toBe(0);
    for (const f of Object.keys(expected(IMAGE, IMAGE_NAME))) {
      expect([f, readFileSync(join(dir, f), "utf8")]).toEqual([f, readFileSync(join(ROOT, f), "utf8")]);
    }
  });

  test.each([
    ["no tag and no digest", "ghcr.io/acme/mlflow-infra", /names no tag and no digest/],
    ["upper case in the path", "ghcr.io/Acme/mlflow-infra:1.0.0", /not an image reference/],
    ["a short digest", "ghcr.io/acme/mlflow-infra@sha256:abc", /not an image reference/],
    ["two tags", "ghcr.io/acme/mlflow-infra:1:2", /not an image reference/],
  ])("refuses %s (exit 1), and writes nothing", (_what, ref, message) => {
    const dir = fresh();
    const r = node("scripts/release/set-image.mjs", [ref], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(references(dir)).toEqual(references(ROOT));
  });

  test("a target that no longer names image.txt's image: exit 1 naming it, and nothing written", () => {
    const dir = fresh();
    const kptfile = join(dir, "examples/kpt-package/Kptfile");
    writeFileSync(kptfile, readFileSync(kptfile, "utf8").replace(IMAGE, "ghcr.io/someone/else:9.9.9"));
    const r = node("scripts/release/set-image.mjs", ["ghcr.io/acme/mlflow-infra:1.0.0"], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Kptfile: expected one 'image: ${IMAGE}' line (image.txt), found 0`);
    expect(readFileSync(join(dir, "image.txt"), "utf8")).toBe(`${IMAGE}\n`);
    expect(references(dir)["base/generator/mlflow-config.yaml"]).toBe(IMAGE);
  });

  test("usage: no REF or two, exit 2", () => {
    const dir = fresh();
    expect(node("scripts/release/set-image.mjs", [], dir).status).toBe(2);
    expect(node("scripts/release/set-image.mjs", ["a:1", "b:2"], dir).status).toBe(2);
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(scripts["set-image"]).toBe("node scripts/release/set-image.mjs");
  });
});

describe("the version check (check-version.mjs TAG [--image NAME])", () => {
  const CHANGELOG = [
    "# Changelog\n",
    "## [1.3.0] - Unreleased\n\n- next\n",
    "## [1.2.0] - 2026-11-30\n\n### Added\n\n- a thing\n",
    "## [1.1.0] - 2026-10-01\n\n- older\n",
    "[1.2.0]: https://example.com/v1.2.0\n",
  ].join("\n");
  /** A release root: package.json, image.txt and CHANGELOG.md as given. */
  function releaseRoot(version: string, image: string, changelog = CHANGELOG): string {
    const dir = mkdtempSync(join(scratch, "check-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "mlflow-infra", version }));
    writeFileSync(join(dir, "image.txt"), `${image}\n`);
    writeFileSync(join(dir, "CHANGELOG.md"), changelog);
    return dir;
  }
  const check = (dir: string, ...args: string[]) =>
    node("scripts/release/check-version.mjs", [...args, "--root", dir], ROOT);

  test("tag = v + package.json's version, image.txt tagged so, a dated CHANGELOG section: prints the tags", () => {
    const dir = releaseRoot("1.2.0", "ghcr.io/acme/mlflow-infra:1.2.0");
    expect(check(dir, "v1.2.0")).toEqual({ status: 0, stdout: "version=1.2.0\nminor=1.2\n", stderr: "" });
    expect(check(dir, "v1.2.0", "--image", "ghcr.io/acme/mlflow-infra").status).toBe(0);
  });

  const acme = "ghcr.io/acme/mlflow-infra";
  test.each([
    ["another version", ["v1.2.1"], "1.2.0", `${acme}:1.2.0`, /v1\.2\.1 but package\.json's version/],
    ["a tag that is not vX.Y.Z", ["1.2.0"], "1.2.0", `${acme}:1.2.0`, /is not vX\.Y\.Z/],
    ["a pre-release tag", ["v1.2.0-rc.1"], "1.2.0", `${acme}:1.2.0`, /is not vX\.Y\.Z/],
    ["image.txt's tag", ["v1.2.0"], "1.2.0", `${acme}:1.1.0`, /set-image -- ghcr\.io\/acme\/mlflow-infra:1\.2\.0/],
    ["image.txt by digest only", ["v1.2.0"], "1.2.0", `${acme}@${DIGEST}`, /whose tag is not 1\.2\.0/],
    [
      "image.txt naming another registry than the one pushed to",
      ["v1.2.0", "--image", "ghcr.io/other/mlflow-infra"],
      "1.2.0",
      `${acme}:1.2.0`,
      /not the image this release pushes/,
    ],
    ["no CHANGELOG section", ["v1.4.0"], "1.4.0", `${acme}:1.4.0`, /has no section '## \[1\.4\.0\]/],
    ["a CHANGELOG section still Unreleased", ["v1.3.0"], "1.3.0", `${acme}:1.3.0`, /section 1\.3\.0 is not dated/],
  ])("refuses %s (exit 1, naming it)", (_what, args, version, image, message) => {
    const r = check(releaseRoot(version, image), ...args);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });

  test("the release notes: the section's body, without the heading, the next section or the link definitions", () => {
    const dir = releaseRoot("1.2.0", "ghcr.io/acme/mlflow-infra:1.2.0");
    const notes = (v: string) => node("scripts/release/notes.mjs", [v, join(dir, "CHANGELOG.md")], ROOT);
    expect(notes("1.2.0")).toEqual({ status: 0, stdout: "### Added\n\n- a thing\n", stderr: "" });
    expect(notes("1.1.0")).toEqual({ status: 0, stdout: "- older\n", stderr: "" });
    expect(notes("1.3.0").status).toBe(1);
    expect(notes("9.9.9").status).toBe(1);
  });

  test("CHANGELOG.md: the next release's section is 0.2.0, Unreleased, and a dated copy of it gives its notes", () => {
    const changelog = readFileSync(join(ROOT, "CHANGELOG.md"), "utf8");
    expect(changelog).toMatch(/^## \[0\.2\.0\] - Unreleased$/m);
    const datedText = changelog.replace("## [0.2.0] - Unreleased", "## [0.2.0] - 2026-12-02");
    const dated = releaseRoot("0.2.0", "ghcr.io/acme/mlflow-infra:0.2.0", datedText);
    const r = node("scripts/release/notes.mjs", ["0.2.0", join(dated, "CHANGELOG.md")], ROOT);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^### Added\n/);
    expect(r.stdout).toContain("set-image");
    expect(check(dated, "v0.2.0").status).toBe(0);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("the release assets: the single executable and SHA256SUMS", () => {
  test("build-executable.mjs builds mlflow-infra-linux-<arch>; checksums.mjs writes what sha256sum -c checks", () => {
    // In a copy of the checkout: the build rewrites dist/, which other test files read.
    const dir = copyCheckout(mkdtempSync(join(scratch, "build-")), { nodeModules: true });
    const assets = join(scratch, "assets");
    mkdirSync(assets);
    const built = node("scripts/release/build-executable.mjs", [assets], dir);
    expect(built.status).toBe(0);
    const file = join(assets, `mlflow-infra-${process.platform}-${process.arch}`);
    expect(built.stdout).toBe(`${file}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o755);
    expect(readFileSync(file).subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    expect(spawnSync(file, ["--version"], { encoding: "utf8", env: {} }).stdout).toBe(`${VERSION}\n`);
    // --prebuilt (the Dockerfile's executable stage) takes the executable just built, byte for byte.
    const again = join(scratch, "assets-prebuilt");
    expect(node("scripts/release/build-executable.mjs", ["--prebuilt", again], dir).status).toBe(0);
    expect(readFileSync(join(again, readdirSync(again)[0])).equals(readFileSync(file))).toBe(true);

    writeFileSync(join(assets, "mlflow-infra-linux-arm64"), "stand-in for the other platform's build\n");
    const sums = node("scripts/release/checksums.mjs", [assets], ROOT);
    expect(sums.status).toBe(0);
    const lines = readFileSync(join(assets, "SHA256SUMS"), "utf8").trimEnd().split("\n");
    const names = [`mlflow-infra-${process.platform}-${process.arch}`, "mlflow-infra-linux-arm64"].sort();
    expect(lines.map((l) => l.split("  ")[1])).toEqual(names);
    expect(run("sha256sum", ["-c", "SHA256SUMS"], { cwd: assets }).stdout).toMatch(/: OK\n.*: OK\n$/);
    // A changed asset no longer checks.
    writeFileSync(join(assets, "mlflow-infra-linux-arm64"), "tampered\n");
    expect(run("sha256sum", ["-c", "SHA256SUMS"], { cwd: assets, allowFailure: true }).status).not.toBe(0);
  }, 300_000);
});
