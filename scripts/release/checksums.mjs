#!/usr/bin/env node
// node scripts/release/checksums.mjs DIR
// Writes DIR/SHA256SUMS: one `<sha256 hex>  <file>` line per regular file in DIR (sorted by name,
// SHA256SUMS itself and signature bundles excluded), the format `sha256sum -c SHA256SUMS` checks.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, ...rest] = process.argv.slice(2);
if (!dir || rest.length > 0) {
  process.stderr.write("usage: checksums.mjs DIR\n");
  process.exit(2);
}
const files = readdirSync(dir, { withFileTypes: true })
  .filter((e) => e.isFile() && e.name !== "SHA256SUMS" && !e.name.endsWith(".sigstore.json"))
  .map((e) => e.name)
  .sort();
if (files.length === 0) {
  process.stderr.write(`checksums: no files in ${dir}\n`);
  process.exit(1);
}
const lines = files.map(
  (f) =>
    `${createHash("sha256")
      .update(readFileSync(join(dir, f)))
      .digest("hex")}  ${f}\n`,
);
writeFileSync(join(dir, "SHA256SUMS"), lines.join(""));
process.stdout.write(lines.join(""));
