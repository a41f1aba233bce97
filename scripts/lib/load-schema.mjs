// Loads function/config/schema.ts from a build script: bundles it with esbuild into
// .cache/build and imports the result, for the docs generator.
import { build } from "esbuild";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

export async function loadSchemaModule() {
  const tmp = join(root, ".cache", "build");
  await mkdir(tmp, { recursive: true });
  const out = join(tmp, "schema.mjs");
  await build({
    entryPoints: [join(root, "function/config/schema.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: out,
    logLevel: "warning",
  });
  return import(`${pathToFileURL(out).href}?t=${Date.now()}`);
}
