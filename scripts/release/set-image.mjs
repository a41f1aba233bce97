#!/usr/bin/env node
// npm run set-image -- REF
// Points every committed reference to the function image at REF: image.txt, then the files in
// TARGETS (scripts/release/image.mjs: the kustomize generator config, the kpt Kptfile, Argo CD's
// init container; metadata.yaml gets REF's name alone), and the same reference in the Markdown
// documentation. REF is NAME:TAG, NAME@sha256:DIGEST (pinned by digest) or NAME:TAG@sha256:DIGEST.
// Each target must name image.txt's current reference exactly once (a test keeps them so); on any
// error nothing is written. Prints the files it changed.
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { IMAGE_FILE, parseImage, readImage, root, TARGETS } from "./image.mjs";

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The line `image: OLD` (YAML, a list item or not, optional comment), exactly once. */
function setImageLine(text, old, value, file) {
  const line = new RegExp(`^(\\s*(?:- )?image:[ \\t]+)${escape(old)}([ \\t]*(?:#.*)?)$`, "gm");
  const found = text.match(line)?.length ?? 0;
  if (found !== 1) throw new Error(`${file}: expected one 'image: ${old}' line (${IMAGE_FILE}), found ${found}`);
  return text.replace(line, (_m, head, tail) => `${head}${value}${tail}`);
}

/** Markdown files of the repository, outside installed and generated folders. */
function markdownFiles(dir = root) {
  const skip = new Set(["node_modules", ".git", ".cache", "dist", "coverage"]);
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return skip.has(e.name) ? [] : markdownFiles(join(dir, e.name));
    return e.name.endsWith(".md") && e.name !== "CHANGELOG.md" ? [join(dir, e.name)] : [];
  });
}

function main(args) {
  if (args.length !== 1 || args[0].startsWith("-")) {
    process.stderr.write("usage: npm run set-image -- REF  (NAME:TAG, NAME@sha256:DIGEST, NAME:TAG@sha256:DIGEST)\n");
    return 2;
  }
  const ref = args[0];
  const next = parseImage(ref);
  const old = readImage();
  const oldName = parseImage(old).name;
  const writes = new Map([[join(root, IMAGE_FILE), `${ref}\n`]]);
  for (const t of TARGETS) {
    const path = join(root, t.file);
    const [from, to] = t.form === "name" ? [oldName, next.name] : [old, ref];
    writes.set(path, setImageLine(readFileSync(path, "utf8"), from, to, t.file));
  }
  // Documentation: the old reference where it stands alone (not a prefix of a longer one).
  const inProse = new RegExp(`${escape(old)}(?![\\w@-]|\\.\\w)`, "g");
  for (const path of markdownFiles()) {
    const text = readFileSync(path, "utf8");
    if (inProse.test(text)) writes.set(path, text.replace(inProse, ref));
    inProse.lastIndex = 0;
  }
  for (const [path, text] of writes) {
    if (readFileSync(path, "utf8") === text) continue;
    writeFileSync(`${path}.set-image.tmp`, text);
    renameSync(`${path}.set-image.tmp`, path);
    process.stdout.write(`set-image: ${relative(root, path)}\n`);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`set-image: ${e.message}\n`);
  process.exitCode = 1;
}
