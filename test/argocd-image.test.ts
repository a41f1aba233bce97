/**
 * The repo-server's init container (deploy/argocd/executable), run for real: the function image
 * built from this Dockerfile with podman (scripts/container/build-image.sh --local), whose only
 * program is the single executable; the init container's own command (`/function/mlflow-infra
 * install DIR`), user, read-only root and volume mount taken from the patched Deployment; and the
 * file it leaves in the volume run where there is no node, as the repo-server or the CMP sidecar
 * would run it.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, stringify } from "yaml";
import { resourceList } from "./helpers/krm.js";
import { ROOT } from "./helpers/paths.js";
import { ensureSea } from "./helpers/sea.js";

const DEPLOY = join(ROOT, "deploy/argocd");
const FIXTURES = join(ROOT, "test/fixtures/argocd");
const { version: VERSION } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const ENV = { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? join(ROOT, ".cache/containers/containers.conf") };

function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: ENV, maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ").slice(0, 300)} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

mkdirSync(join(ROOT, ".cache"), { recursive: true });
const scratch = mkdtempSync(join(ROOT, ".cache/test-argocd-image-"));
chmodSync(scratch, 0o755); // uid 999 must reach the executable below
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The init container as deploy/argocd renders it over the fixture repo-server. */
function renderedInitContainer(): { image: string; command: string[]; args: string[]; securityContext: any; volumeMounts: Array<{ mountPath: string }> } {
  const dir = mkdtempSync(join(scratch, "kustomize-"));
  for (const f of readdirSync(FIXTURES)) cpSync(join(FIXTURES, f), join(dir, f));
  const k = parse(readFileSync(join(DEPLOY, "kustomization.yaml"), "utf8"));
  k.resources = readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml"));
  k.components = k.components.map((c: string) => relative(dir, join(DEPLOY, c)));
  writeFileSync(join(dir, "kustomization.yaml"), stringify(k));
  const docs = run("kubectl", ["kustomize", dir]).split(/^---\n/m).map((d) => parse(d));
  const d = docs.find((o) => o?.kind === "Deployment");
  return d.spec.template.spec.initContainers.find((c: { name: string }) => c.name === "install-mlflow-infra");
}

let image = "";

beforeAll(() => {
  if (spawnSync("sh", ["-c", "command -v podman"], { env: ENV }).status !== 0) throw new Error("podman is missing: run scripts/ci/install-tools.sh (npm test does)");
  if (!existsSync(ENV.CONTAINERS_CONF!)) throw new Error(`${ENV.CONTAINERS_CONF} is missing: run scripts/ci/install-tools.sh (npm test does)`);
  ensureSea();
  // The same lock as the other image-building tests: one podman build at a time.
  const local = run("flock", [join(ROOT, ".cache/build-image.lock"), join(ROOT, "scripts/container/build-image.sh"), "--local"]).trim().split("\n").pop()!;
  image = `ghcr.io/example-org/mlflow-infra:${VERSION}`;
  run("podman", ["tag", local, image]);
}, 300_000);

test("the image runs the function by default: its entrypoint is the single executable", () => {
  const seed = resourceList(readFileSync(join(ROOT, "test/golden/seed/config.yaml"), "utf8"));
  const out = run("podman", ["run", "--rm", "-i", "--network", "none", "--user", "nobody", image], { input: seed });
  expect(out).toBe(readFileSync(join(ROOT, "test/golden/seed/expected.yaml"), "utf8"));
  const version = run("podman", ["run", "--rm", "--network", "none", image, "--version"]);
  expect(version).toBe(`${VERSION}\n`);
});

test("the init container runs the image's own executable: `install DIR`, no shell and no node", () => {
  const init = renderedInitContainer();
  const config = JSON.parse(run("podman", ["image", "inspect", "--format", "{{json .Config}}", image])) as { Entrypoint: string[] };
  expect(init.command).toEqual(config.Entrypoint);
  expect(init.args).toEqual(["install", init.volumeMounts[0].mountPath]);
});

test("the init container, run as the patch says, copies an executable that runs with no node", () => {
  const init = renderedInitContainer();
  expect(init.image).toBe(image); // the placeholder the patch names, tagged onto this build
  const volume = mkdtempSync(join(scratch, "emptydir-"));
  chmodSync(volume, 0o777); // an emptyDir is world-writable
  const [entrypoint, ...rest] = init.command;
  const podmanRun = () =>
    run("podman", [
      "run", "--rm", "--network", "none", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
      "--user", String(init.securityContext.runAsUser),
      "-v", `${volume}:${init.volumeMounts[0].mountPath}`,
      "--entrypoint", entrypoint, image, ...rest, ...init.args,
    ]);
  expect(init.securityContext.readOnlyRootFilesystem).toBe(true);
  expect(podmanRun()).toBe(`mlflow-infra install: wrote ${init.volumeMounts[0].mountPath}/mlflow-infra (${(statSync(join(ROOT, "dist/mlflow-infra-sea")).size / 1e6).toFixed(1)} MB, mode 0755)\n`);
  podmanRun(); // a restarted init container replaces the file, and leaves nothing else
  expect(readdirSync(volume)).toEqual(["mlflow-infra"]);
  const copied = join(volume, "mlflow-infra");
  expect(statSync(copied).uid).toBe(init.securityContext.runAsUser);
  expect(existsSync(copied)).toBe(true);
  expect(statSync(copied).mode & 0o777).toBe(0o755);
  expect(readFileSync(copied).equals(readFileSync(join(ROOT, "dist/mlflow-infra-sea")))).toBe(true);

  // As the repo-server (uid 999) runs it: found on PATH by its bare name, no node anywhere on PATH.
  const bin = mkdtempSync(join(scratch, "bin-"));
  cpSync(copied, join(bin, "mlflow-infra"));
  chmodSync(bin, 0o755);
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const r = spawnSync("mlflow-infra", [], {
    input: resourceList(readFileSync(join(ROOT, "test/golden/seed/config.yaml"), "utf8")),
    encoding: "utf8",
    env: { PATH: bin },
    cwd: "/",
    ...(asRoot ? { uid: 999, gid: 999 } : {}),
  });
  expect(r.error).toBeUndefined();
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(readFileSync(join(ROOT, "test/golden/seed/expected.yaml"), "utf8"));
});
