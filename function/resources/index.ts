/**
 * All builders, in the order the objects are emitted. Each builder is a pure function of
 * the resolved config.
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
import { buildApplication } from "./argocd.js";
import { buildDefaultDenyNetworkPolicy } from "./default-deny.js";
import { buildNamespace, buildSecretStoreServiceAccount, buildServiceAccount } from "./identity.js";
import { buildSecretReader, buildTokenRequester } from "./rbac.js";
import { buildDatabaseExternalSecret, buildSecretStore } from "./secrets.js";
import { buildServer } from "./server/index.js";

export function buildAll(config: ResolvedConfig): KubeObject[] {
  const objects: (object | undefined)[] = config.argocd?.applicationOnly
    ? [buildApplication(config)]
    : [
        buildNamespace(config),
        buildServiceAccount(config),
        buildSecretStoreServiceAccount(config),
        ...buildSecretReader(config),
        ...buildTokenRequester(config),
        buildSecretStore(config),
        buildDatabaseExternalSecret(config),
        buildDefaultDenyNetworkPolicy(config),
        ...buildServer(config),
        buildApplication(config),
      ];
  return JSON.parse(JSON.stringify(objects.filter((o): o is KubeObject => o !== undefined))) as KubeObject[];
}

/**
 * Which objects belong to this instance, so that stale ones can be pruned: those with its
 * managed-by and instance labels in its namespace, its Namespace, and Applications that
 * deploy into its namespace. Instances that share a name in different namespaces (one
 * package's dev and prod, say) therefore never prune each other's objects.
 */
export function ownedBy(config: ResolvedConfig): (o: KubeObject) => boolean {
  return (o) => {
    const md = isObject(o.metadata) ? o.metadata : {};
    const labels = isObject(md.labels) ? md.labels : {};
    if (labels["app.kubernetes.io/managed-by"] !== MANAGED_BY || labels["app.kubernetes.io/instance"] !== config.name) return false;
    if (o.kind === "Namespace") return md.name === config.namespace;
    if (o.kind === "Application") {
      const spec = isObject(o.spec) ? o.spec : {};
      return isObject(spec.destination) && spec.destination.namespace === config.namespace;
    }
    return md.namespace === config.namespace;
  };
}

/** The labels that make an object the instance's, in words (for the error on one it does not own). */
export function ownerLabels(config: ResolvedConfig): string {
  return `labels app.kubernetes.io/managed-by: ${MANAGED_BY} and app.kubernetes.io/instance: ${config.name}`;
}
