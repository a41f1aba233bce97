/**
 * Property-based tests (fast-check): thousands of random and mutated MlflowConfigs and
 * ResourceLists through processResourceList, and a sample of them through the real binary.
 *
 * For every input:
 * - processResourceList never throws;
 * - ok=true: the input items come back byte for byte, first and in order, and every generated
 *   object passes its upstream schema (checked on a sample at the end, for speed);
 * - ok=false: at least one error result, naming a field when the ResourceList itself was
 *   readable; the items come back unchanged; nothing is generated;
 * - the binary exits 0 (ok) or 1 (not ok) with the same stdout, and never prints a stack trace.
 *
 * The seed is fixed (FUZZ_SEED overrides it; FUZZ_RUNS scales the run counts), so a failure is
 * reproducible: fast-check prints the seed, the path and the shrunk counterexample.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parse, parseDocument, stringify } from "yaml";
import { processResourceList, type Outcome } from "../function/processor.js";
import type { KubeObject } from "../function/krm/resource-list.js";
import { asItem, generatedItems, parseOutput, resourceList } from "./helpers/krm.js";
import { DIST, requireFile, ROOT } from "./helpers/paths.js";
import { allSchemaErrors } from "./helpers/schemas.js";
import { arbitraryFor, fieldPaths, type SchemaNode } from "./helpers/schema-arbitrary.js";
import { canonicalCidr } from "../function/config/kube-rules.js";
import { mlflowConfigSchema } from "../function/config/schema.js";
import { atLeast, runs, seed } from "./helpers/fuzz.js";

const SEED = seed(20261127);
const HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";

// -------------------------------------------------------------------------------------------
// Arbitraries

/** Configs that the test suite knows to be valid: the golden cases (server variants included). */
const GOLDEN = join(ROOT, "test/golden");
const seeds: Record<string, unknown>[] = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => parse(readFileSync(join(GOLDEN, d.name, "config.yaml"), "utf8")) as Record<string, unknown>)
  .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const opt = { requiredKeys: [] as never[] };
const dns1035 = fc.stringMatching(/^[a-z]([-a-z0-9]{0,8}[a-z0-9])?$/);
const projectId = fc.stringMatching(/^[a-z][a-z0-9-]{4,12}[a-z0-9]$/);

const host = fc.constantFrom("mlflow.example.com", "mlflow.corp.example.com");
/** The valid shapes of spec.server.gateway: shared, created with a certificate map or with cert-manager. */
const gateway = fc.oneof(
  fc.record({
    host,
    parentRef: fc.record(
      { name: dns1035, namespace: dns1035, sectionName: dns1035, internal: fc.boolean() },
      { requiredKeys: ["name", "namespace"] },
    ),
  }),
  fc.record(
    { host, className: fc.constant("gke-l7-global-external-managed"), certificateMap: dns1035 },
    { requiredKeys: ["host", "certificateMap"] },
  ),
  fc.record(
    { host, className: fc.constantFrom("gke-l7-global-external-managed", "gke-l7-rilb"), clusterIssuer: dns1035 },
    { requiredKeys: ["host", "clusterIssuer"] },
  ),
);
const oauthClientId = fc.stringMatching(/^[0-9]{1,6}-[a-z0-9]{1,8}\.apps\.googleusercontent\.com$/);
const basicAuth = fc.record(
  {
    adminUsername: dns1035,
    adminPasswordSecret: dns1035,
    database: fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/),
    defaultPermission: fc.constantFrom("READ", "EDIT", "MANAGE", "NO_PERMISSIONS"),
  },
  opt,
);
/** Mostly the mode's default for the exposure; sometimes basic-auth, which every exposure admits. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });

/**
 * Configs drawn from the schema itself (every field it has, each from its own pattern, bounds or
 * enum): mostly valid, sometimes not (rules the schema cannot state). A few fields get a narrower
 * arbitrary where their pattern alone makes valid combinations rare: the gateway and auth, whose
 * fields combine under rules (exclusive TLS sources, no `none` in front of the internet).
 */
const drawnConfig = arbitraryFor(mlflowConfigSchema as unknown as SchemaNode, {
  "spec.server.gateway": rarely(gateway),
  "spec.server.auth": rarely(
    fc.oneof(
      fc.record({ mode: fc.constant("basic-auth"), basicAuth }, opt),
      // No mode: IAP's settings apply where the default is iap, and only warn elsewhere.
      fc.record({
        iap: fc.record(
          {
            oauthClient: fc.record({ clientId: oauthClientId, clientSecret: dns1035 }, { requiredKeys: ["clientId"] }),
          },
          opt,
        ),
      }),
    ),
  ),
  "metadata.namespace": fc.constant(undefined),
  "metadata.labels": fc.constant(undefined),
  "metadata.annotations": fc.constant(undefined),
  "metadata.name": dns1035,
  "spec.stack": dns1035,
  "spec.gcp.projectId": projectId,
  "spec.argocd.repoURL": fc.constantFrom(
    "https://github.com/example/mlops.git",
    "git@github.com:example/mlops.git",
    "oci://registry.example.com/mlops",
  ),
});

type Drawn = {
  metadata: { name: string };
  spec: { namespace?: string; labels?: Record<string, string>; gcp: any; server?: any };
};

/**
 * spec.gcp.configConnector's cross-field rules (validate.ts: namespaced mode needs
 * googleServiceAccount, iam needs the proxy, the proxy must name sqlInstance, the password user
 * lives beside its Secret, labels must suit Google Cloud) make a config drawn field by field
 * almost always invalid once configConnector is present: three in four such configs are made
 * to keep them, the fourth stays as drawn.
 */
function keepConfigConnectorRules(config: Drawn): Drawn {
  const c = structuredClone(config);
  const cc = c.spec.gcp.configConnector;
  if (!cc) return c;
  if (cc.mode === "namespaced") cc.googleServiceAccount ??= "cnrm-fuzz@fuzz-project.iam.gserviceaccount.com";
  if (cc.databaseAuth === "iam" && !c.spec.server) cc.databaseAuth = "password";
  if (cc.databaseAuth === "iam") c.spec.server.cloudSqlProxy ??= { instanceConnectionName: "x:us-central1:x" };
  const proxy = c.spec.server?.cloudSqlProxy;
  const project = cc.sqlInstance.projectId ?? c.spec.gcp.projectId;
  if (proxy) proxy.instanceConnectionName = `${project}:us-central1:${cc.sqlInstance.name}`;
  if (cc.databaseAuth !== "iam" && cc.namespace !== undefined) cc.namespace = c.spec.namespace ?? c.metadata.name;
  for (const [k, v] of Object.entries(c.spec.labels ?? {})) {
    const gcpLabel = /^[a-z][a-z0-9_-]{0,62}$/.test(k) && /^[a-z0-9_-]{0,63}$/.test(v);
    if (!k.includes("/") && !gcpLabel) delete c.spec.labels![k];
  }
  return c;
}

/**
 * The server's cross-field rules, likewise (validate.ts and its exposure, operations and
 * Kubernetes rules): one exposure, metrics without basic-auth, a driver the stock image carries,
 * CPU requests and ordered bounds for the autoscaler, a separate SecretStore identity only with
 * gcp.cluster and its own Kubernetes account.
 */
function keepServerRules(config: Drawn): Drawn {
  const c = structuredClone(config) as Drawn & { spec: { externalSecrets?: any; database?: any } };
  const es = c.spec.externalSecrets;
  if (es?.serviceAccount !== undefined) c.spec.gcp.cluster ??= { name: "fuzz", location: "us-central1" };
  if (es?.gcpServiceAccount !== undefined && es.serviceAccount === undefined) delete es.gcpServiceAccount;
  const s = c.spec.server;
  if (!s) return c;
  if (s.gateway && s.ingress) delete s.ingress;
  // Requests within limits (the API server's rule), CIDRs without host bits (kube-rules.ts).
  for (const container of [s, s.cloudSqlProxy]) {
    const { requests, limits } = container?.resources ?? {};
    if (requests && limits) for (const k of Object.keys(limits)) if (requests[k] !== undefined) requests[k] = limits[k];
  }
  const policy = s.networkPolicy;
  for (const key of ["databaseCidrs", "proxyOnlySubnetCidrs"]) {
    if (policy?.[key]) policy[key] = [...new Set((policy[key] as string[]).map(canonicalCidr))];
  }
  // basic-auth (explicit, or the default behind a non-GKE Ingress) hides the metrics endpoint.
  if (s.metrics && s.auth?.mode !== "iap" && s.auth?.mode !== "none") s.metrics.enabled = false;
  const driver = c.spec.database?.driver;
  if (!s.customImage && driver !== undefined && !["pymysql", "psycopg2"].includes(driver))
    c.spec.database.driver = "pymysql";
  if (s.autoscaling) {
    for (const container of [s, s.cloudSqlProxy]) {
      if (container?.resources) container.resources.requests = { cpu: "100m", ...container.resources.requests };
    }
    if ((s.autoscaling.minReplicas ?? 1) > s.autoscaling.maxReplicas)
      s.autoscaling.minReplicas = s.autoscaling.maxReplicas;
  }
  return c;
}

const structuredConfig = fc
  .tuple(drawnConfig, fc.integer({ min: 0, max: 3 }))
  .map(([c, n]) => (n === 0 ? c : keepServerRules(keepConfigConnectorRules(c as Drawn))));

test("the structured configs cover every field of the schema", () => {
  const seen = new Set<string>();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, `${path}[]`));
    if (typeof v !== "object" || v === null) return;
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      if (x !== undefined) seen.add(p);
      if (!p.endsWith("labels") && !p.endsWith("annotations")) walk(x, p);
    }
  };
  for (const config of fc.sample(structuredConfig, { seed: SEED, numRuns: 400 })) walk(config, "");
  const expected = fieldPaths(mlflowConfigSchema as unknown as SchemaNode).filter(
    (p) => !/^metadata\.(namespace|labels|annotations)$/.test(p),
  );
  expect(expected.filter((p) => !seen.has(p))).toEqual([]);
});

/** Values that are wrong, odd or hostile in some way. */
const TEMPLATES = [
  "{{ .password }}",
  '{{ template "x" . }}',
  "{{- range . }}{{ . }}{{ end }}",
  "${HOME}",
  "$(id)",
  "%{x}",
  "<%= x %>",
];
const ODD_STRINGS = [
  "",
  " ",
  "yes",
  "no",
  "on",
  "0755",
  "1e3",
  "~",
  "null",
  "true",
  "-",
  "*a",
  "&a",
  "!!binary x",
  "a: b",
  "- x",
  "# c",
  "\t",
  "\n",
  "\r\n",
  "\u0000",
  "\u2028",
  "é",
  "🚀",
  "x".repeat(300),
  "UPPER",
  "a_b",
  "a.b",
  "a/b",
  "..",
  "../x",
];
const randomString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom(...TEMPLATES, ...ODD_STRINGS),
  fc.tuple(fc.constantFrom(...TEMPLATES), dns1035).map(([t, s]) => `${s}${t}`),
);
const randomValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: randomString },
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(randomString, { maxLength: 3 }),
  fc.dictionary(randomString, randomString, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);

type Mutation = { at: number; op: "delete" | "rename" | "replace" | "add" | "near"; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("delete", "rename", "replace", "replace", "add", "near"),
  key: fc.oneof(
    randomString,
    fc.constantFrom("metadata", "spec", "gcp", "projectId", "name", "server", "Spec", "projectID"),
  ),
  value: randomValue,
});

/** Every [container, key] of a JSON-like value, depth first, in a stable order. */
function slots(value: unknown): Array<[Record<string, unknown> | unknown[], string | number]> {
  const out: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push([v, i]);
        walk(x);
      });
    } else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        out.push([v as Record<string, unknown>, k]);
        walk(x);
      }
    }
  };
  walk(value);
  return out;
}

function containers(value: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) {
      out.push(v as Record<string, unknown>);
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return out;
}

/** A near miss of a valid value: one character off, another case, one more, or the wrong type. */
function nearMiss(v: unknown, key: string): unknown {
  if (typeof v === "string")
    return [
      v.toUpperCase(),
      `${v}-`,
      `-${v}`,
      `${v}${key}`,
      v.slice(1),
      `${v} `,
      Number.isNaN(Number(v)) ? v.length : Number(v),
    ][v.length % 7];
  if (typeof v === "number") return [v + 0.5, -v, String(v), v * 1000][Math.abs(Math.trunc(v)) % 4];
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return v.length ? v[0] : {};
  return v === null ? {} : [v];
}

function mutate(config: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(config);
  for (const m of mutations) {
    if (m.op === "add") {
      const targets = containers(copy);
      if (targets.length) targets[m.at % targets.length][m.key] = m.value;
      continue;
    }
    const all = slots(copy);
    if (all.length === 0) continue;
    const [parent, key] = all[m.at % all.length];
    if (Array.isArray(parent)) {
      const i = key as number;
      if (m.op === "delete") parent.splice(i, 1);
      else parent[i] = m.op === "near" ? nearMiss(parent[i], m.key) : m.value;
      continue;
    }
    const k = key as string;
    const old = parent[k];
    if (m.op === "delete") delete parent[k];
    else if (m.op === "rename") {
      delete parent[k];
      parent[m.key] = old;
    } else parent[k] = m.op === "near" ? nearMiss(old, k) : m.value;
  }
  return copy;
}

const mutatedConfig = fc
  .tuple(fc.oneof(fc.constantFrom(...seeds), structuredConfig), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([c, ms]) => mutate(c, ms));

/** kpt's form of the config: a ConfigMap `function-input` whose values are all strings. */
const configMapConfig = fc
  .tuple(
    fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          "name",
          "stack",
          "gcp.projectId",
          "gcp.cluster.name",
          "gcp.cluster.location",
          "namespace",
          "labels.team",
          "argocd.repoURL",
          "argocd.syncWave",
          "argocd.applicationOnly",
          "server.image",
          "server.replicas",
          "database.driver",
          "nope",
          "gcp",
        ),
        randomString,
      ),
      fc.oneof(
        randomString,
        fc.constantFrom("mlflow", "zenml-470505", "https://github.com/x/y.git", "3", "true", "1.5", "-1"),
      ),
      { maxKeys: 6 },
    ),
    fc.boolean(),
  )
  .map(([data, base]) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "function-input" },
    data: base ? { name: "mlflow", stack: "zenml", "gcp.projectId": "zenml-470505", ...data } : data,
  }));

/** Unrelated user resources: never the function's own kinds and names, never its labels. */
const userItem = fc
  .record({
    kind: fc.constantFrom("Widget", "ConfigMap", "Gadget"),
    name: fc.stringMatching(/^[a-z0-9]{1,8}$/),
    data: fc.jsonValue({ maxDepth: 3 }),
    comment: fc.option(
      randomString.map((s) => s.replace(/[\r\n\u2028\u2029\u0085]/g, " ")),
      { nil: undefined },
    ),
    style: fc.constantFrom("block", "flow"),
  })
  .map(({ kind, name, data, comment, style }) => {
    const object = {
      apiVersion: kind === "ConfigMap" ? "v1" : "example.com/v1",
      kind,
      metadata: { name: `user-${name}`, namespace: "user-space" },
      data,
    };
    const text = style === "flow" ? `${JSON.stringify(object)}\n` : stringify(object);
    return (comment !== undefined ? `# ${comment}\n` : "") + text;
  });

function functionConfigText(config: unknown): string {
  return stringify(config ?? null);
}

// -------------------------------------------------------------------------------------------
// The properties

const generatedSample: KubeObject[] = [];
const seenGenerated = new Set<string>();
const binarySample: Array<{ input: string; outcome: Outcome }> = [];
const counts = { ok: 0, notOk: 0 };
const okOutputs: string[] = [];

function keepForLater(input: string, outcome: Outcome, generated: KubeObject[]): void {
  for (const o of generated) {
    const key = JSON.stringify(o);
    if (!seenGenerated.has(key) && generatedSample.length < 400) {
      seenGenerated.add(key);
      generatedSample.push(o);
    }
  }
  if (outcome.ok && okOutputs.length < 150 && counts.ok % 5 === 0) okOutputs.push(outcome.output);
  const bucket = binarySample.filter((s) => s.outcome.ok === outcome.ok).length;
  if (bucket < 20 && (counts.ok + counts.notOk) % 37 === 0) binarySample.push({ input, outcome });
}

/** The checks every ResourceList whose structure is readable must pass. */
function checkReadable(itemTexts: string[], functionConfig: unknown): void {
  const input = resourceList(functionConfigText(functionConfig), itemTexts);
  let outcome: Outcome;
  try {
    outcome = processResourceList(input);
  } catch (e) {
    throw new Error(`processResourceList threw ${(e as Error).stack}\non input:\n${input}`, { cause: e });
  }
  // An empty list is written `items: []` unless generated objects follow.
  const itemsText =
    itemTexts.length === 0 ? (outcome.ok ? "items:\n" : "items: []\n") : `items:\n${itemTexts.map(asItem).join("")}`;
  // The input items, byte for byte, first and in order.
  expect(outcome.output.startsWith(HEADER + itemsText)).toBe(true);
  const parsed = parseOutput(outcome.output);
  const generated = generatedItems(parsed.items);
  if (outcome.ok) {
    counts.ok++;
    expect(outcome.results.filter((r) => r.severity === "error")).toEqual([]);
    expect(parsed.items.length).toBe(itemTexts.length + generated.length);
    expect(generated.length).toBeGreaterThan(0);
  } else {
    counts.notOk++;
    const errors = outcome.results.filter((r) => r.severity === "error");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((r) => typeof r.field?.path === "string" && r.field.path.length > 0)).toBe(true);
    expect(parsed.results.filter((r) => (r.severity ?? "error") === "error").length).toBe(errors.length);
    expect(generated).toEqual([]);
    expect(parsed.items.length).toBe(itemTexts.length);
  }
  keepForLater(input, outcome, generated);
}

const property = (arb: fc.Arbitrary<unknown>) =>
  fc.property(fc.array(userItem, { maxLength: 3 }), arb, (items, config) => {
    checkReadable(items, config);
  });

describe("fuzzed configs through processResourceList", () => {
  /** Runs a property and checks that its own runs reached both outcomes at least `min` times. */
  const assertCovering = (
    arb: fc.Arbitrary<unknown>,
    params: fc.Parameters<[string[], unknown]>,
    min: { ok: number; notOk: number },
  ) => {
    const before = { ...counts };
    fc.assert(property(arb), params);
    expect(counts.ok - before.ok).toBeGreaterThan(atLeast(min.ok));
    expect(counts.notOk - before.notOk).toBeGreaterThan(atLeast(min.notOk));
  };

  test("structured configs (mostly valid)", () => {
    assertCovering(structuredConfig, { seed: SEED, numRuns: runs(800) }, { ok: 200, notOk: 0 });
  });

  test("mutated configs: fields dropped, renamed, retyped, replaced by odd and template strings", () => {
    assertCovering(mutatedConfig, { seed: SEED + 1, numRuns: runs(2500) }, { ok: 0, notOk: 1000 });
  });

  test("ConfigMap configs (kpt's key=value form)", () => {
    fc.assert(property(configMapConfig), { seed: SEED + 2, numRuns: runs(500) });
  });

  test("functionConfig of any shape and kind", () => {
    const any = fc.oneof(
      randomValue,
      fc.record(
        {
          apiVersion: randomString,
          kind: fc.constantFrom("MlflowConfig", "ConfigMap", "Kptfile", "Other"),
          metadata: randomValue,
          spec: randomValue,
        },
        opt,
      ),
    );
    fc.assert(property(any), { seed: SEED + 3, numRuns: runs(500) });
  });
});

describe("fuzzed ResourceList text", () => {
  const base = resourceList(readFileSync(join(ROOT, "examples/seed/mlflow-config.yaml"), "utf8"), [
    "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: 0755\n",
    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: [1, 2, {a: b}]\n",
  ]);
  type Edit = { at: number; del: number; insert: string };
  const edit: fc.Arbitrary<Edit> = fc.record({
    at: fc.nat(),
    del: fc.nat({ max: 12 }),
    insert: fc.oneof(
      randomString,
      fc.constantFrom(
        "\n",
        "- ",
        ": ",
        "  ",
        "{",
        "}",
        "[",
        "]",
        "&x ",
        "*x",
        "---\n",
        "%YAML 1.1\n",
        '"',
        "'",
        "|\n",
        ">-\n",
        "? ",
        "!!str ",
        "#",
      ),
    ),
  });

  test("random edits of a valid ResourceList never throw, and errors are results", () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = base;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.del);
        }
        let outcome: Outcome;
        try {
          outcome = processResourceList(text);
        } catch (e) {
          throw new Error(`processResourceList threw ${(e as Error).stack}\non input:\n${text}`, { cause: e });
        }
        const parsed = parseOutput(outcome.output); // always a ResourceList
        if (outcome.ok) {
          expect(generatedItems(parsed.items).length).toBeGreaterThan(0);
        } else {
          expect(outcome.results.some((r) => r.severity === "error" && r.message.length > 0)).toBe(true);
          expect(generatedItems(parsed.items)).toEqual([]);
        }
        if (binarySample.length < 50 && edits[0].at % 41 === 0) binarySample.push({ input: text, outcome });
      }),
      { seed: SEED + 4, numRuns: runs(1500) },
    );
  });
});

describe("samples", () => {
  test("generated objects from the fuzzed runs pass their upstream schemas", async () => {
    expect(generatedSample.length).toBeGreaterThan(atLeast(50));
    // kinds that have appeared at least once must include the core set
    const kinds = new Set(generatedSample.map((o) => String(o.kind)));
    for (const k of ["Namespace", "ServiceAccount", "SecretStore", "ExternalSecret", "Application", "Deployment"])
      expect(kinds).toContain(k);
    expect(await allSchemaErrors(generatedSample)).toEqual([]);
  });

  test("the binary: exit 0 or 1 as processResourceList says, the same stdout, no stack trace", () => {
    requireFile(DIST, "run `npm run build` first");
    expect(binarySample.length).toBeGreaterThan(30);
    for (const { input, outcome } of binarySample) {
      // The binary reads UTF-8: compare with what processResourceList makes of the same bytes.
      const bytes = Buffer.from(input, "utf8");
      const expected = bytes.toString("utf8") === input ? outcome : processResourceList(bytes.toString("utf8"));
      const r = spawnSync(process.execPath, [DIST], { input: bytes, encoding: "utf8", timeout: 60_000 });
      expect({ status: r.status, signal: r.signal }).toEqual({ status: expected.ok ? 0 : 1, signal: null });
      expect(r.stdout).toBe(expected.output);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toMatch(/internal error/);
      if (!expected.ok) expect(r.stderr).toMatch(/^error: /m);
    }
  });
});

test("generated objects read the same to YAML 1.1 and 1.2 readers (kyaml, kubectl, Argo CD)", () => {
  expect(okOutputs.length).toBeGreaterThan(atLeast(50));
  for (const output of okOutputs) {
    const as11 = generatedItems((parseDocument(output, { version: "1.1" }).toJS() as { items: KubeObject[] }).items);
    const as12 = generatedItems(parseOutput(output).items);
    expect(as11).toEqual(as12);
  }
});
