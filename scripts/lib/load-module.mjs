// Loads a module of function/ from a build script: bundles it with esbuild into .cache/build
// (npm packages left as imports) and imports the result. The docs generator reads the schema
// and the registry this way.
import { build } from "esbuild";
import { mkdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** The exports of `entry`, a path from the repository's root such as function/config/schema.ts. */
export async function loadModule(entry) {
  const tmp = join(root, ".cache", "build");
  await mkdir(tmp, { recursive: true });
  const out = join(tmp, `${basename(dirname(entry))}-${basename(entry, ".ts")}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: out,
    packages: "external",
    logLevel: "warning",
  });
  return import(`${pathToFileURL(out).href}?t=${Date.now()}`);
}
