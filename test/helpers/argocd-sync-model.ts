/**
 * A model of what Argo CD v3.3 to v3.5 does with a custom resource (a kind outside its client-go
 * scheme, so JSON merge patches throughout, which replace lists whole), read from
 * argoproj/argo-cd at v3.3.14, v3.4.7 and v3.5.1:
 *
 * - ignoreDifferences.jqPathExpressions: util/argo/normalizers/diff_normalizer.go runs
 *   `del(<expression>)` on the object (jqNormalizerPatch.Apply).
 * - The diff (gitops-engine/pkg/diff/diff.go, Diff): config, live and the last-applied
 *   configuration are normalized; with a last-applied configuration, ThreeWayDiff; without it,
 *   TwoWayDiff, which is ThreeWayDiff with the config as the last-applied one. ThreeWayDiff for a
 *   custom resource (threeWayMergePatch): live minus the fields the last-applied configuration
 *   lacks (pkg/utils/json RemoveMapFields / RemoveListFields), a three-way JSON merge patch
 *   (k8s.io/apimachinery jsonmergepatch.CreateThreeWayJSONMergePatch) applied to live; the
 *   resource is OutOfSync when that predicted live differs from live.
 * - The sync (controller/sync.go): with RespectIgnoreDifferences=true, normalizeTargetResources
 *   replaces each target that has a live object: the normalized live and target, the JSON merge
 *   patch from the normalized live to the live object (status removed), applied to the normalized
 *   target (getMergePatch / applyMergePatch without a versioned object), then
 *   restoreNonIgnoredFields (present in v3.3.14, v3.4.7 and v3.5.1; not in v3.3.0, where the
 *   outcome below is the same). Without the option, the target is applied as rendered.
 * - The apply (kubectl apply, client-side, the default): the three-way JSON merge patch of the
 *   last-applied configuration, the applied object and live, applied to live; the applied object
 *   becomes the last-applied configuration.
 *
 * Only what the tests need: objects, lists and scalars (JSON values), no strategic merge.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const clone = <T extends Json>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return a === b;
}

/** RFC 7386 merge patch from `original` to `modified` (evanphx/json-patch CreateMergePatch): lists replaced whole. */
export function createMergePatch(original: JsonObject, modified: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [k, v] of Object.entries(modified)) {
    const o = original[k];
    if (isObject(o) && isObject(v)) {
      const sub = createMergePatch(o, v);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!(k in original) || !deepEqual(o, v)) patch[k] = clone(v);
  }
  for (const k of Object.keys(original)) if (!(k in modified)) patch[k] = null;
  return patch;
}

/** RFC 7386 apply (evanphx/json-patch MergePatch). */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** keepOrDeleteNullInObj of k8s.io/apimachinery/pkg/util/jsonmergepatch: recurses into maps only. */
function nulls(patch: JsonObject, keep: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      if (keep) out[k] = null;
    } else if (isObject(v)) {
      const sub = nulls(v, keep);
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (!keep) out[k] = v;
  }
  return out;
}

/** jsonmergepatch.CreateThreeWayJSONMergePatch: additions and changes from current, deletions from original. */
export function threeWayMergePatch(original: JsonObject, modified: JsonObject, current: JsonObject): JsonObject {
  const addAndChange = nulls(createMergePatch(current, modified), false);
  const deletions = nulls(createMergePatch(original, modified), true);
  return applyMergePatch(deletions, addAndChange) as JsonObject;
}

/** gitops-engine pkg/utils/json RemoveMapFields: live without what config lacks (list items by index). */
function removeFields(config: Json, live: Json): Json {
  if (isObject(config) && isObject(live)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(config))
      if (k in live) out[k] = live[k] === null ? null : removeFields(v, live[k]);
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live))
    return live.map((v, i) => (i < config.length && v !== null ? removeFields(config[i], v) : v));
  return live;
}

/**
 * `del(expr)` for the jq path expressions the Application uses, of the form
 * `.a.b[]?.c.d` (a `[]?` iterates a list and skips a missing one).
 */
export function jqDelete(obj: JsonObject, expression: string): JsonObject {
  const steps = expression.match(/\.[A-Za-z_][A-Za-z0-9_]*|\[\]\??/g) ?? [];
  if (steps.join("") !== expression) throw new Error(`the model does not read the jq expression ${expression}`);
  const out = clone(obj);
  const walk = (v: Json | undefined, i: number): void => {
    if (v === undefined || v === null) return;
    const step = steps[i];
    if (step.startsWith("[")) {
      if (Array.isArray(v)) v.forEach((x) => walk(x, i + 1));
      return;
    }
    if (!isObject(v)) return;
    const key = step.slice(1);
    if (i === steps.length - 1) delete v[key];
    else walk(v[key], i + 1);
  };
  walk(out, 0);
  return out;
}

export interface IgnoreDifference {
  group?: string;
  kind: string;
  jqPathExpressions?: string[];
  jsonPointers?: string[];
}

export interface ApplicationModel {
  ignoreDifferences: IgnoreDifference[];
  syncOptions: string[];
}

function groupOf(o: JsonObject): string {
  const apiVersion = String(o.apiVersion);
  return apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
}

/** diff.Normalize with the Application's ignoreDifferences (jq expressions only). */
export function normalize(app: ApplicationModel, o: JsonObject): JsonObject {
  let out = clone(o);
  for (const d of app.ignoreDifferences) {
    if (d.kind !== o.kind || (d.group ?? "") !== groupOf(o)) continue;
    if (d.jsonPointers?.length) throw new Error("the model reads jqPathExpressions only");
    for (const e of d.jqPathExpressions ?? []) out = jqDelete(out, e);
  }
  return out;
}

/** controller/sync.go restoreNonIgnoredFields (v3.3.14, v3.4.7, v3.5.1). */
function restoreNonIgnoredFields(
  patched: JsonObject,
  original: JsonObject,
  normalizedTarget: JsonObject,
  normalizedLive: JsonObject | undefined,
): void {
  for (const [key, originalVal] of Object.entries(original)) {
    const inPatched = key in patched;
    const patchedVal = patched[key];
    const inNormalized = key in normalizedTarget;
    const normalizedVal = normalizedTarget[key];
    if (inPatched && isObject(patchedVal) && isObject(originalVal) && isObject(normalizedVal)) {
      const live = normalizedLive?.[key];
      restoreNonIgnoredFields(patchedVal, originalVal, normalizedVal, isObject(live) ? live : undefined);
      continue;
    }
    if (inNormalized && deepEqual(normalizedVal, originalVal) && (!inPatched || !deepEqual(patchedVal, originalVal)))
      patched[key] = clone(originalVal);
  }
  for (const key of Object.keys(patched)) {
    if (key in original) continue;
    if (normalizedLive && key in normalizedLive) delete patched[key];
  }
}

/** What a sync applies for one custom resource (controller/sync.go). */
export function targetToApply(app: ApplicationModel, live: JsonObject | undefined, target: JsonObject): JsonObject {
  if (!app.syncOptions.includes("RespectIgnoreDifferences=true") || live === undefined) return clone(target);
  const normalizedLive = normalize(app, live);
  const normalizedTarget = normalize(app, target);
  const withoutStatus = (o: JsonObject) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "status"));
  const livePatch = createMergePatch(withoutStatus(normalizedLive), withoutStatus(live));
  const patched = applyMergePatch(normalizedTarget, livePatch) as JsonObject;
  restoreNonIgnoredFields(patched, target, normalizedTarget, normalizedLive);
  return patched;
}

/** A live custom resource and its kubectl.kubernetes.io/last-applied-configuration. */
export interface LiveState {
  object: JsonObject;
  /** Absent when the object was not written by kubectl apply (then Argo CD's diff is two-way). */
  lastApplied?: JsonObject;
}

/**
 * One sync of one custom resource: what Argo CD applies, applied by kubectl apply (client-side),
 * then what the API server and the operator write into it (`admit`: CRD defaults, webhooks).
 */
export function sync(
  app: ApplicationModel,
  live: LiveState | undefined,
  target: JsonObject,
  admit: (o: JsonObject) => JsonObject,
): LiveState {
  const applied = targetToApply(app, live?.object, target);
  const next =
    live === undefined
      ? clone(applied)
      : (applyMergePatch(live.object, threeWayMergePatch(live.lastApplied ?? {}, applied, live.object)) as JsonObject);
  return { object: admit(next), lastApplied: applied };
}

/** Whether Argo CD shows the resource OutOfSync (client-side diff, gitops-engine diff.Diff). */
export function outOfSync(app: ApplicationModel, live: LiveState | undefined, target: JsonObject): boolean {
  if (live === undefined) return true;
  const config = normalize(app, target);
  const normalizedLive = normalize(app, live.object);
  const orig = live.lastApplied ? normalize(app, live.lastApplied) : config;
  const stripped = removeFields(orig, normalizedLive) as JsonObject;
  const predicted = applyMergePatch(normalizedLive, threeWayMergePatch(orig, config, stripped));
  return !deepEqual(predicted, normalizedLive);
}
