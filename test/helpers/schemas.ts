/**
 * Validation of generated objects against the schemas clusters serve:
 * - custom resources against the openAPIV3Schema of the served version of the upstream
 *   CRDs in shared/schemas/crds (refused if that version is not served), made strict:
 *   a field the schema does not know is an error (the API server would silently prune it);
 * - BackendConfig (cloud.google.com/v1), which has no CRD file, against a strict schema
 *   transcribed from ingress-gce's Go types (backendconfig-schema.ts);
 * - core kinds against the kubernetes-models validators (upstream OpenAPI).
 */
import Ajv, { type ValidateFunction } from "ajv";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { KubeObject } from "../../function/krm/resource-list.js";
import { BACKEND_CONFIG_SCHEMA } from "./backendconfig-schema.js";
import { CRDS } from "./paths.js";

interface CrdVersion {
  name: string;
  served: boolean;
  schema: { openAPIV3Schema: Record<string, unknown> };
}

const crdValidators = new Map<string, { served: boolean; validate?: ValidateFunction }>();
let loaded = false;

function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== "object" || schema === null) return schema;
  const s = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strict(pv)])) : strict(v)])) as Record<string, unknown>;
  if (s.properties && s.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"]) s.additionalProperties = false;
  return s;
}

function loadCrds(): void {
  if (loaded) return;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const files = readdirSync(CRDS).filter((f) => f.endsWith(".yaml"));
  if (files.length === 0) throw new Error(`no CRDs found in ${CRDS}`);
  for (const f of files) {
    const crd = parse(readFileSync(join(CRDS, f), "utf8")) as { spec: { group: string; names: { kind: string }; versions: CrdVersion[] } };
    for (const v of crd.spec.versions) {
      const key = `${crd.spec.group}/${v.name}|${crd.spec.names.kind}`;
      const schema = strict(v.schema.openAPIV3Schema) as Record<string, unknown>;
      // metadata is validated as ObjectMeta by the API server, not by the CRD schema.
      (schema.properties as Record<string, unknown>).metadata = { type: "object" };
      crdValidators.set(key, { served: v.served, validate: v.served ? ajv.compile(schema) : undefined });
    }
  }
  // No CRD file is published for BackendConfig; its schema is transcribed from ingress-gce's Go types.
  const backendConfig = ajv.compile(BACKEND_CONFIG_SCHEMA);
  crdValidators.set("cloud.google.com/v1|BackendConfig", { served: true, validate: backendConfig });
  loaded = true;
}

const CORE_MODULES: Record<string, string> = {
  v1: "kubernetes-models/v1",
  "rbac.authorization.k8s.io/v1": "kubernetes-models/rbac.authorization.k8s.io/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
};

/** The problems of one object; empty when it is valid. */
export async function schemaErrors(o: KubeObject): Promise<string[]> {
  const apiVersion = String(o.apiVersion);
  const kind = String(o.kind);
  const id = `${apiVersion} ${kind} ${String(o.metadata?.name)}`;
  const coreModule = CORE_MODULES[apiVersion];
  if (coreModule) {
    const mod = (await import(coreModule)) as Record<string, new (d: unknown) => { validate(): void }>;
    const Model = mod[kind];
    if (!Model) return [`${id}: no kubernetes-models model for this kind`];
    try {
      new Model(o).validate();
      return [];
    } catch (e) {
      return [`${id}: ${(e as Error).message}`];
    }
  }
  loadCrds();
  const entry = crdValidators.get(`${apiVersion}|${kind}`);
  if (!entry) return [`${id}: no CRD for this apiVersion and kind in ${CRDS}`];
  if (!entry.served) return [`${id}: ${apiVersion} is not served by the CRD`];
  if (entry.validate!(o)) return [];
  return (entry.validate!.errors ?? []).map((e) => `${id}: ${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`);
}

/** One object at a time: jest's ESM loader fails on concurrent imports of one module. */
export async function allSchemaErrors(objects: KubeObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const o of objects) errors.push(...(await schemaErrors(o)));
  return errors;
}
