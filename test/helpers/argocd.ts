/**
 * What the Argo CD tests (test/argocd.test.ts, test/argocd-image.test.ts) share: where
 * deploy/argocd and its fixtures are, and deploy/argocd/kustomization.yaml built over a stand-in
 * of Argo CD's install (test/fixtures/argocd) instead of the upstream install.yaml (a remote
 * resource, not buildable offline), by kubectl kustomize.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, stringify } from "yaml";
import { publishedImage, run } from "./e2e.js";
import { parseStream } from "./krm.js";
import { ROOT } from "./paths.js";

export const DEPLOY = join(ROOT, "deploy/argocd");
export const FIXTURES = join(ROOT, "test/fixtures/argocd");
export const { version: VERSION } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
/** The function image deploy/argocd's init container names (image.txt; `npm run set-image -- REF`). */
export const IMAGE = publishedImage();
/** Its name, without tag or digest. */
export const IMAGE_NAME = IMAGE.replace(/@sha256:[0-9a-f]{64}$/, "").replace(/:[\w][\w.-]*$/, "");

export type Obj = {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: any;
  spec?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
};

export function yamlFile<T = any>(path: string): T {
  return parse(readFileSync(path, "utf8")) as T;
}

/** The object of that kind whose name starts with namePrefix (kustomize may append a hash). */
export function find(objs: Obj[], kind: string, namePrefix: string): Obj {
  const o = objs.find((x) => x.kind === kind && String(x.metadata?.name).startsWith(namePrefix));
  if (!o)
    throw new Error(`no ${kind} ${namePrefix}* in ${objs.map((x) => `${x.kind}/${x.metadata?.name}`).join(", ")}`);
  return o;
}

/** `kubectl kustomize DIR`, parsed. */
export function kustomizeStream(dir: string): Obj[] {
  return parseStream(run("kubectl", ["kustomize", dir]).stdout) as Obj[];
}

/**
 * deploy/argocd/kustomization.yaml as it is (or with other components or images), but over the
 * fixtures instead of the upstream install.yaml, built in a fresh folder under scratch.
 */
export function buildOverFixtures(scratch: string, changes: { components?: string[]; images?: unknown[] } = {}): Obj[] {
  const install = yamlFile(join(DEPLOY, "kustomization.yaml"));
  const dir = mkdtempSync(join(scratch, "kustomize-"));
  for (const f of readdirSync(FIXTURES)) cpSync(join(FIXTURES, f), join(dir, f));
  const k = {
    ...install,
    resources: readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml")),
    components: (changes.components ?? install.components).map((c: string) => relative(dir, join(DEPLOY, c))),
    images: changes.images ?? install.images,
  };
  writeFileSync(join(dir, "kustomization.yaml"), stringify(k));
  return kustomizeStream(dir);
}

export const podSpec = (d: Obj) => d.spec.template.spec;
export const container = (d: Obj, name: string) => podSpec(d).containers.find((c: any) => c.name === name);
export const initContainer = (d: Obj, name: string) => podSpec(d).initContainers.find((c: any) => c.name === name);
export const volume = (d: Obj, name: string) => podSpec(d).volumes.find((v: any) => v.name === name);
