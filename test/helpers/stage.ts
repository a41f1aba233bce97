/**
 * Staging for what a test runs as another user (Argo CD's uid 999, the image's 65534): that user
 * cannot be assumed to reach anything in the checkout, whose ancestors may be private (a clone in
 * a home directory of mode 0700), nor under $TMPDIR. So the executable, the tools and the fixture
 * trees it reads are copied (never symlinked back) into a fresh folder under /tmp whose every
 * ancestor is searchable by all; the test removes it afterwards.
 */
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, realpathSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, isAbsolute, join, parse } from "node:path";

/** Where staging folders go: /tmp itself (mode 1777 on every system), not $TMPDIR, which may be private. */
export const STAGING_ROOT = "/tmp";

/**
 * The first folder on the way to path (path included when it is a folder) that users other than
 * its owner cannot search (no `x` for others), or undefined when every one of them can.
 */
export function unsearchableAncestor(path: string): string | undefined {
  const real = realpathSync(path);
  const dirs: string[] = [];
  for (let d = statSync(real).isDirectory() ? real : dirname(real); ; d = dirname(d)) {
    dirs.unshift(d);
    if (d === parse(d).root) break;
  }
  return dirs.find((d) => (statSync(d).mode & 0o001) === 0);
}

/** Throws, naming the folder, unless every user can reach path (see unsearchableAncestor). */
export function requireReachableByAll(path: string, what: string): void {
  const blocked = unsearchableAncestor(path);
  if (blocked !== undefined) {
    const mode = (statSync(blocked).mode & 0o777).toString(8);
    throw new Error(
      `${what} ${path} cannot be reached by another user: ${blocked} is not searchable by others (mode ${mode}); ` +
        "stage it under a folder from stagingDir() (test/helpers/stage.ts)",
    );
  }
}

/** A fresh folder under /tmp (mode 0755) for what another user runs and reads; remove it in afterAll. */
export function stagingDir(prefix: string): string {
  const dir = mkdtempSync(join(STAGING_ROOT, `mlflow-infra-${prefix}-`));
  chmodSync(dir, 0o755);
  requireReachableByAll(dir, "staging folder");
  return dir;
}

/** A fresh subfolder of a staging folder (mode 0755). */
export function stagedSubdir(parent: string, prefix: string): string {
  const dir = mkdtempSync(join(parent, prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** Copies an executable (following symlinks: the file itself) to dest, mode 0755. */
export function stageExecutable(source: string, dest: string): string {
  if (!isAbsolute(source)) throw new Error(`stageExecutable: ${source} is not an absolute path`);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(realpathSync(source), dest);
  chmodSync(dest, 0o755);
  return dest;
}

/** Copies a tree to dest, readable (and its folders searchable) by every user. */
export function stageTree(source: string, dest: string): string {
  cpSync(source, dest, { recursive: true, dereference: true });
  const r = spawnSync("chmod", ["-R", "a+rX", dest], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`chmod -R a+rX ${dest}: ${r.stderr}`);
  return dest;
}
