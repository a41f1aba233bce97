/** Locations the tests read from. shared/ sits beside the repository (as in CI). */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED = process.env.MLFLOW_INFRA_SHARED ?? resolve(ROOT, "../shared");
export const CRDS = join(SHARED, "schemas/crds");
export const DIST = join(ROOT, "dist/mlflow-infra");

export function requireFile(path: string, why: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${why}`);
  return path;
}
