/**
 * Argo CD drift from ESO defaults, proved against the CRDs in ../shared/schemas/crds.
 *
 * The API server fills in a CRD's `default:` values on every write, and ESO releases have
 * defaulted remoteRef fields (conversionStrategy, decodingStrategy, metadataPolicy: the
 * defaults still visible in the CRD's older v1beta1 schema; nullBytePolicy = Ignore from
 * v2.3.0, external-secrets#6398). Argo CD's diff replaces lists whole, so a field defaulted
 * inside a list item (data[].remoteRef) shows as permanent OutOfSync; a default on a map field
 * is kept by the three-way merge. So:
 * 1. no CRD default may be missing inside a list item of what we emit;
 * 2. every remoteRef field that ESO may default is either emitted with the value ESO writes,
 *    or ignored by the Application's diff (ignoreDifferences; test/argocd-sync.test.ts shows why
 *    not RespectIgnoreDifferences);
 * 3. the defaults left to the API server on map fields are exactly the known ones, so a CRD
 *    update that adds one is noticed here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ESO_DEFAULTED_REMOTE_REF_FIELDS } from "../function/resources/argocd.js";
import { CRDS } from "./helpers/paths.js";
import { find, render, withServer, type Obj } from "./helpers/server.js";

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  default?: unknown;
  enum?: unknown[];
};
interface Missing {
  path: string;
  default: unknown;
  inListItem: boolean;
}

function crdVersions(file: string): Record<string, { served: boolean; schema: Schema }> {
  const crd = parse(readFileSync(join(CRDS, file), "utf8")) as {
    spec: { versions: Array<{ name: string; served: boolean; schema: { openAPIV3Schema: Schema } }> };
  };
  return Object.fromEntries(
    crd.spec.versions.map((v) => [v.name, { served: v.served, schema: v.schema.openAPIV3Schema }]),
  );
}

/** Fields with a CRD default that `value` leaves out while having their parent: the API server would add them. */
function missingDefaults(
  schema: Schema,
  value: unknown,
  path: string,
  inListItem: boolean,
  out: Missing[] = [],
): Missing[] {
  if (Array.isArray(value) && schema.items)
    value.forEach((v, i) => missingDefaults(schema.items!, v, `${path}[${i}]`, true, out));
  else if (value && typeof value === "object" && schema.properties) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined && sub.default !== undefined)
        out.push({ path: `${path}.${key}`, default: sub.default, inListItem });
      if (v !== undefined) missingDefaults(sub, v, `${path}.${key}`, inListItem, out);
    }
  }
  return out;
}

const ES = crdVersions("external-secrets.io_externalsecrets.yaml");
const STORE = crdVersions("external-secrets.io_secretstores.yaml");
const configs = {
  "with a cluster, the server and the proxy": withServer(
    { cloudSqlProxy: { instanceConnectionName: "zenml-470505:australia-southeast1:zenml-mysql" } },
    {
      gcp: { projectId: "zenml-470505", cluster: { name: "zenml", location: "australia-southeast1" } },
      argocd: { repoURL: "https://github.com/example/mlops.git" },
    },
  ),
  "the seed with an Application": withServer({}, { argocd: { repoURL: "https://github.com/example/mlops.git" } }),
};

describe.each(Object.entries(configs))("%s", (_name, config) => {
  const objects = render(config);
  const externalSecret = find(objects, "ExternalSecret");
  const store = find(objects, "SecretStore");
  const application = find(objects, "Application");
  const served = (versions: typeof ES, apiVersion: unknown) => {
    const v = versions[String(apiVersion).split("/")[1]];
    expect(v?.served).toBe(true);
    return v.schema;
  };

  test("no CRD default is left to the API server inside a list item (those drift)", () => {
    for (const [o, versions] of [
      [externalSecret, ES],
      [store, STORE],
    ] as Array<[Obj, typeof ES]>) {
      expect(
        missingDefaults(served(versions, o.apiVersion), o, String(o.kind), false).filter((m) => m.inListItem),
      ).toEqual([]);
    }
  });

  test("the defaults left to the API server on map fields are exactly the known ones", () => {
    expect(missingDefaults(served(ES, externalSecret.apiVersion), externalSecret, "ExternalSecret", false)).toEqual([]);
    expect(
      missingDefaults(served(STORE, store.apiVersion), store, "SecretStore", false).map((m) => [m.path, m.default]),
    ).toEqual([["SecretStore.spec.provider.gcpsm.secretVersionSelectionPolicy", "LatestOrFail"]]);
  });

  test("every remoteRef field ESO may default is emitted with ESO's value or ignored by the Application", () => {
    const remoteRef = served(ES, externalSecret.apiVersion).properties!.spec.properties!.data.items!.properties!
      .remoteRef.properties!;
    const historical = ES.v1beta1.schema.properties!.spec.properties!.data.items!.properties!.remoteRef.properties!;
    const ignored: string[] = application.spec.ignoreDifferences
      .filter((d: any) => d.group === "external-secrets.io" && d.kind === "ExternalSecret")
      .flatMap((d: any) => d.jqPathExpressions);
    const enumFields = Object.keys(remoteRef).filter((k) => remoteRef[k].enum);
    expect(enumFields.sort()).toEqual([...ESO_DEFAULTED_REMOTE_REF_FIELDS].sort());
    for (const field of enumFields) {
      const isIgnored = ignored.includes(`.spec.data[]?.remoteRef.${field}`);
      for (const item of externalSecret.spec.data) {
        const value = item.remoteRef[field];
        if (value === undefined) {
          expect([field, isIgnored]).toEqual([field, true]);
          continue;
        }
        expect(remoteRef[field].enum).toContain(value);
        // What ESO wrote back when the CRD defaulted it (the v1beta1 schema still carries those defaults).
        if (historical[field]?.default !== undefined)
          expect([field, value]).toEqual([field, historical[field].default]);
      }
    }
    // nullBytePolicy cannot be spelt out: ESO before v2.3.0 does not know it and prunes it (drift the other way).
    expect(externalSecret.spec.data.every((d: any) => d.remoteRef.nullBytePolicy === undefined)).toBe(true);
    expect(ignored).toContain(".spec.data[]?.remoteRef.nullBytePolicy");
  });

  test("the Application ignores them in the diff only, so that a sync applies the rendered spec.data", () => {
    expect(application.spec.syncPolicy.syncOptions).not.toContain("RespectIgnoreDifferences=true");
  });
});

test("the check sees a default dropped from a list item", () => {
  const es = structuredClone(find(render(configs["the seed with an Application"]), "ExternalSecret"));
  // A generatorRef's apiVersion is defaulted inside data[] items: leaving it out would drift.
  es.spec.data[0].sourceRef = { generatorRef: { kind: "Password", name: "x" } };
  const schema = ES.v1.schema;
  expect(missingDefaults(schema, es, "ExternalSecret", false)).toEqual([
    {
      path: "ExternalSecret.spec.data[0].sourceRef.generatorRef.apiVersion",
      default: "generators.external-secrets.io/v1alpha1",
      inListItem: true,
    },
  ]);
});
