#!/usr/bin/env node
// node scripts/release/check-version.mjs TAG [--image NAME] [--root DIR]
// The release workflow's first step: the tag being released (vX.Y.Z) must be `v` + package.json's
// version; image.txt's reference must carry that version as its tag (the committed files name the
// image the release publishes) and, with --image, that name (ghcr.io/<owner>/mlflow-infra);
// CHANGELOG.md must have a released section for it (the release notes). Prints, for
// $GITHUB_OUTPUT, `version=X.Y.Z` and `minor=X.Y` (the image's two tags). Exit 1 naming the
// mismatch otherwise.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseImage, readImage, root as defaultRoot } from "./image.mjs";
import { changelogSection } from "./notes.mjs";

function main(argv) {
  const args = [...argv];
  const option = (flag) => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const [, value] = args.splice(i, 2);
    if (value === undefined) throw new Error(`${flag} needs a value`);
    return value;
  };
  const image = option("--image");
  const root = option("--root") ?? defaultRoot;
  if (args.length !== 1) throw new Error("usage: check-version.mjs TAG [--image NAME] [--root DIR]");
  const [tag] = args;
  const m = /^v((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*))$/.exec(tag);
  if (!m) throw new Error(`tag '${tag}' is not vX.Y.Z (three numbers, no pre-release suffix)`);
  const version = m[1];
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  if (pkg !== version) throw new Error(`tag ${tag} but package.json's version is ${pkg}: they must be equal`);
  const ref = readImage(root);
  const { name, tag: imageTag } = parseImage(ref);
  if (imageTag !== version) {
    throw new Error(`image.txt names ${ref}, whose tag is not ${version}: run npm run set-image -- ${name}:${version}`);
  }
  if (image !== undefined && name !== image) {
    const fix = `npm run set-image -- ${image}:${version}`;
    throw new Error(`image.txt names ${ref}, not the image this release pushes: run ${fix}`);
  }
  changelogSection(readFileSync(join(root, "CHANGELOG.md"), "utf8"), version);
  return `version=${version}\nminor=${m[2]}.${m[3]}\n`;
}

try {
  process.stdout.write(main(process.argv.slice(2)));
} catch (e) {
  process.stderr.write(`check-version: ${e.message}\n`);
  process.exitCode = 1;
}
