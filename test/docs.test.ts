/** The docs that derive from the code are current, and the README's commands are the ones CI and the CLI run. */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers/paths.js";

test("docs/reference.md and the AppProject's kinds match the schema and the registry (npm run docs)", () => {
  expect(() =>
    execFileSync("node", [join(ROOT, "scripts/gen-docs.mjs"), "--check"], { cwd: ROOT, stdio: "pipe" }),
  ).not.toThrow();
});

test("the README names the two set-up commands that .ci/run and package.json run", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const ci = readFileSync(join(ROOT, ".ci/run"), "utf8");
  const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
  expect(readme).toContain("npm ci && npm run render -- examples/seed/mlflow-config.yaml");
  expect(readme).toMatch(/^npm test\b/m);
  expect(ci).toMatch(/^npm test$/m);
  expect(scripts.test).toBe("bash scripts/test.sh");
  expect(scripts.render).toMatch(/dist\/mlflow-infra render$/);
});

test("the README's error example is what the CLI prints", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const command =
    "$ sed 's/projectId: zenml-470505/projectId: Zenml/' examples/seed/mlflow-config.yaml | mlflow-infra render -";
  const at = readme.indexOf(`${command}\n`);
  const example = at < 0 ? null : /^(error: .*)$/m.exec(readme.slice(at + command.length + 1));
  expect(example).not.toBeNull();
  const input = readFileSync(join(ROOT, "examples/seed/mlflow-config.yaml"), "utf8").replace(
    "projectId: zenml-470505",
    "projectId: Zenml",
  );
  const p = spawnSync("node", [join(ROOT, "dist/mlflow-infra"), "render", "-"], { input, encoding: "utf8" });
  expect(p.status).toBe(1);
  expect(p.stderr.trim()).toBe(example![1]);
});
