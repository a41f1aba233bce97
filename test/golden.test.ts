/**
 * Golden tests: each folder of test/golden holds config.yaml (the functionConfig), an
 * optional items.yaml (input items, multi-document) and expected.yaml (the whole output
 * ResourceList). A folder whose config is refused holds the refusal instead: the results, the
 * items unchanged, nothing generated (as kustomize's kyaml/fn/framework keeps error goldens), so
 * that refusals are reviewed like outputs. UPDATE_GOLDEN=1 rewrites expected.yaml; review the
 * diff like code.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processResourceList } from "../function/processor.js";
import { documents, generatedItems, parseOutput, resourceList } from "./helpers/krm.js";
import { ROOT } from "./helpers/paths.js";
import { allSchemaErrors } from "./helpers/schemas.js";

const GOLDEN = join(ROOT, "test/golden");
const cases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function input(dir: string): string {
  const config = readFileSync(join(dir, "config.yaml"), "utf8");
  const itemsFile = join(dir, "items.yaml");
  const items = existsSync(itemsFile) ? documents(readFileSync(itemsFile, "utf8")) : [];
  return resourceList(config, items);
}

/** Results describe one run (what was replaced or removed); the items and config are what kpt writes. */
function withoutResults(output: string): string {
  return output.split(/^results:\n/m)[0];
}

test("golden files are not being rewritten in CI (UPDATE_GOLDEN would compare them with themselves)", () => {
  expect(process.env.CI === "true" && process.env.UPDATE_GOLDEN === "1").toBe(false);
});

test("there are golden cases", () => {
  expect(cases.length).toBeGreaterThanOrEqual(3);
});

describe.each(cases)("golden %s", (name) => {
  const dir = join(GOLDEN, name);
  const outcome = processResourceList(input(dir));
  const expectedFile = join(dir, "expected.yaml");
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(expectedFile, outcome.output);

  test("output matches expected.yaml byte for byte", () => {
    expect(outcome.output).toBe(readFileSync(expectedFile, "utf8"));
  });

  test("rendering the output again changes nothing", () => {
    if (!outcome.ok) return expect(outcome.results.some((r) => r.severity === "error")).toBe(true);
    const again = processResourceList(outcome.output);
    expect(again.ok).toBe(true);
    expect(withoutResults(again.output)).toBe(withoutResults(outcome.output));
  });

  test("every generated object validates against its upstream schema", async () => {
    const generated = generatedItems(parseOutput(outcome.output).items);
    if (outcome.ok) expect(generated.length).toBeGreaterThan(0);
    expect(await allSchemaErrors(generated)).toEqual([]);
  });
});

test("examples/seed/mlflow-config.yaml is the seed golden case's config", () => {
  expect(readFileSync(join(ROOT, "examples/seed/mlflow-config.yaml"), "utf8")).toBe(
    readFileSync(join(GOLDEN, "seed/config.yaml"), "utf8"),
  );
});
