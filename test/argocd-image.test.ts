/**
 * The repo-server's init container (deploy/argocd/executable), run for real: the function image
 * built from this Dockerfile with podman (scripts/container/build-image.sh --local), whose only
 * program is the single executable; the init container's own command (`/function/mlflow-infra
 * install DIR`), user, read-only root and volume mount taken from the patched Deployment; and the
 * file it leaves in the volume run where there is no node, as the repo-server or the CMP sidecar
 * would run it.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildOverFixtures, find, initContainer, VERSION } from "./helpers/argocd.js";
import { buildImage, requireTools, run as runTool } from "./helpers/e2e.js";
import { resourceList } from "./helpers/krm.js";
import { ROOT } from "./helpers/paths.js";
import { SEA } from "./helpers/sea.js";
import { stagedSubdir, stageExecutable, stagingDir } from "./helpers/stage.js";

/** A command's stdout; it must exit 0. */
const run = (cmd: string, args: string[], options: Parameters<typeof runTool>[2] = {}) =>
  runTool(cmd, args, options).stdout;

// Under /tmp, not the checkout: uid 999 must reach the executable below (helpers/stage.ts).
const scratch = stagingDir("argocd-image");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The init container as deploy/argocd renders it over the fixture repo-server. */
function renderedInitContainer(): {
  image: string;
  command: string[];
  args: string[];
  securityContext: any;
  volumeMounts: Array<{ mountPath: string }>;
} {
  return initContainer(find(buildOverFixtures(scratch), "Deployment", "argocd-repo-server"), "install-mlflow-infra");
}

let image = "";

beforeAll(() => {
  requireTools(["podman", "kubectl", "flock"]);
  image = buildImage().image; // this Dockerfile's build, tagged with the name the committed files use
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
  const config = JSON.parse(run("podman", ["image", "inspect", "--format", "{{json .Config}}", image])) as {
    Entrypoint: string[];
  };
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
      "run",
      "--rm",
      "--network",
      "none",
      "--read-only",
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      "--user",
      String(init.securityContext.runAsUser),
      "-v",
      `${volume}:${init.volumeMounts[0].mountPath}`,
      "--entrypoint",
      entrypoint,
      image,
      ...rest,
      ...init.args,
    ]);
  expect(init.securityContext.readOnlyRootFilesystem).toBe(true);
  expect(podmanRun()).toBe(
    `mlflow-infra install: wrote ${init.volumeMounts[0].mountPath}/mlflow-infra ` +
      `(${(statSync(SEA).size / 1e6).toFixed(1)} MB, mode 0755)\n`,
  );
  podmanRun(); // a restarted init container replaces the file, and leaves nothing else
  expect(readdirSync(volume)).toEqual(["mlflow-infra"]);
  const copied = join(volume, "mlflow-infra");
  expect(statSync(copied).uid).toBe(init.securityContext.runAsUser);
  expect(existsSync(copied)).toBe(true);
  expect(statSync(copied).mode & 0o777).toBe(0o755);
  expect(readFileSync(copied).equals(readFileSync(SEA))).toBe(true);

  // As the repo-server (uid 999) runs it: found on PATH by its bare name, no node anywhere on PATH.
  const bin = stagedSubdir(scratch, "bin-");
  stageExecutable(copied, join(bin, "mlflow-infra"));
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const out = run("mlflow-infra", [], {
    input: resourceList(readFileSync(join(ROOT, "test/golden/seed/config.yaml"), "utf8")),
    env: { PATH: bin },
    cwd: "/",
    ...(asRoot ? { uid: 999, gid: 999 } : {}),
  });
  expect(out).toBe(readFileSync(join(ROOT, "test/golden/seed/expected.yaml"), "utf8"));
});
