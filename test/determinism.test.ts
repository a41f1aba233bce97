/**
 * Idempotency and determinism, for every golden config:
 * - rendering twice gives identical bytes (in process, and through the binary under another
 *   time zone, locale and working directory);
 * - rendering the output of a render again changes nothing (items and functionConfig byte for
 *   byte, no "replaced"/"removed" results);
 * - the order of output items is stable: the user's items keep their places whatever they are,
 *   generated objects follow in one fixed order;
 * - the key order of the config (shuffled at every level) and its YAML style do not change the
 *   generated objects.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { processResourceList } from "../function/processor.js";
import { generatedItems, parseOutput, resourceList } from "./helpers/krm.js";
import { DIST, requireFile, ROOT } from "./helpers/paths.js";

const GOLDEN = join(ROOT, "test/golden");
// The refused-* cases are inputs the function refuses: nothing renders; their refusals are
// checked below.
const all = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const cases = all.filter((name) => !name.startsWith("refused-"));
const refused = all.filter((name) => name.startsWith("refused-"));
const configOf = (name: string) => readFileSync(join(GOLDEN, name, "config.yaml"), "utf8");

const USER_ITEMS = [
  "# mine\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\ndata:\n  mode: 0755\n",
  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: second\n  namespace: elsewhere\nspec: {replicas: 1}\n",
  "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: third\n",
];

/** The items part of an output: everything before the functionConfig (which is echoed as written). */
const itemsPart = (output: string) => output.split(/^functionConfig:/m)[0];
const withoutResults = (output: string) => output.split(/^results:\n/m)[0];
const ids = (output: string) => parseOutput(output).items.map((o) => `${String(o.kind)}/${String(o.metadata?.name)}`);

/** `value` with its keys shuffled by `seed`, written as block YAML, flow YAML or JSON. */
function restyled(value: unknown, seed: number, style: "block" | "flow" | "json"): string {
  const shuffled = shuffleKeys(value, seeded(seed));
  if (style === "block") return stringify(shuffled);
  if (style === "flow") return stringify(shuffled, { collectionStyle: "flow" });
  return JSON.stringify(shuffled, null, 1);
}

/** The same value with the keys of every mapping in another order. */
function shuffleKeys(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, random));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, random)]));
}

function seeded(seed: number): () => number {
  let x = seed || 1;
  return () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
}

describe.each(cases)("golden %s", (name) => {
  const config = configOf(name);
  const input = resourceList(config, USER_ITEMS);
  const first = processResourceList(input);

  test("renders", () => {
    expect(first.ok).toBe(true);
    expect(generatedItems(parseOutput(first.output).items).length).toBeGreaterThan(0);
  });

  test("rendering twice gives identical bytes", () => {
    expect(processResourceList(input).output).toBe(first.output);
  });

  test("rendering the output again changes nothing", () => {
    const second = processResourceList(first.output);
    expect(second.ok).toBe(true);
    expect(withoutResults(second.output)).toBe(withoutResults(first.output));
    expect(second.results.filter((r) => /replaced|removed/.test(r.message))).toEqual([]);
    // and a third time, from the second
    expect(withoutResults(processResourceList(second.output).output)).toBe(withoutResults(first.output));
  });

  test("the user's items keep their places, generated objects follow in a fixed order", () => {
    const generatedOrder = ids(first.output).slice(USER_ITEMS.length);
    expect(ids(first.output).slice(0, USER_ITEMS.length)).toEqual([
      "ConfigMap/first",
      "Deployment/second",
      "Widget/third",
    ]);
    for (const order of [[2, 0, 1], [1, 2, 0], []]) {
      const items = order.map((i) => USER_ITEMS[i]);
      const out = processResourceList(resourceList(config, items)).output;
      expect(ids(out).slice(items.length)).toEqual(generatedOrder);
      expect(ids(out).slice(0, items.length)).toEqual(order.map((i) => ids(first.output)[i]));
    }
  });

  test("shuffled key order and another YAML style give the same generated objects", () => {
    const value = parse(config);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.constantFrom("block", "flow", "json"), (seed, style) => {
        const text = restyled(value, seed, style);
        const out = processResourceList(resourceList(text, USER_ITEMS));
        expect(out.ok).toBe(true);
        expect(itemsPart(out.output)).toBe(itemsPart(first.output));
      }),
      { seed: 4242, numRuns: 40 },
    );
  });
});

describe.each(refused)("refused %s", (name) => {
  const config = configOf(name);
  const first = processResourceList(resourceList(config, USER_ITEMS));

  test("is refused, with the same bytes every time", () => {
    expect(first.ok).toBe(false);
    expect(processResourceList(resourceList(config, USER_ITEMS)).output).toBe(first.output);
  });

  test("shuffled key order and another YAML style give the same results and items", () => {
    const value = parse(config);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.constantFrom("block", "flow", "json"), (seed, style) => {
        const text = restyled(value, seed, style);
        const out = processResourceList(resourceList(text, USER_ITEMS));
        expect(out.ok).toBe(false);
        expect(itemsPart(out.output)).toBe(itemsPart(first.output));
        expect(parseOutput(out.output).results).toEqual(parseOutput(first.output).results);
      }),
      { seed: 4242, numRuns: 40 },
    );
  });
});

test("labels and resources written in any order: the same generated objects", () => {
  const config = (labels: string, resources: string) =>
    `apiVersion: mlflow-infra.dev/v1alpha1\nkind: MlflowConfig\nmetadata:\n  name: mlflow\nspec:\n  gcp:\n  ` +
    `  projectId: zenml-470505\n  labels:\n${labels}  server:\n    image: ` +
    `ghcr.io/mlflow/mlflow:v3.10.0-full\n    resources:\n${resources}`;
  const a = processResourceList(
    resourceList(
      config(
        "    team: ml\n    cost: c1\n    env: prod\n",
        "      requests: {cpu: 100m, memory: 1Gi}\n      limits: {memory: 2Gi, cpu: '1'}\n",
      ),
    ),
  );
  const b = processResourceList(
    resourceList(
      config(
        "    env: prod\n    team: ml\n    cost: c1\n",
        "      limits: {cpu: '1', memory: 2Gi}\n      requests: {memory: 1Gi, cpu: 100m}\n",
      ),
    ),
  );
  expect(a.ok && b.ok).toBe(true);
  expect(itemsPart(b.output)).toBe(itemsPart(a.output));
});

describe("the binary", () => {
  const input = resourceList(configOf("full"), USER_ITEMS);
  const expected = processResourceList(input).output;

  test.each([
    ["TZ=UTC, LANG=C", { TZ: "UTC", LANG: "C", LC_ALL: "C" }, ROOT],
    [
      "TZ=Pacific/Chatham, LANG=tr_TR.UTF-8",
      { TZ: "Pacific/Chatham", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" },
      tmpdir(),
    ],
    ["TZ=Asia/Kathmandu, LANG=de_DE.UTF-8", { TZ: "Asia/Kathmandu", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" }, "/"],
  ])("same bytes as in process, twice, under %s", (_, env, cwd) => {
    requireFile(DIST, "run `npm run build` first");
    for (let i = 0; i < 2; i++) {
      const r = spawnSync(process.execPath, [DIST], {
        input,
        encoding: "utf8",
        cwd,
        env: { PATH: process.env.PATH, ...env },
      });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
      expect(r.stdout).toBe(expected);
    }
  });

  test("its output fed back to it: the same bytes (no results on a clean re-run)", () => {
    const r = spawnSync(process.execPath, [DIST], { input: expected, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(withoutResults(expected));
  });
});
