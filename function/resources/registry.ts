/**
 * The registry of resources: each family module (identity.ts, rbac.ts, secrets.ts,
 * server/index.ts, argocd.ts, ...) exports one ResourceModule that declares every kind it can
 * build (API group and version, scope, sync wave, component, what it is for) next to its
 * builder. Everything that must know the generated kinds derives from these declarations:
 * - buildAll (index.ts) runs the modules in registry order;
 * - pruning (ownedBy) only ever touches declared kinds;
 * - the AppProject's allowed kinds and the docs' table of generated objects are written from
 *   them by scripts/gen-docs.mjs (a test checks both are current);
 * - a test checks that every object a module builds is declared with that wave and component.
 * A new kind is therefore one module (declaration and builder), added to MODULES, plus goldens.
 */
import type { ResolvedConfig } from "../config/types.js";
import type { Component, SyncWave } from "./meta.js";

export interface OwnedKind {
  apiVersion: string;
  kind: string;
  /** Cluster-scoped kinds (Namespace) are listed in the AppProject's clusterResourceWhitelist. */
  scope: "Namespaced" | "Cluster";
  /** The argocd.argoproj.io/sync-wave it is applied in; "config" when spec.argocd.syncWave sets it. */
  wave: SyncWave | "config";
  component: Component;
  /** When it is generated and what it does: one line for the docs' table. */
  description: string;
}

export interface ResourceModule {
  /** The family, as in function/resources/<family>. */
  family: string;
  owns: readonly OwnedKind[];
  /** Pure: the objects of this family for the config (undefined entries are skipped). */
  build(config: ResolvedConfig): readonly (object | undefined)[];
}

/** group/kind, as Argo CD's AppProject and the upsert name a kind ("" for the core group). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
}
