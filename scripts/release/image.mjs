// The function image's one place, image.txt (a full reference: NAME:TAG, NAME@sha256:DIGEST or
// NAME:TAG@sha256:DIGEST), and the committed files that name it. scripts/release/set-image.mjs
// rewrites them all; test/release.test.ts reads them back as YAML and keeps them equal to it.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const IMAGE_FILE = "image.txt";

// The distribution reference grammar (github.com/distribution/reference, reference.go), lower case
// only: an optional registry host[:port], path components, then a tag and/or a sha256 digest.
const LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const HOST = `${LABEL}(?:\\.${LABEL})*(?::[0-9]+)?`;
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const NAME = `(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*`;
const REFERENCE = new RegExp(`^(?<name>${NAME})(?::(?<tag>[\\w][\\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$`);

/** { name, tag?, digest? } of an image reference; throws naming the rule when it is not one. */
export function parseImage(ref) {
  const m = REFERENCE.exec(ref);
  if (!m || m.groups.name.length > 255) {
    const want = "NAME:TAG or NAME@sha256:<64 hex> or both, lower case";
    throw new Error(`not an image reference: '${ref}' (expected ${want})`);
  }
  const { name, tag, digest } = m.groups;
  if (tag === undefined && digest === undefined) {
    throw new Error(`'${ref}' names no tag and no digest: give NAME:TAG or NAME@sha256:<digest> (no implied :latest)`);
  }
  return { name, tag, digest };
}

/** image.txt's reference (one line). */
export function readImage(dir = root) {
  const text = readFileSync(join(dir, IMAGE_FILE), "utf8");
  const ref = text.trim();
  if (text !== `${ref}\n`) throw new Error(`${IMAGE_FILE} must hold one line, the image reference`);
  parseImage(ref);
  return ref;
}

/**
 * The committed files that name the image, and how: `ref` (the whole reference) or `name` (the
 * kpt catalog's metadata.yaml names the repository alone; the tags are the releases).
 */
export const TARGETS = [
  // the kustomize generator's config.kubernetes.io/function container image
  { file: "base/generator/mlflow-config.yaml", form: "ref" },
  // the kpt package's pipeline mutator
  { file: "examples/kpt-package/Kptfile", form: "ref" },
  // Argo CD's init container install-mlflow-infra
  { file: "deploy/argocd/executable/repo-server-init-container.yaml", form: "ref" },
  // the kpt function catalog's metadata
  { file: "metadata.yaml", form: "name" },
];
