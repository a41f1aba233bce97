/**
 * The Application's sync, through a model of Argo CD v3.3 to v3.5 read from its source
 * (test/helpers/argocd-sync-model.ts): a changed Secret Manager id reaches the live
 * ExternalSecret, and the remoteRef fields ESO defaults never show as OutOfSync. The same
 * scenario with RespectIgnoreDifferences=true (v0.1's Application) keeps the old id and stays
 * OutOfSync, which is why the Application does not set it.
 */
import type { MlflowConfig } from "../function/config/types.js";
import { ESO_DEFAULTED_REMOTE_REF_FIELDS } from "../function/resources/argocd.js";
import {
  applyMergePatch,
  createMergePatch,
  jqDelete,
  outOfSync,
  sync,
  type ApplicationModel,
  type Json,
  type LiveState,
} from "./helpers/argocd-sync-model.js";
import { find, render, withServer } from "./helpers/server.js";

type JsonObject = { [key: string]: Json };

const ARGOCD = { repoURL: "https://github.com/example/mlops.git" };
const config = (user: string, connection = "zenml-mlflow-db-connection"): MlflowConfig =>
  withServer({}, { argocd: ARGOCD, database: { secrets: { user, connection } } });
const rendered = (c: MlflowConfig) => render(c);
const externalSecret = (c: MlflowConfig) => find(rendered(c), "ExternalSecret") as unknown as JsonObject;
const application = (c: MlflowConfig): ApplicationModel => {
  const app = find(rendered(c), "Application");
  return { ignoreDifferences: app.spec.ignoreDifferences, syncOptions: app.spec.syncPolicy.syncOptions };
};
/** v0.1's Application: the same, with RespectIgnoreDifferences=true. */
const withRespect = (app: ApplicationModel): ApplicationModel => ({
  ...app,
  syncOptions: [...app.syncOptions, "RespectIgnoreDifferences=true"],
});

/** What the API server and ESO write into every remoteRef: the defaults some ESO release has written. */
const ESO_WRITES: Record<(typeof ESO_DEFAULTED_REMOTE_REF_FIELDS)[number], string> = {
  conversionStrategy: "Default",
  decodingStrategy: "None",
  metadataPolicy: "None",
  nullBytePolicy: "Ignore",
};
function admit(o: JsonObject): JsonObject {
  const out = JSON.parse(JSON.stringify(o)) as any;
  for (const item of out.spec.data) item.remoteRef = { ...ESO_WRITES, ...item.remoteRef };
  return out;
}
const keys = (live: LiveState) =>
  (live.object as any).spec.data.map(
    (d: any) => `${d.secretKey}=${d.remoteRef.key}${d.remoteRef.property ? `.${d.remoteRef.property}` : ""}`,
  );

describe("the model reads Argo CD's merge patches the way Argo CD does", () => {
  test("a JSON merge patch replaces a list whole and removes a field with null", () => {
    expect(createMergePatch({ a: [{ x: 1, y: 2 }], b: 1, c: { d: 1 } }, { a: [{ x: 1 }], c: { d: 1 } })).toEqual({
      a: [{ x: 1 }],
      b: null,
    });
    expect(applyMergePatch({ a: [{ x: 1, y: 2 }], b: 1 }, { a: [{ x: 3 }], b: null })).toEqual({ a: [{ x: 3 }] });
  });

  test("jq del() of a field in every list item, skipping a missing list", () => {
    expect(jqDelete({ spec: { data: [{ r: { k: 1, n: 2 } }, { r: { k: 3 } }] } }, ".spec.data[]?.r.n")).toEqual({
      spec: { data: [{ r: { k: 1 } }, { r: { k: 3 } }] },
    });
    expect(jqDelete({ spec: {} }, ".spec.data[]?.r.n")).toEqual({ spec: {} });
  });

  test("RespectIgnoreDifferences keeps an ignored map field at its live value (what it is for)", () => {
    const app: ApplicationModel = {
      ignoreDifferences: [
        { group: "external-secrets.io", kind: "ExternalSecret", jqPathExpressions: [".spec.refreshInterval"] },
      ],
      syncOptions: ["RespectIgnoreDifferences=true"],
    };
    const target = externalSecret(config("u"));
    const live = sync(
      app,
      undefined,
      target,
      (o) => applyMergePatch(o, { spec: { refreshInterval: "5m" } }) as JsonObject,
    );
    expect((sync(app, live, target, (o) => o).object as any).spec.refreshInterval).toBe("5m");
  });
});

describe.each([
  ["applied with kubectl apply (three-way diff)", (s: LiveState) => s],
  ["without a last-applied configuration (two-way diff)", (s: LiveState) => ({ object: s.object })],
])("the ExternalSecret %s", (_name, view) => {
  const before = externalSecret(config("zenml-mlflow-db-user"));
  const after = externalSecret(config("zenml-mlflow-db-user-v2", "zenml-mlflow-db-connection-v2"));
  const app = application(config("zenml-mlflow-db-user"));

  test("the fields ESO defaults do not show as OutOfSync", () => {
    const live = sync(app, undefined, before, admit);
    for (const field of ESO_DEFAULTED_REMOTE_REF_FIELDS)
      expect([field, (live.object as any).spec.data[0].remoteRef[field]]).toEqual([field, ESO_WRITES[field]]);
    expect(outOfSync(app, view(live), before)).toBe(false);
  });

  test("a changed secret id and connection secret show as OutOfSync, and the sync applies them", () => {
    const live = view(sync(app, undefined, before, admit));
    expect(outOfSync(app, live, after)).toBe(true);
    const synced = sync(app, live, after, admit);
    expect(keys(synced)).toEqual([
      "username=zenml-mlflow-db-user-v2",
      "password=zenml-mlflow-db-password",
      "host=zenml-mlflow-db-connection-v2.host",
      "port=zenml-mlflow-db-connection-v2.port",
      "database=zenml-mlflow-db-connection-v2.database",
    ]);
    expect(outOfSync(app, synced, after)).toBe(false);
  });

  test("with RespectIgnoreDifferences=true (v0.1): the live list is applied, the change never arrives", () => {
    const old = withRespect(app);
    const live = view(sync(old, undefined, before, admit));
    let state = sync(old, live, after, admit);
    state = sync(old, state, after, admit); // self-heal tries again, with the same outcome
    expect(keys(state)[0]).toBe("username=zenml-mlflow-db-user");
    expect(outOfSync(old, state, after)).toBe(true);
  });
});
