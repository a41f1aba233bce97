#!/usr/bin/env node
// node scripts/release/notes.mjs X.Y.Z [CHANGELOG]
// Prints CHANGELOG.md's section for version X.Y.Z, without its heading: the release notes. The
// section's heading is `## [X.Y.Z] - YYYY-MM-DD` (Keep a Changelog); one still marked
// `Unreleased` is refused, as is a missing or empty one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root } from "./image.mjs";

/** The body of the `## [version] - date` section of a changelog; throws when there is none. */
export function changelogSection(text, version) {
  const headings = [...text.matchAll(/^## \[([^\]]+)\](.*)$/gm)];
  const i = headings.findIndex((h) => h[1] === version);
  if (i < 0) throw new Error(`CHANGELOG.md has no section '## [${version}] - YYYY-MM-DD'`);
  const heading = headings[i];
  if (!/^ - \d{4}-\d{2}-\d{2}$/.test(heading[2])) {
    throw new Error(`CHANGELOG.md's section ${version} is not dated ('## [${version}] - YYYY-MM-DD'): '${heading[0]}'`);
  }
  const start = heading.index + heading[0].length;
  let end = i + 1 < headings.length ? headings[i + 1].index : text.length;
  const links = text.slice(start, end).search(/^\[[^\]]+\]: /m); // link definitions at the end
  if (links >= 0) end = start + links;
  const body = text.slice(start, end).trim();
  if (body === "") throw new Error(`CHANGELOG.md's section ${version} is empty`);
  return `${body}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [version, file = join(root, "CHANGELOG.md")] = process.argv.slice(2);
  try {
    if (!version) throw new Error("usage: notes.mjs X.Y.Z [CHANGELOG]");
    process.stdout.write(changelogSection(readFileSync(file, "utf8"), version));
  } catch (e) {
    process.stderr.write(`notes: ${e.message}\n`);
    process.exitCode = 1;
  }
}
