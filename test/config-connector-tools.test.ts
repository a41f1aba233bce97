/**
 * The parts of spec.gcp.configConnector's tests that need tools beyond node (so `npm test` runs
 * them, `npm run test:unit` does not):
 * - test/golden/prod-config-connector's config is the prod overlay's, by `kubectl kustomize`;
 * - the ConfigConnectorContext health check deploy/argocd/cnrm-health puts in argocd-cm runs
 *   under lua5.1 as Argo CD runs it (helpers/lua.ts), on the context that golden generates.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEPLOY, find, kustomizeStream, yamlFile } from "./helpers/argocd.js";
import { parseOutput } from "./helpers/krm.js";
import { runHealthCheck } from "./helpers/lua.js";
import { ROOT } from "./helpers/paths.js";

const GOLDEN = join(ROOT, "test/golden/prod-config-connector");
const CNRM_HEALTH = "resource.customizations.health.core.cnrm.cloud.google.com_ConfigConnectorContext";
const cnrmHealthCheck: string = yamlFile(join(DEPLOY, "cnrm-health/argocd-cm.yaml")).data[CNRM_HEALTH];

test("the prod-config-connector golden is overlays/prod/generator's MlflowConfig plus configConnector", () => {
  const [prod] = kustomizeStream(join(ROOT, "overlays/prod/generator"));
  const golden = yamlFile(join(GOLDEN, "config.yaml"));
  const { configConnector, ...gcp } = golden.spec.gcp;
  expect(configConnector).toBeDefined();
  expect({ ...golden, spec: { ...golden.spec, gcp } }).toEqual(prod);
});

describe("the ConfigConnectorContext health check (deploy/argocd/cnrm-health), run with Lua 5.1", () => {
  const scratch = mkdtempSync(join(tmpdir(), "cnrm-health-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const context = find(
    parseOutput(readFileSync(join(GOLDEN, "expected.yaml"), "utf8")).items,
    "ConfigConnectorContext",
    "configconnectorcontext.",
  );
  /** The generated context as the API server holds it: generation 2, with a status. */
  const live = (status?: object) => ({
    ...structuredClone(context),
    metadata: { ...context.metadata, generation: 2 },
    ...(status ? { status } : {}),
  });
  const error =
    "error during reconciliation: googleServiceAccount cnrm-mlflow@zenml-470505.iam.gserviceaccount.com: 403";

  test.each([
    { when: "just created, no status", status: undefined, want: "Progressing" },
    {
      when: "reconciled, healthy",
      status: { healthy: true, errors: [], observedGeneration: 2 },
      want: "Healthy",
      message: "",
    },
    { when: "healthy, no observedGeneration", status: { healthy: true }, want: "Healthy", message: "" },
    { when: "healthy for an older generation", status: { healthy: true, observedGeneration: 1 }, want: "Progressing" },
    {
      when: "failed, with its error",
      status: { healthy: false, errors: [error], observedGeneration: 2 },
      want: "Degraded",
      message: error,
    },
    {
      when: "failed, no error",
      status: { healthy: false, observedGeneration: 2 },
      want: "Degraded",
      message: "ConfigConnectorContext is not healthy",
    },
  ])("$when: $want", ({ status, want, message }) => {
    const hs = runHealthCheck(scratch, cnrmHealthCheck, live(status));
    expect(hs.status).toBe(want);
    if (message !== undefined) expect(hs.message).toBe(message);
  });

  test("a check of the Ready condition alone (Argo CD v3.3.0 to v3.3.12) leaves a healthy context waiting", () => {
    const readyOnly = [
      'local hs = { status = "Progressing", message = "" }',
      "if obj.status ~= nil and obj.status.conditions ~= nil then",
      "  local i = 1",
      "  while obj.status.conditions[i] ~= nil do",
      "    local c = obj.status.conditions[i]",
      '    if c.type == "Ready" and c.status == "True" then hs.status = "Healthy" end',
      "    i = i + 1",
      "  end",
      "end",
      "return hs",
    ].join("\n");
    const healthy = live({ healthy: true, errors: [], observedGeneration: 2 });
    expect(runHealthCheck(scratch, readyOnly, healthy).status).toBe("Progressing");
    expect(runHealthCheck(scratch, cnrmHealthCheck, healthy).status).toBe("Healthy");
  });
});
