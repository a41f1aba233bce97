/**
 * `mlflow-infra install DIR`: the single executable copies itself (process.execPath) to
 * DIR/mlflow-infra, mode 0755. This is what Argo CD's init container runs
 * (deploy/argocd/executable): the function image holds nothing but this executable on a
 * distroless base, so there is no shell, `cp` or node to do the copy.
 *
 * Only the single executable can do this: under `node dist/mlflow-infra`, process.execPath is
 * node, and copying node would install something that is not the function.
 */
import { chmodSync, copyFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

export interface InstallOutcome {
  status: number;
  /** For stdout on success, stderr otherwise. */
  message: string;
}

/** Whether this process is the Node single executable (node:sea exists from Node 20.12). */
export function isSingleExecutable(): boolean {
  try {
    // A lazy require: node:sea only exists in Node 20.12 and later, and only matters here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("node:sea") as { isSea(): boolean }).isSea();
  } catch {
    return false;
  }
}

export function install(dir: string | undefined, sea = isSingleExecutable(), self = process.execPath): InstallOutcome {
  if (!dir)
    return { status: 2, message: "mlflow-infra install: missing DIR (the folder to copy the executable into)\n" };
  if (!sea) {
    return {
      status: 2,
      message:
        "mlflow-infra install: only the single executable can install itself, and this is node running a script " +
        "(use the function image's /function/mlflow-infra, or dist/mlflow-infra-sea from `npm run build:sea`)\n",
    };
  }
  try {
    if (!statSync(dir).isDirectory())
      return { status: 1, message: `mlflow-infra install: ${dir} is not a directory\n` };
  } catch (e) {
    return { status: 1, message: `mlflow-infra install: cannot use ${dir}: ${(e as Error).message}\n` };
  }
  const target = join(dir, "mlflow-infra");
  // Copy beside the target, then rename over it: a rerun (a restarted init container) replaces
  // the file whole, even while a process runs the old one.
  const tmp = join(dir, `.mlflow-infra.${process.pid}.tmp`);
  try {
    copyFileSync(self, tmp);
    chmodSync(tmp, 0o755);
    const size = statSync(self).size;
    if (statSync(tmp).size !== size) throw new Error(`the copy has ${statSync(tmp).size} bytes, not ${size}`);
    renameSync(tmp, target);
    return { status: 0, message: `mlflow-infra install: wrote ${target} (${(size / 1e6).toFixed(1)} MB, mode 0755)\n` };
  } catch (e) {
    rmSync(tmp, { force: true });
    return { status: 1, message: `mlflow-infra install: cannot write ${target}: ${(e as Error).message}\n` };
  }
}
