/** A copy of this checkout's files, as a clone of it holds them, for tests that change or build in one. */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { run } from "./e2e.js";
import { ROOT } from "./paths.js";

/**
 * Copies the tracked files and the new ones git does not ignore (what a clone holds once they are
 * committed) to dest; with nodeModules, the installed node_modules too (`npm ci` without the
 * network), hard-linked when it can be.
 */
export function copyCheckout(dest: string, options: { nodeModules?: boolean } = {}): string {
  const listed = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT }).stdout;
  for (const f of listed.split("\0").filter((x) => x !== "" && existsSync(join(ROOT, x)))) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dest, f));
    chmodSync(join(dest, f), statSync(join(ROOT, f)).mode & 0o111 ? 0o755 : 0o644);
  }
  if (options.nodeModules) {
    const linked = spawnSync("cp", ["-al", join(ROOT, "node_modules"), join(dest, "node_modules")]);
    if (linked.status !== 0) run("cp", ["-a", join(ROOT, "node_modules"), join(dest, "node_modules")]);
  }
  return dest;
}
