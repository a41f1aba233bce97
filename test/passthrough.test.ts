/**
 * Passthrough: every input item, and the functionConfig, comes back byte for byte, however
 * it is written (a no-op function on the kpt-functions SDK rewrote 0755 to 493, 1.0 to 1 and
 * an unquoted date to a timestamp); a second run changes nothing; generated objects are
 * upserted (kept, replaced in place, added with a file path, or pruned).
 */
import { parseDocument, stringify } from "yaml";
import { processResourceList } from "../function/processor.js";
import type { KubeObject } from "../function/krm/resource-list.js";
import { toYamlStream } from "../function/krm/yaml.js";
import { asItem, documents, generatedItems, parseOutput, resourceList } from "./helpers/krm.js";

const HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
const PATH = "internal.config.kubernetes.io/path";
const LEGACY_PATH = "config.kubernetes.io/path";

const CONFIG = `# The instance's configuration (kpt: the Kptfile's configPath).
apiVersion: mlflow-infra.dev/v1alpha1
kind: MlflowConfig
metadata:
  name: mlflow   # the instance
  annotations:
    config.kubernetes.io/local-config: "true"
    internal.config.kubernetes.io/path: mlflow-config.yaml
    internal.config.kubernetes.io/id: '7'
    config.k8s.io/id: '7'
spec:
  stack: zenml
  gcp: {projectId: zenml-470505}   # flow style
  labels:
    cost-centre: "0755"
  # a comment at the end of the config
`;

const LONG_PLAIN = `${"a plain string that goes on ".repeat(10)}end`;
const LONG_SINGLE = `${"it''s single quoted and long ".repeat(9)}end`;
const LONG_DOUBLE = `${'double \\"quoted\\" with escapes \\t '.repeat(8)}end`;

/** Items written the ways people and tools write YAML. */
const TRICKY: Record<string, string> = {
  comments: `# leading comment
# second leading comment

apiVersion: v1 # trailing
kind: ConfigMap
metadata:
  # inside a mapping
  name: comments
data:
  a: "1"   # after a quoted value
    # more indented than usual
  b: two
# a comment at the end of the item
`,
  "numbers, dates and booleans that YAML 1.1 and 1.2 read differently": `apiVersion: v1
kind: ConfigMap
metadata:
  name: scalars
data:
  octal: 0755
  octal12: 0o755
  hex: 0x1F
  float: 1.0
  exp: 1e3
  half: .5
  plus: +1
  underscore: 1_000
  sexagesimal: 1:20
  date: 2024-01-01
  timestamp: 2001-12-14t21:59:43.10-05:00
  yes: yes
  no: no
  on: on
  off: off
  y: y
  N: N
  True: True
  tilde: ~
  null: null
  empty:
  infinity: .inf
  notanumber: .NaN
`,
  "long strings": `apiVersion: v1
kind: ConfigMap
metadata:
  name: long
  annotations:
    plain: ${LONG_PLAIN}
    single: '${LONG_SINGLE}'
    double: "${LONG_DOUBLE}"
data:
  folded-by-a-writer: this line was folded by a YAML writer at eighty columns and
    continues here, as a plain multi-line scalar
`,
  "anchors, aliases and merge keys": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: anchors
  labels: &labels
    app: web
    tier: front
spec:
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels:
        <<: *labels
        extra: "1"
    spec:
      containers:
        - &container
          name: web
          image: nginx:1.27
        - <<: *container
          name: sidecar
`,
  "block literal and folded strings": `apiVersion: v1
kind: ConfigMap
metadata:
  name: blocks
data:
  literal: |
    line one
      indented line

    after a blank line
  strip: |-
    no trailing newline
  keep: |+
    trailing newlines kept


  folded: >
    folded text
    on several lines

    new paragraph
  folded-strip: >-
    folded
    stripped
  indicator: |2
      starts with spaces
`,
  "non-ASCII": `apiVersion: v1
kind: ConfigMap
metadata:
  name: unicode
  annotations:
    description: "Café, naïve, Straße, 東京, Ελληνικά, ✓ 🚀"
data:
  plain: crème brûlée 🍮
  escaped: "\\u00e9\\u00e8 \\U0001F680"
  ключ: значение
`,
  "flow mappings and sequences": `apiVersion: v1
kind: Service
metadata: {name: flow, labels: {app: web, "quoted key": 'v'}}
spec:
  ports: [{port: 80, targetPort: 8080}, {port: 443, targetPort: 8443, name: "https"}]
  selector: {app: web}
  externalIPs: [
    10.0.0.1,
    10.0.0.2,
  ]
`,
  "4-space indentation": `apiVersion: v1
kind: ConfigMap
metadata:
    name: four-spaces
    labels:
        app: web
data:
    key: value
    list:
        -   one
        -   two
`,
  "quoted keys and complex keys": `apiVersion: v1
kind: ConfigMap
"metadata":
  'name': quoted-keys
data:
  "key with spaces": v
  'single': v
  "0755": octal-looking key
  ? explicit key
  : explicit value
`,
  "empty maps and lists": `apiVersion: v1
kind: ConfigMap
metadata:
  name: empties
  labels: {}
  annotations: {}
data: {}
binaryData:
immutable: false
finalizers: []
`,
  tags: `apiVersion: v1
kind: ConfigMap
metadata:
  name: tags
data:
  str: !!str 0755
  local: !custom value
  set: !!set {a, b}
`,
  "kpt's internal annotations": `apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: package
  annotations:
    config.kubernetes.io/local-config: "true"
    internal.config.kubernetes.io/path: Kptfile
    internal.config.kubernetes.io/index: '0'
    internal.config.kubernetes.io/id: '1'
    config.k8s.io/id: '1'
    internal.config.kubernetes.io/annotations-migration-resource-id: '1'
    internal.config.k8s.io/kpt-resource-id: "1"
pipeline:
  mutators:
    - exec: ./dist/mlflow-infra
      configPath: mlflow-config.yaml
`,
  "trailing spaces and a document-end-like line": `apiVersion: v1
kind: ConfigMap
metadata:
  name: spaces   
data:
  text: "--- not a document marker"
  dots: "..."
`,
};

const ALL = Object.values(TRICKY);

function run(input: string) {
  const outcome = processResourceList(input);
  return { outcome, parsed: parseOutput(outcome.output) };
}

/** Results describe one run; the items and the functionConfig are what kpt writes back. */
function withoutResults(output: string): string {
  return output.split(/^results:\n/m)[0];
}

function annotations(o: KubeObject): Record<string, string> {
  return (o.metadata?.annotations ?? {}) as Record<string, string>;
}

describe("tricky items come back byte for byte", () => {
  test.each(Object.entries(TRICKY))("%s", (_name, text) => {
    expect(parseDocument(text).errors).toEqual([]); // the fixture itself is valid YAML
    const input = resourceList(CONFIG, [text]);
    const { outcome } = run(input);
    expect(outcome.results.filter((r) => r.severity === "error")).toEqual([]);
    expect(outcome.output.startsWith(`${HEADER}items:\n${asItem(text)}`)).toBe(true);
  });

  test("all of them together, in order, with the functionConfig unchanged", () => {
    const input = resourceList(CONFIG, ALL);
    const { outcome, parsed } = run(input);
    expect(outcome.ok).toBe(true);
    expect(outcome.output.startsWith(`${HEADER}items:\n${ALL.map(asItem).join("")}`)).toBe(true);
    const fcBlock = input.slice(input.indexOf("functionConfig:\n"));
    expect(outcome.output).toContain(fcBlock);
    expect(generatedItems(parsed.items).length).toBeGreaterThan(0);
  });

  test("the values the function read are not the values it wrote: 0755 stays 0755 in the output text", () => {
    const { outcome } = run(
      resourceList(CONFIG, [TRICKY["numbers, dates and booleans that YAML 1.1 and 1.2 read differently"]]),
    );
    for (const s of ["octal: 0755", "float: 1.0", "date: 2024-01-01", "yes: yes", "on: on", "underscore: 1_000"])
      expect(outcome.output).toContain(`  ${s}\n`);
  });

  test("a second run gives identical items and functionConfig", () => {
    const first = run(resourceList(CONFIG, ALL)).outcome;
    const second = run(first.output).outcome;
    expect(second.ok).toBe(true);
    expect(withoutResults(second.output)).toBe(withoutResults(first.output));
    const third = run(second.output).outcome;
    expect(third.output).toBe(second.output);
  });

  test("items indented under items: with two spaces keep their bytes; generated items line up with them", () => {
    const indented = (t: string) => asItem(t).replace(/^(?=.)/gm, "  ");
    const items = [TRICKY.comments, TRICKY["block literal and folded strings"], TRICKY["4-space indentation"]];
    const config = CONFIG.replace(/^(?=.)/gm, "  ");
    const input = `${HEADER}items:\n${items.map(indented).join("")}functionConfig:\n${config}`;
    const { outcome, parsed } = run(input);
    expect(outcome.ok).toBe(true);
    expect(
      outcome.output.startsWith(
        `${HEADER}items:\n${items.map(indented).join("")}  - apiVersion: v1\n    kind: Namespace\n`,
      ),
    ).toBe(true);
    expect(parsed.items).toHaveLength(items.length + generatedItems(parsed.items).length);
    expect(withoutResults(run(outcome.output).outcome.output)).toBe(withoutResults(outcome.output));
  });

  test("a first item whose `-` line has a comment with a `-` in it: generated items line up with the list", () => {
    // The item's value starts on the next line; the list's column is that of its first `-`, not the comment's.
    const item = "  - # a - b\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: x\n";
    const config = CONFIG.replace(/^(?=.)/gm, "  ");
    const input = `${HEADER}items:\n${item}functionConfig:\n${config}`;
    for (const scan of [true, false]) {
      const outcome = processResourceList(input, { scan });
      expect(outcome.ok).toBe(true);
      expect(outcome.output.startsWith(`${HEADER}items:\n${item}  - apiVersion: v1\n    kind: Namespace\n`)).toBe(true);
    }
  });

  test("Windows line ends (CRLF) in the input are kept in the items", () => {
    const text = TRICKY["numbers, dates and booleans that YAML 1.1 and 1.2 read differently"].replace(/\n/g, "\r\n");
    const input = resourceList(CONFIG, [TRICKY.comments])
      .replace(/\n/g, "\r\n")
      .replace("items:\r\n", `items:\r\n${asItem(text).replace(/\r?\n/g, "\r\n")}`);
    const { outcome } = run(input);
    expect(outcome.ok).toBe(true);
    expect(outcome.output).toContain(asItem(text).replace(/\r?\n/g, "\r\n"));
    expect(withoutResults(run(outcome.output).outcome.output)).toBe(withoutResults(outcome.output));
  });

  test("an empty items list and an item that is an empty map", () => {
    const empty = run(resourceList(CONFIG, [])).outcome;
    expect(empty.ok).toBe(true);
    const { outcome } = run(
      `${HEADER}items:\n- {}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: ` +
        `x}\nfunctionConfig:\n${CONFIG.replace(/^(?=.)/gm, "  ")}`,
    );
    expect(outcome.ok).toBe(true);
    expect(
      outcome.output.startsWith(
        `${HEADER}items:\n- {}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n- apiVersion: v1\n`,
      ),
    ).toBe(true);
  });

  test(
    "a flow (JSON) ResourceList: each item keeps its text and values (1.0, 0755), the output is a valid " +
      "ResourceList",
    () => {
      const json =
        `{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",\n "items": ` +
        `[{"apiVersion": "v1", "kind": "ConfigMap",\n   "metadata": {"name": "x"}, "data": {"v": 1.0, ` +
        `"mode": 0755}}],\n "functionConfig": {"apiVersion": "mlflow-infra.dev/v1alpha1", "kind": ` +
        `"MlflowConfig", "metadata": {"name": "mlflow"},\n   "spec": {"stack": "zenml", "gcp": ` +
        `{"projectId": "zenml-470505"}}}}\n`;
      const { outcome, parsed } = run(json);
      expect(outcome.ok).toBe(true);
      expect(outcome.output).toContain(
        `- {"apiVersion": "v1", "kind": "ConfigMap",\n     "metadata": {"name": "x"}, "data": {"v": 1.0, ` +
          `"mode": 0755}}\n`,
      );
      expect(parsed.functionConfig?.kind).toBe("MlflowConfig");
      expect(parsed.items[0]).toEqual(parseDocument(json).toJS().items[0]);
      expect(generatedItems(parsed.items).length).toBeGreaterThan(0);
      expect(withoutResults(run(outcome.output).outcome.output)).toBe(withoutResults(outcome.output));
    },
  );
});

describe("upsert of generated objects", () => {
  const USER = "# mine\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: user-settings\ndata:\n  mode: 0755\n";
  const seedRun = run(resourceList(CONFIG, [USER]));
  const generated = generatedItems(seedRun.parsed.items);
  const find = (items: KubeObject[], kind: string) => items.find((o) => o.kind === kind)!;

  test("new objects get internal.config.kubernetes.io/path and config.kubernetes.io/path, equal and unique", () => {
    expect(generated.length).toBeGreaterThan(3);
    const paths = generated.map((o) => annotations(o)[PATH]);
    for (const o of generated) {
      expect(annotations(o)[PATH]).toMatch(/^mlflow\/[a-z]+_[a-z0-9-]+\.yaml$/);
      expect(annotations(o)[LEGACY_PATH]).toBe(annotations(o)[PATH]);
    }
    expect(new Set(paths).size).toBe(paths.length);
  });

  test("an existing object equal to the generated one keeps its bytes, however it is written", () => {
    const ns = find(generated, "Namespace");
    const labels = ns.metadata!.labels as Record<string, string>;
    // Same content as generated, written by hand: comments, flow style, other key order, own file.
    const text = `# the namespace, reformatted by a human
kind: Namespace
apiVersion: v1
metadata:
  annotations: {argocd.argoproj.io/sync-wave: "0", ${PATH}: custom/ns.yaml, ${LEGACY_PATH}: custom/ns.yaml}
  name: mlflow
  labels: ${JSON.stringify(labels)}
`;
    const { outcome, parsed } = run(resourceList(CONFIG, [USER, text]));
    expect(outcome.ok).toBe(true);
    expect(outcome.output.startsWith(`${HEADER}items:\n${asItem(USER)}${asItem(text)}`)).toBe(true);
    expect(parsed.items.filter((o) => o.kind === "Namespace")).toHaveLength(1);
  });

  /** The labels that make an item the instance's (resources/index.ts ownedBy). */
  const labelled = (instance: string, managedBy: string) =>
    `  labels:\n    app.kubernetes.io/instance: ${instance}\n    app.kubernetes.io/managed-by: ${managedBy}\n`;
  const OWNED_LABELS = labelled("mlflow", "mlflow-infra");
  /** The start of a ServiceAccount item with the generated one's identity, up to its labels. */
  const serviceAccount = (labels: string) =>
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: mlflow\n  namespace: mlflow\n${labels}`;

  test("an existing object that differs is replaced in place and keeps its file", () => {
    const old = `${serviceAccount(OWNED_LABELS)}  annotations:
    iam.gke.io/gcp-service-account: old@zenml-470505.iam.gserviceaccount.com
    ${PATH}: custom/sa.yaml
    ${LEGACY_PATH}: custom/sa.yaml
    internal.config.kubernetes.io/index: '0'
    config.k8s.io/id: '3'
`;
    const AFTER = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after\n";
    const { outcome, parsed } = run(resourceList(CONFIG, [USER, old, AFTER]));
    expect(outcome.ok).toBe(true);
    expect(parsed.items.map((o) => `${o.kind}/${o.metadata?.name}`).slice(0, 3)).toEqual([
      "ConfigMap/user-settings",
      "ServiceAccount/mlflow",
      "ConfigMap/after",
    ]);
    const sa = parsed.items[1];
    expect(sa).toEqual({
      ...find(generated, "ServiceAccount"),
      metadata: {
        ...find(generated, "ServiceAccount").metadata,
        annotations: {
          ...annotations(find(generated, "ServiceAccount")),
          [PATH]: "custom/sa.yaml",
          [LEGACY_PATH]: "custom/sa.yaml",
          "internal.config.kubernetes.io/index": "0",
          "config.k8s.io/id": "3",
        },
      },
    });
    expect(parsed.items.filter((o) => o.kind === "ServiceAccount")).toHaveLength(1);
    expect(outcome.output.startsWith(`${HEADER}items:\n${asItem(USER)}`)).toBe(true);
    expect(outcome.output).toContain(asItem(AFTER));
  });

  test.each([
    ["unlabelled (the user's own, hardened)", ""],
    ["another instance's", labelled("other", "mlflow-infra")],
    ["managed by another tool", labelled("mlflow", "Helm")],
  ])("an existing object the instance does not own is never replaced: %s", (_name, labels) => {
    const mine = `${serviceAccount(labels)}  annotations:
    iam.gke.io/gcp-service-account: hardened@zenml-470505.iam.gserviceaccount.com
    ${PATH}: hand/sa.yaml
automountServiceAccountToken: false
`;
    const { outcome, parsed } = run(resourceList(CONFIG, [USER, mine]));
    expect(outcome.ok).toBe(false);
    const errors = outcome.results.filter((r) => r.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      resourceRef: { apiVersion: "v1", kind: "ServiceAccount", name: "mlflow", namespace: "mlflow" },
      file: { path: "hand/sa.yaml" },
    });
    const { message } = errors[0];
    expect(message).toContain("ServiceAccount mlflow/mlflow in hand/sa.yaml exists and is not this instance's");
    expect(message).toContain("app.kubernetes.io/managed-by: mlflow-infra and app.kubernetes.io/instance: mlflow");
    // Nothing is generated, replaced or pruned: the items come back byte for byte.
    expect(outcome.output.startsWith(`${HEADER}items:\n${asItem(USER)}${asItem(mine)}functionConfig:\n`)).toBe(true);
    expect(parsed.items).toHaveLength(2);
  });

  test("stale objects of this instance are pruned; another instance's and unlabelled ones stay", () => {
    const owned = (instance: string, managedBy = "mlflow-infra") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${instance}-old-server-${managedBy.toLowerCase()}
  namespace: ${instance}
  labels:
    app.kubernetes.io/instance: ${instance}
    app.kubernetes.io/managed-by: ${managedBy}
spec: {}
`;
    const stale = owned("mlflow");
    const other = owned("other");
    const byHelm = owned("mlflow", "Helm");
    const { outcome, parsed } = run(resourceList(CONFIG, [USER, stale, other, byHelm]));
    expect(outcome.ok).toBe(true);
    const names = parsed.items.map((o) => o.metadata?.name);
    expect(names).not.toContain("mlflow-old-server-mlflow-infra");
    expect(outcome.output.startsWith(`${HEADER}items:\n${asItem(USER)}${asItem(other)}${asItem(byHelm)}`)).toBe(true);
    expect(outcome.results).toContainEqual(
      expect.objectContaining({
        severity: "info",
        message: expect.stringContaining("removed"),
        resourceRef: expect.objectContaining({ kind: "Deployment", name: "mlflow-old-server-mlflow-infra" }),
      }),
    );
  });

  test("an instance of the same name in another namespace is neither pruned nor overwritten", () => {
    // One package, two pipeline steps: the same instance name in team-a and team-b.
    const teamA = CONFIG.replace("spec:\n", "spec:\n  namespace: team-a\n");
    const teamB = CONFIG.replace("spec:\n", "spec:\n  namespace: team-b\n");
    expect(teamA).not.toBe(CONFIG);
    const first = run(resourceList(teamA, [USER]));
    const aItems = generatedItems(first.parsed.items);
    expect(aItems.length).toBeGreaterThan(0);
    const aTexts = documents(toYamlStream(aItems));
    const second = run(resourceList(teamB, [USER, ...aTexts]));
    expect(second.outcome.ok).toBe(true);
    expect(second.outcome.results.filter((r) => r.message.includes("removed"))).toEqual([]);
    // team-a's objects come back byte for byte, team-b's are added beside them, in their own files.
    expect(second.outcome.output.startsWith(`${HEADER}items:\n${asItem(USER)}${aTexts.map(asItem).join("")}`)).toBe(
      true,
    );
    const bItems = generatedItems(second.parsed.items).slice(aItems.length);
    expect(bItems.length).toBe(aItems.length);
    const paths = (items: typeof aItems) => items.map((o) => annotations(o)[PATH]);
    expect(paths(aItems).every((p) => p.startsWith("team-a/"))).toBe(true);
    expect(paths(bItems).every((p) => p.startsWith("team-b/"))).toBe(true);
  });

  test("an object of an older API version of the same group is replaced, not duplicated", () => {
    const old = `apiVersion: external-secrets.io/v1beta1
kind: SecretStore
metadata:
  name: mlflow-secret-store
  namespace: mlflow
${OWNED_LABELS}  annotations:
    ${PATH}: old/store.yaml
    ${LEGACY_PATH}: old/store.yaml
spec: {}
`;
    const { parsed } = run(resourceList(CONFIG, [old]));
    const stores = parsed.items.filter((o) => o.kind === "SecretStore");
    expect(stores.map((o) => o.apiVersion)).toEqual(["external-secrets.io/v1"]);
    expect(annotations(stores[0])[PATH]).toBe("old/store.yaml");
  });

  test("on error nothing is upserted or pruned", () => {
    const stale =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: stale\n  labels:\n    " +
      "app.kubernetes.io/instance: mlflow\n    app.kubernetes.io/managed-by: mlflow-infra\n";
    const bad = CONFIG.replace("projectId: zenml-470505", "projectId: X");
    const { outcome } = run(resourceList(bad, [USER, stale]));
    expect(outcome.ok).toBe(false);
    expect(outcome.output.startsWith(`${HEADER}items:\n${asItem(USER)}${asItem(stale)}functionConfig:\n`)).toBe(true);
  });

  test("generated objects are serialized so YAML 1.1 readers see the same strings", () => {
    const { parsed, outcome } = run(resourceList(CONFIG, []));
    const ns = find(generatedItems(parsed.items), "Namespace");
    expect((ns.metadata!.labels as Record<string, string>)["cost-centre"]).toBe("0755");
    expect(outcome.output).toContain('cost-centre: "0755"');
    expect(stringify({ a: "0755" }, { version: "1.1" })).toContain('"0755"');
  });
});
