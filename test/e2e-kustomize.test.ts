/**
 * End to end with kustomize (v5.5.0, the one in kubectl here): builds the function image from
 * this Dockerfile with podman, tags it with the name the committed files use, and runs
 * `kubectl kustomize --enable-alpha-plugins` on base/, overlays/dev, overlays/prod and the root
 * through the podman `docker` shim, exactly as README.md tells a user to.
 *
 * - The image: runs as 65534 with no network, a read-only root and no capabilities; holds only
 *   the single executable (its entrypoint) and the libraries it links, no node; its size is the
 *   one README.md states.
 * - The overlays change the function's input (checked on the generator configs alone), and the
 *   rendered outputs differ from base/ exactly where those inputs say: every changed field is
 *   explained by a changed input, and every changed input shows in the output.
 * - The root renders only the two Argo CD Applications, derived from the overlays' inputs, ready
 *   for Argo CD: each deploys deploy/argocd/overlays/<env> through the mlflow-infra Config
 *   Management Plugin (test/argocd.test.ts runs that plugin's generate command on them).
 * - Every rendered object validates against the upstream schemas (CRDs in shared/schemas/crds,
 *   kubernetes-models for core kinds).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { mlflowConfigSchema } from "../function/config/schema.js";
import type { KubeObject } from "../function/krm/resource-list.js";
import { parseStream, resourceList } from "./helpers/krm.js";
import { DIST, ROOT } from "./helpers/paths.js";
import { allSchemaErrors } from "./helpers/schemas.js";
import {
  buildImage,
  diffObjects,
  diffValues,
  objectId,
  requireTools,
  run,
  toolEnv,
  type BuiltImage,
  type FieldChange,
} from "./helpers/e2e.js";

const DIRS = ["base", "overlays/dev", "overlays/prod", "."] as const;
type Dir = (typeof DIRS)[number];
const ENVS = ["dev", "prod"] as const;

/** What each overlay changes in the function's input, relative to base/generator. */
const DECLARED_INPUT_CHANGES: Record<(typeof ENVS)[number], string[]> = {
  dev: [
    "spec.externalSecrets.refreshInterval",
    "spec.gcp.projectId",
    "spec.labels.environment",
    "spec.namespace",
    "spec.server.replicas",
    "spec.server.resources.limits.memory",
    "spec.server.resources.requests.cpu",
    "spec.server.resources.requests.memory",
  ],
  prod: [
    "spec.externalSecrets.refreshInterval",
    "spec.labels.environment",
    "spec.namespace",
    "spec.server.autoscaling.maxReplicas",
    "spec.server.autoscaling.minReplicas",
    "spec.server.replicas",
    "spec.server.resources.limits.memory",
    "spec.server.resources.requests.cpu",
    "spec.server.resources.requests.memory",
  ],
};

let built: BuiltImage;
const rendered = {} as Record<Dir, KubeObject[]>;

function kustomize(dir: string, env = toolEnv()) {
  return run("kubectl", ["kustomize", "--enable-alpha-plugins", dir], { cwd: ROOT, env });
}

const configs = new Map<string, KubeObject>();
/** The MlflowConfig a generator sub-kustomization hands to the function (no function runs). */
function generatorConfig(dir: string): KubeObject {
  if (!configs.has(dir)) {
    const objects = parseStream(kustomize(dir).stdout);
    expect(objects.map((o) => o.kind)).toEqual(["MlflowConfig"]);
    configs.set(dir, objects[0]);
  }
  return configs.get(dir)!;
}

/** The schema's default for a dotted spec path ("spec.server.replicas"), if it has one. */
function schemaDefault(path: string): unknown {
  let node: Record<string, unknown> | undefined = mlflowConfigSchema as unknown as Record<string, unknown>;
  let fromDefault: unknown;
  for (const seg of path.split(".")) {
    if (fromDefault !== undefined) {
      fromDefault = (fromDefault as Record<string, unknown> | undefined)?.[seg];
      continue;
    }
    node = (node?.properties as Record<string, Record<string, unknown>> | undefined)?.[seg];
    if (node && "default" in node) fromDefault = node.default;
  }
  return fromDefault;
}

/** `value` shows `input`: equal, or (for strings of 3+ characters) contains it. */
function shows(value: unknown, input: unknown): boolean {
  if (value === undefined || input === undefined) return false;
  if (typeof input === "number") return value === input || value === String(input);
  const s = String(input);
  return typeof value === "string" && (value === s || (s.length >= 3 && value.includes(s)));
}

function isServerObject(o: KubeObject): boolean {
  return (
    (o.metadata?.labels as Record<string, string> | undefined)?.["app.kubernetes.io/component"] === "tracking-server"
  );
}

/** The overlay's input changes that should show in the output (not those set to their default). */
function inputChanges(env: (typeof ENVS)[number]): FieldChange[] {
  return diffValues(generatorConfig("base/generator"), generatorConfig(`overlays/${env}/generator`)).filter(
    (c) => JSON.stringify(c.old ?? schemaDefault(c.path)) !== JSON.stringify(c.new),
  );
}

/**
 * Compares an overlay's output with base's against the overlay's input changes:
 * - unexplained: output changes that show no changed input's value (and, where the input had
 *   one, its old value). The server's size also shapes its workload beyond the numbers (an HPA
 *   instead of spec.replicas, spreading constraints for several replicas), so inside the
 *   tracking server's objects a spec field, or a whole object, may change with any spec.server
 *   input;
 * - missing: input changes whose value shows nowhere in the output.
 */
function compareToInputs(base: KubeObject[], overlay: KubeObject[], inputs: FieldChange[]) {
  const diff = diffObjects(base, overlay);
  const explains = (c: FieldChange, change: FieldChange) =>
    shows(change.new, c.new) && (change.old === undefined || c.old === undefined || shows(change.old, c.old));
  const resized = inputs.some((c) => c.path.startsWith("spec.server."));
  const unexplained: string[] = [];
  const shown = new Set<string>();
  for (const d of diff.changed) {
    for (const change of d.changes) {
      const by = inputs.filter((c) => explains(c, change));
      by.forEach((c) => shown.add(c.path));
      const shaped = resized && isServerObject(d.b) && change.path.startsWith("spec.");
      if (by.length === 0 && !shaped)
        unexplained.push(`${d.id} ${change.path}: ${JSON.stringify(change.old)} -> ${JSON.stringify(change.new)}`);
    }
  }
  for (const o of [...diff.onlyA, ...diff.onlyB]) {
    if (!(resized && isServerObject(o)))
      unexplained.push(`${objectId(o)} only in ${diff.onlyA.includes(o) ? "base" : "the overlay"}`);
  }
  for (const o of diff.onlyB)
    for (const c of inputs) if (diffValues({}, o).some((f) => shows(f.new, c.new))) shown.add(c.path);
  // The server's inputs can show only where the function renders the server (a build of the
  // function from before the server builder accepts spec.server and renders nothing for it).
  const rendersServer = base.some(isServerObject);
  const missing = inputs
    .filter((c) => !shown.has(c.path) && (rendersServer || !c.path.startsWith("spec.server.")))
    .map((c) => c.path);
  return { unexplained, missing, shown: [...shown] };
}

beforeAll(() => {
  requireTools(["podman", "kubectl", "docker", "flock"]);
  built = buildImage();
  for (const dir of DIRS) {
    const r = kustomize(dir);
    rendered[dir] = parseStream(r.stdout);
  }
});

describe("the function image", () => {
  test("runs as uid 65534 with the single executable as its entrypoint, no volumes, no ports", () => {
    const config = JSON.parse(
      run("podman", ["image", "inspect", "--format", "{{json .Config}}", built.image]).stdout,
    ) as Record<string, unknown>;
    expect(config.User).toMatch(/^65534(:65534)?$/);
    expect(config.Entrypoint).toEqual(["/function/mlflow-infra"]);
    expect(config.Cmd ?? []).toEqual([]);
    expect(config.WorkingDir).toBe("/");
    expect(config.Volumes ?? {}).toEqual({});
    expect(config.ExposedPorts ?? {}).toEqual({});
  });

  test("works as `nobody` with no network, a read-only root and no capabilities, byte for byte like dist/", () => {
    const input = resourceList(readFileSync(join(ROOT, "examples/seed/mlflow-config.yaml"), "utf8"));
    const locked = run(
      "podman",
      [
        "run",
        "--rm",
        "-i",
        "--network",
        "none",
        "--user",
        "nobody",
        "--read-only",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        built.image,
      ],
      { input },
    );
    const local = run("node", [DIST], { input });
    expect(locked.stdout).toBe(local.stdout);
    expect(parseStream(locked.stdout)[0].kind).toBe("ResourceList");
  });

  test("holds only what runs the function: the single executable, no node, npm, node_modules, sources or shell", () => {
    const id = run("podman", ["create", built.image]).stdout.trim();
    let files: string[];
    const dir = mkdtempSync(join(tmpdir(), "mlflow-infra-image-"));
    try {
      run("sh", ["-c", `podman export ${id} | tar -x -C '${dir}' function/mlflow-infra`]);
      files = run("sh", ["-c", `podman export ${id} | tar -t`])
        .stdout.split("\n")
        .filter(Boolean)
        .map((f) => f.replace(/^\.\//, ""));
      // /function holds the executable dist/mlflow-infra-sea, byte for byte, and nothing else.
      expect(
        readFileSync(join(dir, "function/mlflow-infra")).equals(readFileSync(join(ROOT, "dist/mlflow-infra-sea"))),
      ).toBe(true);
    } finally {
      run("podman", ["rm", id]);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(files.filter((f) => f.startsWith("function/") && !f.endsWith("/"))).toEqual(["function/mlflow-infra"]);
    const unwanted = files.filter((f) =>
      new RegExp(
        "(^|/)(node|nodejs|npm|npx|corepack|node_modules|package\\.json|package-lock\\.json" +
          "|sh|bash|dash|busybox)(/|$)|\\.(ts|js|cjs|mjs)$|(^|/)(src|function/(config|krm|resources))/",
      ).test(f),
    );
    expect(unwanted).toEqual([]);
  });

  test("is the size docs/kustomize.md states (within 10%)", () => {
    const readme = readFileSync(join(ROOT, "docs/kustomize.md"), "utf8");
    const stated = readme.match(/function image (?:built here )?(?:is|measures) \*\*(\d+(?:\.\d+)?) MB\*\*/);
    expect(stated).not.toBeNull();
    const mb = built.bytes / 1e6;
    const message = `docs/kustomize.md states ${stated![1]} MB, the image built now is ${mb.toFixed(1)} MB: update it`;
    expect({ withinTenPercent: Math.abs(mb - Number(stated![1])) <= 0.1 * mb, message }).toEqual({
      withinTenPercent: true,
      message,
    });
  });
});

describe("kustomize build --enable-alpha-plugins", () => {
  test("runs the container with --network none, --user nobody and nothing mounted", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-infra-docker-log-"));
    try {
      const log = join(dir, "args.log");
      const shim = join(ROOT, ".cache/bin/docker");
      writeFileSync(
        join(dir, "docker"),
        `#!/bin/sh\nprintf '%s\\n' "$@" >> '${log}'\nprintf '%s\\n' '--' >> '${log}'\nexec '${shim}' "$@"\n`,
      );
      chmodSync(join(dir, "docker"), 0o755);
      const env = toolEnv();
      kustomize("base", { ...env, PATH: `${dir}:${env.PATH}` });
      const runs = readFileSync(log, "utf8")
        .split("--\n")
        .filter((r) => r.includes("run\n"));
      expect(runs.length).toBe(1);
      const args = runs[0].trim().split("\n");
      const pair = (flag: string) => args[args.indexOf(flag) + 1];
      expect(pair("--network")).toBe("none");
      expect(pair("--user")).toBe("nobody");
      expect(args).toContain("--security-opt=no-new-privileges");
      expect(args.filter((a) => /^(-v|--volume|--mount|--privileged|--cap-add)/.test(a))).toEqual([]);
      expect(args[args.length - 1]).toBe(built.image);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(DIRS)("%s renders, and every object validates against the upstream schemas", async (dir) => {
    const objects = rendered[dir];
    expect(objects.length).toBeGreaterThan(0);
    expect(await allSchemaErrors(objects)).toEqual([]);
    // The generator config is local-config and kustomize drops it; no function bookkeeping leaks.
    expect(objects.filter((o) => o.kind === "MlflowConfig")).toEqual([]);
    const leaked = objects.flatMap((o) =>
      Object.keys((o.metadata?.annotations as object | undefined) ?? {})
        .filter((k) => /config\.kubernetes\.io\/|config\.k8s\.io\//.test(k))
        .map((k) => `${objectId(o)}: ${k}`),
    );
    expect(leaked).toEqual([]);
  });

  test("base and the overlays render the instance, no Application (it would deploy itself)", () => {
    for (const dir of ["base", "overlays/dev", "overlays/prod"] as const) {
      const kinds = rendered[dir].map((o) => o.kind);
      expect(kinds).toEqual(expect.arrayContaining(["Namespace", "ServiceAccount", "SecretStore", "ExternalSecret"]));
      expect(kinds).not.toContain("Application");
    }
  });

  test.each(ENVS)("overlays/%s changes exactly its declared inputs of the function, nothing else", (env) => {
    const changes = diffValues(generatorConfig("base/generator"), generatorConfig(`overlays/${env}/generator`));
    expect(changes.map((c) => c.path)).toEqual(DECLARED_INPUT_CHANGES[env]);
  });

  test.each(ENVS)("overlays/%s's output differs from base's exactly where its inputs do", (env) => {
    const { unexplained, missing, shown } = compareToInputs(
      rendered.base,
      rendered[`overlays/${env}`],
      inputChanges(env),
    );
    expect(unexplained).toEqual([]);
    expect(missing).toEqual([]);
    expect(shown).toEqual(
      expect.arrayContaining(["spec.namespace", "spec.labels.environment", "spec.externalSecrets.refreshInterval"]),
    );
  });

  test("that comparison fails on a change no input explains and on an input that does not show", () => {
    const dev = structuredClone(rendered["overlays/dev"]);
    const sa = dev.find((o) => o.kind === "ServiceAccount")!;
    (sa.metadata!.labels as Record<string, string>).team = "someone-else";
    dev.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "stray", namespace: "mlflow-dev" } });
    const { unexplained } = compareToInputs(rendered.base, dev, inputChanges("dev"));
    expect(unexplained).toEqual([
      `v1 ServiceAccount mlflow-dev/mlflow metadata.labels.team: "ml-platform" -> "someone-else"`,
      "v1 ConfigMap mlflow-dev/stray only in the overlay",
    ]);
    const { missing } = compareToInputs(rendered.base, rendered["overlays/dev"], inputChanges("prod"));
    expect(missing).toEqual(expect.arrayContaining(["spec.labels.environment", "spec.namespace"]));
  });

  test("dev and prod can live side by side: no two objects share an identity", () => {
    const ids = [...rendered["overlays/dev"], ...rendered["overlays/prod"]].map(objectId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });
});

test("docs/kustomize.md shows the commands this file runs", () => {
  const readme = readFileSync(join(ROOT, "docs/kustomize.md"), "utf8");
  expect(readme).toContain(
    `scripts/container/build-image.sh --local && podman tag localhost/mlflow-infra:dev ${built.image}`,
  );
  for (const dir of DIRS)
    expect(readme).toMatch(new RegExp(`^kubectl kustomize --enable-alpha-plugins ${dir.replace(".", "\\.")}\\s`, "m"));
});

describe("the root kustomization (app of apps)", () => {
  const apps = () =>
    Object.fromEntries(
      ENVS.map((env) => [env, rendered["."].find((o) => o.metadata?.name === `mlflow-${env}`)!]),
    ) as Record<(typeof ENVS)[number], KubeObject>;

  test("renders exactly the dev and prod Applications", () => {
    expect(
      rendered["."]
        .map(
          (o) =>
            `${String(o.apiVersion)} ${String(o.kind)} ${String(o.metadata?.namespace)}/${String(o.metadata?.name)}`,
        )
        .sort(),
    ).toEqual([
      "argoproj.io/v1alpha1 Application argocd/mlflow-dev",
      "argoproj.io/v1alpha1 Application argocd/mlflow-prod",
    ]);
  });

  test.each(ENVS)(
    "mlflow-%s: sync wave 3, automated, CreateNamespace, the plugin, pointing at its overlay's namespace " +
      "and at the overlay's exec-based copy",
    (env) => {
      const app = apps()[env] as KubeObject & { spec: Record<string, any> };
      expect((app.metadata?.annotations as Record<string, string>)["argocd.argoproj.io/sync-wave"]).toBe("3");
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(app.spec.syncPolicy.syncOptions).toContain("CreateNamespace=true");
      // overlays/<env> runs the function's container, which Argo CD's repo-server cannot; its copy
      // under deploy/argocd runs the single executable, in the plugin the Application names.
      expect(app.spec.source.path).toBe(`deploy/argocd/overlays/${env}`);
      expect(existsSync(join(ROOT, app.spec.source.path, "kustomization.yaml"))).toBe(true);
      const plugin = parse(readFileSync(join(ROOT, "deploy/argocd/cmp/plugin.yaml"), "utf8")) as {
        metadata: { name: string };
      };
      expect(app.spec.source.plugin).toEqual({ name: plugin.metadata.name });
      const appProject = parse(readFileSync(join(ROOT, "deploy/argocd/apps/appproject.yaml"), "utf8")) as {
        metadata: { name: string };
      };
      expect(app.spec.project).toBe(appProject.metadata.name);
      // Derived from the overlay's own input: the namespace its output lives in, its labels.
      const overlay = rendered[`overlays/${env}`];
      const namespace = overlay.find((o) => o.kind === "Namespace")!;
      expect(app.spec.destination.namespace).toBe(namespace.metadata?.name);
      expect((app.metadata?.labels as Record<string, string>).environment).toBe(
        (namespace.metadata?.labels as Record<string, string>).environment,
      );
      const repo = parse(readFileSync(join(ROOT, "base/application/kustomization.yaml"), "utf8")).patches[0]
        .patch as string;
      expect(repo).toContain(`repoURL: ${String(app.spec.source.repoURL)}`);
    },
  );

  test("the two Applications differ only in name, environment label, destination and path", () => {
    const { dev, prod } = apps();
    expect(diffValues(dev, prod).map((c) => c.path)).toEqual([
      "metadata.labels.environment",
      "metadata.name",
      "spec.destination.namespace",
      "spec.source.path",
    ]);
  });
});
