#!/usr/bin/env node
// node scripts/release/build-executable.mjs [--prebuilt] OUTDIR
// A release asset: builds the bundle and the single executable from this checkout (scripts/build.mjs,
// scripts/build-sea.mjs; --prebuilt: takes dist/mlflow-infra-sea as built, as the Dockerfile's
// `executable` stage does after its build stage) and copies it to OUTDIR/mlflow-infra-<os>-<arch>
// (linux-x64, linux-arm64: the platform of the node that runs this, as for every single
// executable), after checking that the copy answers --version with package.json's version.
// Prints the file's path.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./image.mjs";

const args = process.argv.slice(2);
const prebuilt = args[0] === "--prebuilt";
const [outDir, ...rest] = prebuilt ? args.slice(1) : args;
if (!outDir || outDir.startsWith("-") || rest.length > 0) {
  process.stderr.write("usage: build-executable.mjs [--prebuilt] OUTDIR\n");
  process.exit(2);
}
const node = process.execPath;
if (!prebuilt) {
  execFileSync(node, [join(root, "scripts/build.mjs")], { stdio: ["ignore", "inherit", "inherit"] });
  execFileSync(node, [join(root, "scripts/build-sea.mjs")], { stdio: ["ignore", "inherit", "inherit"] });
}
mkdirSync(outDir, { recursive: true });
const out = join(outDir, `mlflow-infra-${process.platform}-${process.arch}`);
copyFileSync(join(root, "dist/mlflow-infra-sea"), out);
chmodSync(out, 0o755);
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const answered = execFileSync(out, ["--version"], { encoding: "utf8", env: {} });
if (answered !== `${version}\n`) {
  process.stderr.write(`build-executable: ${out} --version printed '${answered.trim()}', not ${version}\n`);
  process.exit(1);
}
process.stdout.write(`${out}\n`);
