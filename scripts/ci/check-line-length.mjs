#!/usr/bin/env node
// No line over 120 characters in source (Prettier wraps code at 120 but leaves long strings,
// comments and regular expressions alone): lists each one as file:line and exits 1.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../lib/load-module.mjs";

const LIMIT = 120;
const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "*.ts", "*.mjs", "*.cjs", "*.js"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => f !== "" && !f.endsWith(".generated.ts"));
const long = files.flatMap((file) =>
  readFileSync(join(root, file), "utf8")
    .split("\n")
    .flatMap((line, i) => ([...line].length > LIMIT ? [`${file}:${i + 1}: ${[...line].length} characters`] : [])),
);
for (const l of long) console.error(l);
if (long.length > 0) {
  console.error(`check-line-length: ${long.length} lines over ${LIMIT} characters`);
  process.exit(1);
}
