/**
 * buildAll runs the registry's modules (registry.ts), in order. Each builder is a pure
 * function of the resolved config.
 *
 * Builders may hand out what they did not create, and use one value twice: parts of the
 * resolved config (the server's and the proxy's resources), module constants (the /tmp volume
 * mount, in the Deployment and the migration Job), one label selector in both topology spread
 * constraints. buildAll therefore returns a JSON copy of everything it built, the one
 * defensive copy (no builder copies on its own account):
 * - every object is a tree of its own: no sub-object is shared by two fields or two objects,
 *   so the YAML emitter never sees one object twice (it would fall back to anchors and
 *   aliases), and a caller that changes one object changes neither another nor the config;
 * - fields a builder left undefined are dropped, so an object equals its own YAML read back
 *   (the upsert's comparison with existing items relies on it).
 */
import type { ResolvedConfig } from "../config/types.js";
import { MANAGED_BY } from "../config/defaults.js";
import type { KubeObject } from "../krm/resource-list.js";
import { isObject } from "../krm/resource-list.js";
import { argocd } from "./argocd.js";
import { gcp } from "./gcp/index.js";
import { defaultDeny } from "./default-deny.js";
import { identity } from "./identity.js";
import { rbac } from "./rbac.js";
import type { ResourceModule } from "./registry.js";
import { groupOf } from "./registry.js";
import { secrets } from "./secrets.js";
import { server } from "./server/index.js";

/** Every family, in the order its objects are emitted. */
export const MODULES: readonly ResourceModule[] = [identity, gcp, rbac, secrets, defaultDeny, server, argocd];

/** Every kind the function can generate, as "group/kind" ("" is the core group). */
const OWNED_KINDS = new Set(MODULES.flatMap((m) => m.owns.map((o) => `${groupOf(o.apiVersion)}/${o.kind}`)));

export function buildAll(config: ResolvedConfig): KubeObject[] {
  const modules = config.argocd?.applicationOnly ? [argocd] : MODULES;
  const objects = modules.flatMap((m) => m.build(config));
  return JSON.parse(JSON.stringify(objects.filter((o) => o !== undefined))) as KubeObject[];
}

/** Whether `o` carries this instance's managed-by and instance labels: the first test of ownedBy. */
export function carriesInstanceLabels(o: KubeObject, config: ResolvedConfig): boolean {
  const md = isObject(o.metadata) ? o.metadata : {};
  const labels = isObject(md.labels) ? md.labels : {};
  return labels["app.kubernetes.io/managed-by"] === MANAGED_BY && labels["app.kubernetes.io/instance"] === config.name;
}

/**
 * Which objects belong to this instance, so that stale ones can be pruned: those with its
 * managed-by and instance labels in its namespace (or its Config Connector namespace), its
 * Namespace, and Applications that deploy into its namespace. Instances that share a name in
 * different namespaces (one package's dev and prod, say) therefore never prune each other's
 * objects. Only kinds a module of the registry declares are ever pruned.
 */
export function ownedBy(config: ResolvedConfig): (o: KubeObject) => boolean {
  return (o) => {
    const md = isObject(o.metadata) ? o.metadata : {};
    if (!OWNED_KINDS.has(`${groupOf(String(o.apiVersion ?? ""))}/${String(o.kind)}`)) return false;
    if (!carriesInstanceLabels(o, config)) return false;
    if (o.kind === "Namespace") return md.name === config.namespace;
    if (o.kind === "Application") {
      const spec = isObject(o.spec) ? o.spec : {};
      return isObject(spec.destination) && spec.destination.namespace === config.namespace;
    }
    return md.namespace === config.namespace || md.namespace === config.gcp.configConnector?.namespace;
  };
}

/** The labels that make an object the instance's, in words (for the error on one it does not own). */
export function ownerLabels(config: ResolvedConfig): string {
  return `labels app.kubernetes.io/managed-by: ${MANAGED_BY} and app.kubernetes.io/instance: ${config.name}`;
}
