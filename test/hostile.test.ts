/**
 * Hostile input through the real binary (dist/mlflow-infra): each case gets a clear error
 * (exit 1, an error result in a ResourceList on stdout, one line per error on stderr, no stack
 * trace) or correct output (exit 0), and the input items come back byte for byte wherever they
 * could be read. Nothing here asserts on time: the big inputs run with generous timeouts.
 *
 * Template syntax: ESO renders spec.target.template of the ExternalSecret with Go text/template.
 * Every string field of the config (found by walking the schema, so new fields are covered) is
 * set to `{{ ... }}` payloads: each must be rejected by validation or never reach a template.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { mlflowConfigSchema } from "../function/config/schema.js";
import type { KubeObject } from "../function/krm/resource-list.js";
import { processResourceList } from "../function/processor.js";
import { asItem, generatedItems, parseOutput, resourceList } from "./helpers/krm.js";
import { DIST, requireFile, ROOT } from "./helpers/paths.js";

const HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
const SEED_CONFIG = readFileSync(join(ROOT, "examples/seed/mlflow-config.yaml"), "utf8");
const work = mkdtempSync(join(tmpdir(), "mlflow-infra-hostile-"));
// Preloaded into the binary's node: its own peak resident set, printed at exit.
const MAXRSS = join(work, "maxrss.cjs");
writeFileSync(
  MAXRSS,
  'process.on("exit", () => process.stderr.write(`maxrss-kb=${process.resourceUsage().maxRSS}\\n`));\n',
);

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  maxRssKb: number;
}

function run(input: string | Buffer, timeout = 120_000): Run {
  requireFile(DIST, "run `npm run build` first");
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, ["--require", MAXRSS, DIST], {
    input,
    encoding: "utf8",
    timeout,
    maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  const rss = /maxrss-kb=(\d+)\n$/.exec(r.stderr);
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr.replace(/maxrss-kb=\d+\n$/, ""),
    maxRssKb: rss ? Number(rss[1]) : NaN,
  };
}

/** A failed run: exit 1, a ResourceList with the error, readable stderr. Returns the results. */
function expectCleanError(r: Run, message: RegExp) {
  expect({ status: r.status, signal: r.signal }).toEqual({ status: 1, signal: null });
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(r.stderr).not.toMatch(/internal error|FATAL|Error:/);
  expect(r.stderr).toMatch(message);
  const out = parseOutput(r.stdout);
  expect(out.results.some((x) => (x.severity ?? "error") === "error" && message.test(x.message))).toBe(true);
  expect(generatedItems(out.items)).toEqual([]);
  return out;
}

/** A successful run (exit 0, nothing on stderr); its output, read as YAML. */
function expectSuccess(r: Run) {
  expectExit0(r);
  return parseOutput(r.stdout);
}

/** A successful run, for outputs the test's own YAML reader would be slow on (it is quadratic in keys). */
function expectExit0(r: Run): void {
  expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: "" });
}

const withConfig = (items: string[]) => resourceList(SEED_CONFIG, items);

describe("no ResourceList at all", () => {
  test("empty stdin", () => {
    expectCleanError(run(""), /no input/);
  });

  test("only white space and comments", () => {
    expectCleanError(run("\n  \n\t\n"), /no input/);
    expectCleanError(run("# nothing but a comment\n"), /ResourceList/);
  });

  test("binary bytes (NUL, invalid UTF-8, control characters)", () => {
    let x = 12345;
    const bytes = Buffer.from(
      Array.from({ length: 64 * 1024 }, () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x >> 16) & 0xff),
    );
    expectCleanError(run(bytes), /YAML|ResourceList/);
    expectCleanError(run(Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x41])), /YAML|ResourceList/);
  });

  test("a YAML document of another kind, a list, a scalar", () => {
    expectCleanError(
      run("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"),
      /kind ResourceList, got "ConfigMap"/,
    );
    expectCleanError(run("- a\n- b\n"), /mapping of kind ResourceList/);
    expectCleanError(run("just a string\n"), /mapping of kind ResourceList/);
  });

  test("two YAML documents", () => {
    expectCleanError(run(`${withConfig([])}---\n${withConfig([])}`), /one YAML document|---/);
  });
});

describe("big and deep input", () => {
  test("a 50 MB ResourceList: passes through byte for byte, bounded memory", () => {
    const items: string[] = [];
    let size = 0;
    for (let i = 0; size < 50e6; i++) {
      const text =
        `# item ${i}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}  # keep\n  ` +
        `namespace: team-${i % 13}\n  annotations:\n    internal.config.kubernetes.io/path: ` +
        `cm/${i}.yaml\ndata:\n  mode: 0755\n  note: "padding ${"x".repeat(150)}"\n  list: [a, b, {c: d}]\n`;
      items.push(text);
      size += text.length + 20;
    }
    const input = withConfig(items);
    expect(input.length).toBeGreaterThan(50e6);
    const r = run(input, 600_000);
    expectExit0(r);
    const itemsText = `items:\n${items.map(asItem).join("")}`;
    expect(r.stdout.slice(0, HEADER.length + itemsText.length)).toBe(HEADER + itemsText);
    expect(r.stdout.slice(HEADER.length + itemsText.length)).toMatch(/^- apiVersion: v1\n {2}kind: Namespace\n/);
    // The memory budget: 150 MB (node itself, the code, the generated objects) plus three times
    // the input (its text, its decoding, the scanner's few fields per item). Parsing every item
    // into a document took over 3 GB here.
    const budgetKb = (150 + (3 * input.length) / 2 ** 20) * 1024;
    const mb = (kb: number) => (kb / 1024).toFixed(0);
    process.stderr.write(`hostile: 50 MB input, peak RSS ${mb(r.maxRssKb)} MB (budget ${mb(budgetKb)} MB)\n`);
    expect(r.maxRssKb).toBeLessThan(budgetKb);
  });

  test("a ConfigMap with 100,000 keys (the duplicate-key check is linear)", () => {
    const data = Array.from({ length: 100_000 }, (_, i) => `  key-${i}: value ${i}\n`).join("");
    const item = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wide\ndata:\n${data}`;
    const r = run(withConfig([item]));
    expectExit0(r);
    expect(r.stdout.startsWith(`${HEADER}items:\n${asItem(item)}`)).toBe(true);
    expect(r.stdout.slice(HEADER.length + 7 + asItem(item).length)).toMatch(/^- apiVersion: v1\n {2}kind: Namespace\n/);
  });

  test("one 10 MB string value", () => {
    const item = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: ${"y".repeat(10e6)}\n`;
    const r = run(withConfig([item]));
    expectSuccess(r);
    expect(r.stdout.startsWith(`${HEADER}items:\n${asItem(item)}`)).toBe(true);
  });

  test.each([
    [
      "block mappings",
      (n: number) =>
        Array.from({ length: n }, (_, i) => `${"  ".repeat(i + 1)}k${i}:\n`).join("") + `${"  ".repeat(n + 1)}leaf\n`,
    ],
    ["flow sequences", (n: number) => `  deep: ${"[".repeat(n)}${"]".repeat(n)}\n`],
    ["flow mappings", (n: number) => `  deep: ${"{a: ".repeat(n)}x${"}".repeat(n)}\n`],
    [
      "block sequences",
      (n: number) =>
        Array.from({ length: n }, (_, i) => `${" ".repeat(2 * i + 2)}-\n`).join("") + `${" ".repeat(2 * n + 2)}leaf\n`,
    ],
  ])("10,000 levels of %s: a clear error", (_, nest) => {
    const item = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n${nest(10_000)}`;
    expectCleanError(run(withConfig([item])), /YAML|nested|deep/);
    // the same depth inside the functionConfig
    const config = `${SEED_CONFIG}  labels:\n    deep: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`;
    expectCleanError(run(resourceList(config)), /YAML|nested|deep/);
  });

  test("100 levels of nesting: passes through byte for byte", () => {
    const item =
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  deep: ` +
      `${"[".repeat(100)}${"]".repeat(100)}\n  ` +
      `blocks:\n${Array.from({ length: 100 }, (_, i) => `${"  ".repeat(i + 2)}k${i}:\n`).join("")}` +
      `${"  ".repeat(102)}leaf\n`;
    const r = run(withConfig([item]));
    expectSuccess(r);
    expect(r.stdout.startsWith(`${HEADER}items:\n${asItem(item)}`)).toBe(true);
  });
});

describe("YAML features used as weapons", () => {
  const laughs = (indent: string) =>
    `${indent}a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n` +
    Array.from({ length: 9 }, (_, i) => `${indent}a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(",")}]\n`).join(
      "",
    );

  test("billion laughs in an item", () => {
    expectCleanError(
      run(withConfig([`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n${laughs("  ")}`])),
      /items\[0\].*(alias|resource exhaustion)/,
    );
  });

  test("billion laughs in the functionConfig: the items still come back", () => {
    const user = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n";
    const r = run(resourceList(`${SEED_CONFIG}  labels:\n${laughs("    ")}`, [user]));
    expectCleanError(r, /functionConfig.*(alias|resource exhaustion)/);
    expect(r.stdout.startsWith(`${HEADER}items:\n${asItem(user)}`)).toBe(true);
  });

  test("a few aliases in an item are fine and kept as written", () => {
    const item = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anchors\ndata:\n  base: &b hello\n  copy: *b\n";
    const r = run(withConfig([item]));
    expectSuccess(r);
    expect(r.stdout.startsWith(`${HEADER}items:\n${asItem(item)}`)).toBe(true);
  });

  test("an alias to an anchor in another item: a clear error", () => {
    const a = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: &shared {x: y}\n";
    const b = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata: *shared\n";
    // YAML allows it within one document; kept as written when readable, an error otherwise.
    const r = run(withConfig([a, b]));
    if (r.status === 0) expect(r.stdout.startsWith(`${HEADER}items:\n${asItem(a)}${asItem(b)}`)).toBe(true);
    else expectCleanError(r, /alias|anchor/i);
    expectCleanError(
      run(withConfig(["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: *nowhere\n"])),
      /alias|anchor/i,
    );
  });

  test.each([
    [
      "in an item",
      withConfig(["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: 1\n  x: 2\n"]),
      /duplicate key "x"/,
    ],
    [
      "in a flow mapping",
      withConfig(["apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n"]),
      /duplicate key "name"/,
    ],
    [
      "quoted and plain",
      withConfig(['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  "x": 1\n  x: 2\n']),
      /duplicate key "x"/,
    ],
    ["in the functionConfig", resourceList(`${SEED_CONFIG}  stack: other\n`), /duplicate key "stack"/],
    ["at the top", `${withConfig([])}kind: ResourceList\n`, /duplicate key "kind"/],
  ])("duplicate keys %s: a clear error with the line", (_, input, message) => {
    const r = run(input);
    expectCleanError(r, message);
    expect(r.stderr).toMatch(/at line \d+, column \d+/);
  });

  test("tags, a BOM and CRLF line ends", () => {
    const tagged =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tags\ndata:\n  a: !!str 0755\n  b: !custom " +
      "thing\n  c: !!binary aGVsbG8=\n";
    const r1 = run(withConfig([tagged]));
    expectSuccess(r1);
    expect(r1.stdout.startsWith(`${HEADER}items:\n${asItem(tagged)}`)).toBe(true);

    expectSuccess(run(`\ufeff${withConfig([])}`));

    const crlf = withConfig(["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: crlf\ndata:\n  a: b\n"]).replace(
      /\n/g,
      "\r\n",
    );
    const r3 = run(crlf);
    expectSuccess(r3);
    expect(r3.stdout).toContain(
      "- apiVersion: v1\r\n  kind: ConfigMap\r\n  metadata:\r\n    name: crlf\r\n  data:\r\n    a: b\r\n",
    );
  });
});

describe("ResourceLists of odd shapes", () => {
  test.each([
    ["a Kptfile", "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n"],
    ["a Deployment", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec: {}\n"],
    ["a MlflowConfig of another apiVersion", SEED_CONFIG.replace("v1alpha1", "v2")],
    [
      "a ConfigMap of another apiVersion",
      "apiVersion: v2\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata: {}\n",
    ],
    ["no kind", "apiVersion: mlflow-infra.dev/v1alpha1\nmetadata:\n  name: x\n"],
  ])("functionConfig of another kind (%s): error names the field, items intact", (_, config) => {
    const user = "# mine\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData: {a: b}\n";
    const r = run(resourceList(config, [user]));
    const out = expectCleanError(r, /kind|apiVersion/);
    expect(out.results.some((x) => x.field?.path === "kind" || x.field?.path === "apiVersion")).toBe(true);
    expect(r.stdout.startsWith(`${HEADER}items:\n${asItem(user)}`)).toBe(true);
  });

  test("functionConfig that is a scalar or a list: error, items intact", () => {
    const user = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n";
    for (const fc of ['"just text"', "[1, 2]", "42"]) {
      const input = `${HEADER}items:\n${asItem(user)}functionConfig: ${fc}\n`;
      const r = run(input);
      expectCleanError(r, /functionConfig must be a mapping/);
      expect(r.stdout.startsWith(`${HEADER}items:\n${asItem(user)}`)).toBe(true);
    }
  });

  test("no functionConfig: error, items intact", () => {
    const user = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n";
    const r = run(resourceList(undefined, [user]));
    expectCleanError(r, /functionConfig is missing/);
    expect(r.stdout.startsWith(`${HEADER}items:\n${asItem(user)}`)).toBe(true);
  });

  test("items without metadata, with odd metadata, without kind: passed through", () => {
    const items = [
      "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: null\n",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: [1, 2]\n",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 42\n  namespace: {}\n  labels: [x]\n  annotations: text\n",
      "just: a mapping\n",
      "{}\n",
    ];
    const r = run(withConfig(items));
    const out = expectSuccess(r);
    expect(r.stdout.startsWith(`${HEADER}items:\n${items.map(asItem).join("")}`)).toBe(true);
    expect(generatedItems(out.items).length).toBeGreaterThan(0);
  });

  test("items that are scalars or lists: an error naming the item", () => {
    for (const bad of ["42", "just a string", "[a, b]", "null"]) {
      const input =
        `${HEADER}items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: ok}\n- ` +
        `${bad}\nfunctionConfig:\n${SEED_CONFIG.replace(/^/gm, "  ")}`;
      const out = expectCleanError(run(input), /items\[1\]/);
      expect(out.results.some((x) => x.field?.path === "items[1]")).toBe(true);
    }
  });

  test("items that is not a list", () => {
    expectCleanError(run(`${HEADER}items: {a: b}\n`), /items must be a list/);
    expectCleanError(run(`${HEADER}items: text\n`), /items must be a list/);
  });

  test("a ResourceList written as JSON: correct output, items and functionConfig kept", () => {
    const item = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "json", annotations: { "internal.config.kubernetes.io/path": "j.yaml" } },
      data: { mode: "0755", n: 1.0 },
    };
    const config = parse(SEED_CONFIG);
    const input = JSON.stringify({
      apiVersion: "config.kubernetes.io/v1",
      kind: "ResourceList",
      items: [item],
      functionConfig: config,
    });
    const r = run(input);
    const out = expectSuccess(r);
    expect(out.items[0]).toEqual(item);
    expect(r.stdout).toContain(`- ${JSON.stringify(item)}\n`);
    expect(out.functionConfig).toEqual(config);
    expect(generatedItems(out.items).length).toBeGreaterThan(0);
    // pretty-printed JSON too
    const pretty = run(
      JSON.stringify(
        { apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items: [item], functionConfig: config },
        null,
        2,
      ),
    );
    expect(expectSuccess(pretty).items[0]).toEqual(item);
  });
});

// ---------------------------------------------------------------------------------------------
// Template syntax in every string field of the config

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  propertyNames?: Schema;
  enum?: unknown[];
  pattern?: string;
  const?: unknown;
};
type Path = (string | number | { key: true })[];

/** Paths of every string the schema allows: leaves, list items, map keys and map values. */
function stringPaths(schema: Schema, path: Path = []): Path[] {
  const out: Path[] = [];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (
    types.includes("string") ||
    schema.pattern !== undefined ||
    schema.enum?.some((v) => typeof v === "string") ||
    typeof schema.const === "string"
  )
    out.push(path);
  for (const [k, s] of Object.entries(schema.properties ?? {})) out.push(...stringPaths(s, [...path, k]));
  if (schema.items) out.push(...stringPaths(schema.items, [...path, 0]));
  if (typeof schema.additionalProperties === "object") {
    out.push([...path, { key: true }]);
    out.push(...stringPaths(schema.additionalProperties, [...path, "some-key"]));
  }
  if (types.includes("object") && !schema.properties && schema.additionalProperties === undefined) {
    // free-form maps (metadata.labels, metadata.annotations): keys and values
    out.push([...path, { key: true }], [...path, "some-key"]);
  }
  return out;
}

function setAt(root: Record<string, unknown>, path: Path, value: string): void {
  let node: any = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string | number;
    if (node[k] === undefined || typeof node[k] !== "object" || node[k] === null)
      node[k] = typeof path[i + 1] === "number" ? [] : {};
    node = node[k];
  }
  const last = path[path.length - 1];
  if (typeof last === "object") node[value] = "v";
  else node[last] = value;
}

const pathText = (p: Path) => p.map((s) => (typeof s === "object" ? "<key>" : s)).join(".");

/** The richest valid config: the full golden case plus every optional server section. */
function richConfig(): Record<string, any> {
  const config = parse(readFileSync(join(ROOT, "test/golden/full/config.yaml"), "utf8"));
  const server = (name: string) =>
    parse(readFileSync(join(ROOT, `test/golden/${name}/config.yaml`), "utf8")).spec.server;
  config.spec.server = { ...server("server-proxy"), ...server("server-autoscaling"), ...server("server-ingress") };
  config.spec.server.cloudSqlProxy = server("server-proxy").cloudSqlProxy;
  config.spec.server.networkPolicy = server("server-proxy").networkPolicy;
  config.metadata.annotations = { "config.kubernetes.io/local-config": "true" };
  return config;
}

/** Every `{{ ... }}` action in the templates ESO renders. */
function templateActions(objects: KubeObject[]): string[] {
  const actions: string[] = [];
  for (const o of objects) {
    if (o.kind !== "ExternalSecret" && o.kind !== "ClusterExternalSecret" && o.kind !== "PushSecret") continue;
    const template = JSON.stringify((o.spec as any)?.target?.template ?? (o.spec as any)?.template ?? {});
    actions.push(...(template.match(/\{\{.*?\}\}/g) ?? []));
  }
  return actions;
}

describe("template syntax in every string field", () => {
  const base = richConfig();
  const baseline = processResourceList(resourceList(stringify(base)));
  const allowed = new Set(templateActions(generatedItems(parseOutput(baseline.output).items)));
  const paths = stringPaths(mlflowConfigSchema as unknown as Schema).filter((p) => p.length > 0);
  // Each payload carries the word "injected", which no generated template contains.
  const PAYLOADS = [
    "{{ .injected }}",
    'x{{ printf "%s" .injected }}',
    "{{- /* injected */ -}}",
    "a-{{.injected}}",
    "{{ .password }}injected",
  ];
  const accepted: string[] = [];

  test("the rich config is valid, its ExternalSecret has the known template actions", () => {
    expect(baseline.results.filter((r) => r.severity === "error")).toEqual([]);
    expect(baseline.ok).toBe(true);
    expect(allowed.size).toBeGreaterThanOrEqual(5);
    expect(paths.length).toBeGreaterThan(40);
  });

  test("each field, each payload: rejected at that field, or no new template action", () => {
    for (const path of paths) {
      for (const payload of PAYLOADS) {
        const config = structuredClone(base);
        setAt(config, path, payload);
        const outcome = processResourceList(resourceList(stringify(config)));
        if (!outcome.ok) {
          expect(outcome.results.some((r) => r.severity === "error" && r.field?.path)).toBe(true);
          continue;
        }
        accepted.push(`${pathText(path)} = ${payload}`);
        const generated = generatedItems(parseOutput(outcome.output).items);
        for (const action of templateActions(generated))
          expect({ path: pathText(path), action, known: allowed.has(action) }).toEqual({
            path: pathText(path),
            action,
            known: true,
          });
        expect(
          JSON.stringify(generated.filter((o) => o.kind === "ExternalSecret").map((o) => (o.spec as any).target)),
        ).not.toContain("injected");
      }
    }
    // Fields without a pattern accept any text; they must be the ones that never reach a template.
    process.stderr.write(
      `hostile: template syntax accepted (never in a template) at: ` +
        `${[...new Set(accepted.map((a) => a.split(" = ")[0]))].join(", ") || "none"}\n`,
    );
  });

  test("all string fields at once, through the binary: rejected, no stack trace", () => {
    const config = structuredClone(base);
    for (const path of paths) setAt(config, path, "{{ .password }}");
    expectCleanError(run(resourceList(stringify(config))), /./);
  });
});
