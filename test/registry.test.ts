/**
 * The registry of resources (function/resources/registry.ts) is what pruning, the AppProject and
 * the docs derive from, so it must describe what the modules really build: every object a
 * module returns for any golden config is a kind that module declares, with the declared API
 * version, scope, sync wave and component.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { resolve } from "../function/config/defaults.js";
import type { MlflowConfig } from "../function/config/types.js";
import { validateConfig } from "../function/config/validate.js";
import type { KubeObject } from "../function/krm/resource-list.js";
import { buildAll, MODULES, ownedBy } from "../function/resources/index.js";
import { declaredWave, type OwnedKind } from "../function/resources/registry.js";
import { ROOT } from "./helpers/paths.js";

const GOLDEN = join(ROOT, "test/golden");
const configs = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({
    name: d.name,
    config: parse(readFileSync(join(GOLDEN, d.name, "config.yaml"), "utf8")) as MlflowConfig,
  }))
  .filter(({ config }) => config.kind === "MlflowConfig" && validateConfig(config).config !== undefined);

/** `wave` is the one declared for the config (registry.ts, declaredWave). */
function check(o: KubeObject, owned: OwnedKind, wave: string | undefined): string[] {
  const md = o.metadata as {
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const problems: string[] = [];
  if (o.apiVersion !== owned.apiVersion)
    problems.push(`apiVersion ${String(o.apiVersion)}, declared ${owned.apiVersion}`);
  if ((owned.scope === "Cluster") !== (md.namespace === undefined))
    problems.push(`scope ${owned.scope}, namespace ${md.namespace}`);
  if (md.annotations?.["argocd.argoproj.io/sync-wave"] !== wave)
    problems.push(`wave ${md.annotations?.["argocd.argoproj.io/sync-wave"]}, declared ${wave}`);
  if (md.labels?.["app.kubernetes.io/component"] !== owned.component)
    problems.push(`component ${md.labels?.["app.kubernetes.io/component"]}, declared ${owned.component}`);
  return problems;
}

test("there are configs to check the registry against", () => {
  expect(configs.length).toBeGreaterThanOrEqual(5);
});

describe.each(configs)("golden config $name", ({ config }) => {
  const resolved = resolve(config);
  test.each(MODULES.map((m) => [m.family, m] as const))(
    "module %s builds only what it declares, as declared",
    (_family, m) => {
      const built = m.build(resolved).filter((o): o is KubeObject => o !== undefined);
      for (const o of built) {
        const owned = m.owns.find((d) => d.kind === o.kind);
        const problems = owned ? check(o, owned, declaredWave(owned, resolved)) : ["not declared"];
        expect({ kind: o.kind, problems }).toEqual({ kind: o.kind, problems: [] });
      }
    },
  );
  test("every generated object is one the instance owns (so it can be pruned when stale)", () => {
    const owns = ownedBy(resolved);
    expect(
      buildAll(resolved)
        .filter((o) => !owns(o))
        .map((o) => `${String(o.kind)}/${String(o.metadata?.name)}`),
    ).toEqual([]);
  });
});

test("the check catches an undeclared wave or component", () => {
  const [first] = MODULES[0].owns;
  const object = {
    apiVersion: first.apiVersion,
    kind: first.kind,
    metadata: {
      labels: { "app.kubernetes.io/component": "rbac" },
      annotations: { "argocd.argoproj.io/sync-wave": "7" },
    },
  };
  const wave = declaredWave(first, resolve(configs[0].config));
  expect(check(object, first, wave)).toEqual([
    `wave 7, declared ${String(first.wave)}`,
    `component rbac, declared ${first.component}`,
  ]);
});

test("pruning never touches a kind no module declares, even with the instance's labels", () => {
  const resolved = resolve(configs[0].config);
  const labels = { "app.kubernetes.io/managed-by": "mlflow-infra", "app.kubernetes.io/instance": resolved.name };
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "x", namespace: resolved.namespace, labels },
  };
  const serviceAccount = { ...configMap, kind: "ServiceAccount" };
  expect(ownedBy(resolved)(configMap)).toBe(false);
  expect(ownedBy(resolved)(serviceAccount)).toBe(true);
});
