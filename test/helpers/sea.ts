/**
 * The single executable (dist/mlflow-infra-sea) for the tests that run it: rebuilt when it is
 * stale (scripts/build-sea.mjs --if-stale holds the rule; scripts/test.sh builds it before jest,
 * so this only matters for `npm run test:unit -- test/<file>`), and a PATH folder that holds it
 * under its bare name and no node, staged where other users reach it (helpers/stage.ts).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ROOT } from "./paths.js";
import { requireReachableByAll, stageExecutable, stagingDir } from "./stage.js";

export const SEA = join(ROOT, "dist/mlflow-infra-sea");
/** One lock for what writes dist/mlflow-infra-sea or builds the image from it: test files run in parallel. */
export const BUILD_LOCK = join(ROOT, ".cache/build-image.lock");

/**
 * dist/mlflow-infra-sea, rebuilt first when stale; the check runs under BUILD_LOCK, so parallel test files build it
 * once.
 */
export function ensureSea(): string {
  mkdirSync(join(ROOT, ".cache"), { recursive: true });
  execFileSync("flock", [BUILD_LOCK, process.execPath, join(ROOT, "scripts/build-sea.mjs"), "--if-stale"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return SEA;
}

/** Where a program is on the PATH of this process (the tools' own PATH), or undefined. */
export function which(program: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    const p = join(dir, program);
    if (dir !== "" && existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

/**
 * A fresh folder under /tmp (helpers/stage.ts: every user reaches it, wherever the checkout is)
 * whose bin/ holds a copy of the executable as `mlflow-infra` plus copies of the given tools
 * (copies, not symlinks: a tool from node_modules lies under the checkout), and nothing else: no
 * node. The caller removes dir.
 */
export function binWithoutNode(tools: Record<string, string> = {}): { dir: string; bin: string } {
  const dir = stagingDir("nonode");
  const bin = join(dir, "bin");
  mkdirSync(bin);
  chmodSync(bin, 0o755);
  stageExecutable(ensureSea(), join(bin, "mlflow-infra"));
  for (const [name, source] of Object.entries(tools)) stageExecutable(source, join(bin, name));
  if (readdirSync(bin).includes("node")) throw new Error("bin must not hold node");
  for (const f of readdirSync(bin)) requireReachableByAll(join(bin, f), "staged tool");
  return { dir, bin };
}
