/**
 * The single executable (dist/mlflow-infra-sea) for the tests that run it: rebuilt when it is
 * stale (scripts/build-sea.mjs --if-stale holds the rule; scripts/test.sh builds it before jest,
 * so this only matters for `npm run test:unit -- test/<file>`), and a PATH folder that holds it
 * under its bare name and no node.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { ROOT } from "./paths.js";

export const SEA = join(ROOT, "dist/mlflow-infra-sea");
/** One lock for what writes dist/mlflow-infra-sea or builds the image from it: test files run in parallel. */
export const BUILD_LOCK = join(ROOT, ".cache/build-image.lock");

/** dist/mlflow-infra-sea, rebuilt first when stale; the check runs under BUILD_LOCK, so parallel test files build it once. */
export function ensureSea(): string {
  mkdirSync(join(ROOT, ".cache"), { recursive: true });
  execFileSync("flock", [BUILD_LOCK, process.execPath, join(ROOT, "scripts/build-sea.mjs"), "--if-stale"], { stdio: ["ignore", "ignore", "inherit"] });
  return SEA;
}

/** Where a program is on the PATH of this process (the tools' own PATH), or undefined. */
export function which(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(dir, program);
    if (dir !== "" && existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

/**
 * A fresh folder, readable by every user, whose bin/ holds a copy of the executable as
 * `mlflow-infra` plus symlinks to the given tools, and nothing else: no node.
 */
export function binWithoutNode(tools: Record<string, string> = {}): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-infra-nonode-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  copyFileSync(ensureSea(), join(bin, "mlflow-infra"));
  chmodSync(join(bin, "mlflow-infra"), 0o755);
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(bin, name));
  chmodSync(dir, 0o755);
  chmodSync(bin, 0o755);
  if (readdirSync(bin).includes("node")) throw new Error("bin must not hold node");
  return { dir, bin };
}
