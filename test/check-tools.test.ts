/**
 * kubectl and kpt come with the machine (neither Debian nor npm has them in the versions the tests
 * need), so scripts/ci/check-tools.sh, which scripts/ci/install-tools.sh runs, checks them:
 * present, kubectl's embedded kustomize at v5.x, kpt 1.0.0-beta.*; otherwise it fails naming what
 * to install. Run here against the machine's tools and against stand-ins on a PATH of their own.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, toolEnv } from "./helpers/e2e.js";
import { ROOT } from "./helpers/paths.js";
import { which } from "./helpers/sea.js";

const CHECK = join(ROOT, "scripts/ci/check-tools.sh");
const BASH = which("bash") ?? "/bin/bash";
mkdirSync(join(ROOT, ".cache"), { recursive: true });
const scratch = mkdtempSync(join(ROOT, ".cache/test-check-tools-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder holding only stand-ins: name -> what `<name> version...` prints (and its exit status). */
function fakeBin(tools: Record<string, { out: string; status?: number }>): string {
  const bin = mkdtempSync(join(scratch, "bin-"));
  for (const [name, { out, status = 0 }] of Object.entries(tools)) {
    if (out.includes("'")) throw new Error("no ' in a stand-in's output");
    // builtins only: nothing
    // else is on PATH
    writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\n' '${out}'\nexit ${status}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}

function check(path: string) {
  const r = run(BASH, [CHECK], { env: { PATH: path }, allowFailure: true });
  return { status: r.status, stderr: r.stderr };
}

const KUBECTL = { out: "Client Version: v1.32.4\nKustomize Version: v5.5.0" };
const KPT = { out: "1.0.0-beta.56" };

test("the machine's kubectl and kpt pass, and their versions are reported", () => {
  const r = check(toolEnv().PATH!);
  expect(r).toEqual({
    status: 0,
    stderr: expect.stringMatching(/^check-tools: ok: kubectl v\S+ \(kustomize v5\.\S+\), kpt 1\.0\.0-beta\.\d+\n$/),
  });
});

test("stand-ins of the right versions pass", () => {
  expect(check(fakeBin({ kubectl: KUBECTL, kpt: KPT }))).toEqual({
    status: 0,
    stderr: "check-tools: ok: kubectl v1.32.4 (kustomize v5.5.0), kpt 1.0.0-beta.56\n",
  });
});

test.each([
  [
    "neither tool",
    {},
    [
      /kubectl not found on PATH: install kubectl 1\.27 or later \(its embedded kustomize must be v5\.x\)/,
      /kpt not found on PATH: install kpt 1\.0\.0-beta\.\*/,
    ],
  ],
  ["no kpt", { kubectl: KUBECTL }, [/kpt not found on PATH: install kpt 1\.0\.0-beta/]],
  ["no kubectl", { kpt: KPT }, [/kubectl not found on PATH: install kubectl/]],
  [
    "kubectl with kustomize v4",
    { kubectl: { out: "Client Version: v1.26.3\nKustomize Version: v4.5.7" }, kpt: KPT },
    [/kubectl v1\.26\.3 embeds kustomize v4\.5\.7, the tests need v5\.x: install kubectl 1\.27 or later/],
  ],
  [
    "kubectl without kustomize",
    { kubectl: { out: "Client Version: v1.13.0" }, kpt: KPT },
    [/kubectl v1\.13\.0 reports no embedded kustomize/],
  ],
  [
    "a kubectl that fails",
    { kubectl: { out: "error: boom", status: 1 }, kpt: KPT },
    [/`kubectl version --client` failed: error: boom/],
  ],
  [
    "kpt 1.0.0",
    { kubectl: KUBECTL, kpt: { out: "1.0.0" } },
    [/kpt reports version '1\.0\.0', the tests need 1\.0\.0-beta\.\*/],
  ],
  ["kpt v0.39", { kubectl: KUBECTL, kpt: { out: "0.39.3" } }, [/kpt reports version '0\.39\.3'/]],
] as Array<[string, Record<string, { out: string; status?: number }>, RegExp[]]>)(
  "%s: fails (exit 1), naming what to install",
  (_case, tools, messages) => {
    const r = check(fakeBin(tools));
    expect(r.status).toBe(1);
    for (const m of messages) expect(r.stderr).toMatch(m);
    expect(r.stderr).not.toMatch(/check-tools: ok/);
    expect(
      r.stderr
        .split("\n")
        .filter(Boolean)
        .every((l) => l.startsWith("check-tools: ERROR: ")),
    ).toBe(true);
  },
);

test("install-tools.sh fails, naming them, on a machine without kubectl and kpt", () => {
  // Every program on this PATH but those two, in one folder of links.
  const bin = mkdtempSync(join(scratch, "path-"));
  for (const dir of toolEnv().PATH!.split(":").reverse()) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name === "kubectl" || name === "kpt") continue;
      rmSync(join(bin, name), { force: true });
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  const r = run(BASH, [join(ROOT, "scripts/ci/install-tools.sh")], {
    env: { ...toolEnv(), PATH: bin },
    allowFailure: true,
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/check-tools: ERROR: kubectl not found on PATH: install kubectl 1\.27 or later/);
  expect(r.stderr).toMatch(/check-tools: ERROR: kpt not found on PATH: install kpt 1\.0\.0-beta/);
  expect(r.stderr).toMatch(/install-tools: ERROR: kubectl or kpt missing or of another version/);
  expect(r.stdout).toBe(""); // no export lines: nothing to source
});
