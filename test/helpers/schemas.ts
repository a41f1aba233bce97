/**
 * Validation of generated objects against the schemas clusters serve:
 * - custom resources against the openAPIV3Schema of the served version of the upstream
 *   CRDs in shared/schemas/crds (refused if that version is not served), made strict:
 *   a field the schema does not know is an error (the API server would silently prune it);
 * - BackendConfig (cloud.google.com/v1), which has no CRD file, against a strict schema
 *   transcribed from ingress-gce's Go types (backendconfig-schema.ts);
 * - core kinds against the kubernetes-models validators (upstream OpenAPI: patterns, required
 *   fields), which accept unknown fields, and strictly against the field set of the
 *   @kubernetes/client-node model of the kind (generated from the Kubernetes OpenAPI spec, each
 *   model with its attributeTypeMap), recursively: a field the model does not have is an error,
 *   as with the API server's strict field validation (kubectl --validate=strict, Argo CD's
 *   syncs), and so is a value of the wrong type.
 */
import * as models from "@kubernetes/client-node/dist/gen/models/all.js";
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

const crdValidators = new Map<string, { served: boolean; namespaced: boolean; validate?: ValidateFunction }>();
let loaded = false;

function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== "object" || schema === null) return schema;
  const s = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === "properties"
        ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strict(pv)]))
        : strict(v),
    ]),
  ) as Record<string, unknown>;
  if (s.properties && s.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"])
    s.additionalProperties = false;
  return s;
}

function loadCrds(): void {
  if (loaded) return;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const files = readdirSync(CRDS).filter((f) => f.endsWith(".yaml"));
  if (files.length === 0) throw new Error(`no CRDs found in ${CRDS}`);
  for (const f of files) {
    const crd = parse(readFileSync(join(CRDS, f), "utf8")) as {
      spec: { group: string; scope: string; names: { kind: string }; versions: CrdVersion[] };
    };
    for (const v of crd.spec.versions) {
      const key = `${crd.spec.group}/${v.name}|${crd.spec.names.kind}`;
      const schema = strict(v.schema.openAPIV3Schema) as Record<string, unknown>;
      // metadata is validated as ObjectMeta by the API server, not by the CRD schema.
      (schema.properties as Record<string, unknown>).metadata = { type: "object" };
      const namespaced = crd.spec.scope === "Namespaced";
      crdValidators.set(key, { served: v.served, namespaced, validate: v.served ? ajv.compile(schema) : undefined });
    }
  }
  // No CRD file is published for BackendConfig; its schema is transcribed from ingress-gce's Go types.
  const backendConfig = ajv.compile(BACKEND_CONFIG_SCHEMA);
  crdValidators.set("cloud.google.com/v1|BackendConfig", { served: true, namespaced: true, validate: backendConfig });
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

interface Attribute {
  baseName: string;
  type: string;
  format: string;
}
type Model = { getAttributeTypeMap(): Attribute[] };
const MODELS = models as unknown as Record<string, Model | undefined>;

/** The @kubernetes/client-node model of a core kind: apps/v1 Deployment -> V1Deployment. */
export function coreModelName(apiVersion: string, kind: string): string {
  const version = apiVersion.split("/").at(-1)!;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

/**
 * Strict check of `value` against a client-node type ("V1PodSpec", "Array<V1Container>",
 * "{ [key: string]: string; }", "string", "number" with format int32/int64, "IntOrString", ...).
 */
export function strictFieldErrors(value: unknown, type: string, path: string, out: string[] = []): string[] {
  if (value === null || value === undefined) return out; // an explicit null is an unset field
  const got = `${Array.isArray(value) ? "a list" : typeof value} ${JSON.stringify(value)}`;
  const wrong = (expected: string) => out.push(`${path}: must be ${expected}, got ${got}`);
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) wrong("a list");
    else value.forEach((v, i) => strictFieldErrors(v, array[1], `${path}[${i}]`, out));
  } else if (map) {
    if (typeof value !== "object" || Array.isArray(value)) wrong("a map");
    else for (const [k, v] of Object.entries(value)) strictFieldErrors(v, map[1], `${path}[${JSON.stringify(k)}]`, out);
  } else if (type === "string" || type === "Date") {
    if (typeof value !== "string") wrong("a string");
  } else if (type === "number") {
    if (typeof value !== "number") wrong("a number");
  } else if (type === "integer" || type === "int32" || type === "int64") {
    if (!Number.isInteger(value)) wrong("an integer");
  } else if (type === "boolean") {
    if (typeof value !== "boolean") wrong("true or false");
  } else if (type === "IntOrString") {
    if (typeof value !== "string" && !Number.isInteger(value)) wrong("an integer or a string");
  } else if (type !== "any") {
    const model = MODELS[type];
    if (!model) out.push(`${path}: no @kubernetes/client-node model ${type}`);
    else if (typeof value !== "object" || Array.isArray(value)) wrong(`a mapping (${type})`);
    else {
      const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a]));
      for (const [k, v] of Object.entries(value)) {
        const a = attributes.get(k);
        if (!a) out.push(`${path}: unknown field "${k}" (${type} has ${[...attributes.keys()].join(", ")})`);
        else {
          const type = a.type === "number" && a.format.startsWith("int") ? a.format : a.type;
          strictFieldErrors(v, type, `${path}.${k}`, out);
        }
      }
    }
  }
  return out;
}

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
    const strict = strictFieldErrors(o, coreModelName(apiVersion, kind), kind).map((e) => `${id}: ${e}`);
    try {
      new Model(o).validate();
      return strict;
    } catch (e) {
      return [...strict, `${id}: ${(e as Error).message}`];
    }
  }
  loadCrds();
  const entry = crdValidators.get(`${apiVersion}|${kind}`);
  if (!entry) return [`${id}: no CRD for this apiVersion and kind in ${CRDS}`];
  if (!entry.served) return [`${id}: ${apiVersion} is not served by the CRD`];
  const meta = metadataErrors(id, o.metadata, entry.namespaced);
  if (entry.validate!(o)) return meta;
  return meta.concat(
    (entry.validate!.errors ?? []).map((e) => {
      const extra = e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : "";
      return `${id}: ${e.instancePath || "/"} ${e.message}${extra}`;
    }),
  );
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * What the API server checks of a custom resource's metadata, which its CRD schema leaves out
 * (apiextensions-apiserver validates it as ObjectMeta, the name as a DNS-1123 subdomain): the
 * name, the namespace as the CRD's scope wants it, string label and annotation values.
 */
function metadataErrors(id: string, md: Record<string, unknown> | undefined, namespaced: boolean): string[] {
  const errors: string[] = [];
  const name = md?.name;
  if (typeof name !== "string" || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    errors.push(`${id}: metadata.name must be a DNS-1123 subdomain`);
  }
  const namespace = md?.namespace;
  if (namespaced && (typeof namespace !== "string" || namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    errors.push(`${id}: metadata.namespace must be a DNS-1123 label (the CRD is namespaced)`);
  }
  if (!namespaced && namespace !== undefined) errors.push(`${id}: metadata.namespace is set on a cluster-scoped kind`);
  for (const field of ["labels", "annotations"]) {
    const map = md?.[field];
    if (map === undefined) continue;
    const bad = typeof map !== "object" || map === null || Object.values(map).some((v) => typeof v !== "string");
    if (bad) errors.push(`${id}: metadata.${field} must map strings to strings`);
  }
  return errors;
}

/** One object at a time: jest's ESM loader fails on concurrent imports of one module. */
export async function allSchemaErrors(objects: KubeObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const o of objects) errors.push(...(await schemaErrors(o)));
  return errors;
}
