/**
 * The Argo CD Application that deploys this instance: sync wave 3 (after the
 * external-secrets operator and cert-manager), automated sync with prune and self-heal,
 * CreateNamespace, and retries with backoff (the first sync can race the ESO webhook).
 */
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { ResolvedConfig } from "../config/types.js";
import { labels } from "./meta.js";

export function buildApplication(config: ResolvedConfig): IApplication | undefined {
  const argocd = config.argocd;
  if (!argocd) return undefined;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: config.names.application,
      namespace: argocd.namespace,
      labels: labels(config, "gitops"),
      annotations: { "argocd.argoproj.io/sync-wave": String(argocd.syncWave) },
      finalizers: ["resources-finalizer.argocd.argoproj.io"],
    },
    spec: {
      project: argocd.project,
      source: { repoURL: argocd.repoURL, path: argocd.path, targetRevision: argocd.targetRevision },
      destination: { server: argocd.server, namespace: config.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["CreateNamespace=true"],
        retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
      },
    },
  };
}
