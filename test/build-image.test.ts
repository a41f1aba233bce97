/**
 * scripts/container/build-image.sh keeps podman's storage from growing with every test run:
 * each rebuild of the single executable gives a new image and leaves the previous one untagged
 * (about 93 MB), so after building the script removes this project's dangling images, found by
 * the Dockerfile's label, and nothing else. The build moves all its names at once (--tag, more
 * than once), so no earlier build keeps a name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD_LOCK } from "./helpers/sea.js";
import { buildImage, LOCAL_IMAGE, requireTools, run, type BuiltImage } from "./helpers/e2e.js";
import { ROOT } from "./helpers/paths.js";

const LABEL = "mlflow-infra.image=function";
const scratch = mkdtempSync(join(ROOT, ".cache/test-build-image-"));
const made: string[] = [];
afterAll(() => {
  for (const id of made) run("podman", ["rmi", "--force", id], { allowFailure: true });
  rmSync(scratch, { recursive: true, force: true });
});

let built: BuiltImage;

beforeAll(() => {
  requireTools(["podman", "flock"]);
  built = buildImage();
}, 300_000);

const id = (image: string) => run("podman", ["image", "inspect", "--format", "{{.Id}}", image]).stdout.trim();
const exists = (image: string) => run("podman", ["image", "exists", image], { allowFailure: true }).status === 0;

/** An untagged image FROM base with a label of its own (so a new image each time): dangling from the start. */
function danglingImageFrom(base: string): string {
  const dir = mkdtempSync(join(scratch, "image-"));
  writeFileSync(
    join(dir, "Containerfile"),
    `FROM ${base}\nLABEL mlflow-infra.test.nonce="${process.hrtime.bigint()}"\n`,
  );
  run("podman", ["build", "--pull=never", "--quiet", "--iidfile", join(dir, "id"), dir]);
  const image = readFileSync(join(dir, "id"), "utf8")
    .trim()
    .replace(/^sha256:/, "");
  made.push(image);
  return image;
}

test("the Dockerfile labels the function image; the build gives it every name it was asked for", () => {
  expect(readFileSync(join(ROOT, "Dockerfile"), "utf8")).toMatch(/^LABEL mlflow-infra\.image="function"$/m);
  expect(built.local).toBe(LOCAL_IMAGE);
  expect(id(built.image)).toBe(id(LOCAL_IMAGE));
  const labels = JSON.parse(
    run("podman", ["image", "inspect", "--format", "{{json .Labels}}", built.image]).stdout,
  ) as Record<string, string>;
  expect(labels["mlflow-infra.image"]).toBe("function");
});

test("a build removes this project's dangling images and leaves other images alone", () => {
  const dangling = (filter: string) =>
    run("podman", ["images", "--quiet", "--no-trunc", "--filter", "dangling=true", "--filter", filter]).stdout.replace(
      /sha256:/g,
      "",
    );
  const ours = danglingImageFrom(LOCAL_IMAGE); // inherits the label, as an earlier build would
  const foreign = danglingImageFrom("localhost/mlflow-infra-cc-base:local"); // the base carries no such label
  expect(dangling("label=mlflow-infra.test.nonce")).toContain(foreign);
  expect(dangling(`label=${LABEL}`)).not.toContain(foreign);

  const again = buildImage();
  expect(exists(ours)).toBe(false);
  expect(exists(foreign)).toBe(true);
  expect(dangling("label=mlflow-infra.test.nonce")).toContain(foreign);
  expect([exists(again.image), exists(LOCAL_IMAGE)]).toEqual([true, true]);
  // Under the build lock (no build half done): no image of this project is left dangling.
  expect(
    run("flock", [
      BUILD_LOCK,
      "podman",
      "images",
      "--quiet",
      "--filter",
      "dangling=true",
      "--filter",
      `label=${LABEL}`,
    ]).stdout.trim(),
  ).toBe("");
}, 300_000);
