/**
 * The Argo CD Application that deploys this instance: sync wave 3 (after the
 * external-secrets operator and cert-manager), automated sync with prune and self-heal,
 * CreateNamespace, and retries with backoff (the first sync can race the ESO webhook).
 *
 * ESO releases have defaulted optional remoteRef fields into live ExternalSecrets
 * (conversionStrategy, decodingStrategy, metadataPolicy until the CRD dropped those defaults:
 * external-secrets#5145, #6798; nullBytePolicy from v2.3.0: #6398). A diff that compares lists
 * whole (server-side apply's structured merge diff, server-side diff) shows them as OutOfSync;
 * the client-side diff subtracts from live what the last-applied configuration lacks. The
 * ExternalSecret spells out the first three (secrets.ts); nullBytePolicy cannot be (ESO before
 * 2.3.0 prunes it, the same drift the other way), so the Application ignores all four, in the
 * diff only.
 *
 * No RespectIgnoreDifferences=true: for a custom resource, Argo CD v3.3 to v3.5 builds the object
 * it applies from the live one with a JSON merge patch (argo-cd controller/sync.go,
 * normalizeTargetResources), which carries the live spec.data list over whole, so a changed
 * secret id or property would never be applied and self-heal would loop (argo-cd#17694,
 * #27480; the fix, #28220, is not in a release). Without it the rendered object is applied, and
 * the API server and ESO default the ignored fields again. test/argocd-sync.test.ts models both.
 */
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { ResolvedConfig } from "../config/types.js";
import { labels } from "./meta.js";
import type { ResourceModule } from "./registry.js";
import { REMOTE_REF_DEFAULTS } from "./secrets.js";

/**
 * remoteRef fields some ESO release writes back into the live ExternalSecret: the ones the
 * ExternalSecret spells out (secrets.ts), and nullBytePolicy, which it cannot.
 */
export const ESO_DEFAULTED_REMOTE_REF_FIELDS = [
  ...(Object.keys(REMOTE_REF_DEFAULTS) as (keyof typeof REMOTE_REF_DEFAULTS)[]),
  "nullBytePolicy",
] as const;

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
      source: {
        repoURL: argocd.repoURL,
        path: argocd.path,
        targetRevision: argocd.targetRevision,
        ...(argocd.plugin ? { plugin: { name: argocd.plugin } } : {}),
      },
      destination: { server: argocd.server, namespace: config.namespace },
      ignoreDifferences: [
        {
          group: "external-secrets.io",
          kind: "ExternalSecret",
          jqPathExpressions: ESO_DEFAULTED_REMOTE_REF_FIELDS.map((f) => `.spec.data[]?.remoteRef.${f}`),
        },
      ],
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["CreateNamespace=true"],
        retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
      },
    },
  };
}

export const argocd: ResourceModule = {
  family: "argocd",
  owns: [
    {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      scope: "Namespaced",
      wave: "config",
      component: "gitops",
      description:
        "with spec.argocd: the Argo CD Application that deploys the instance (in Argo CD's namespace, wave " +
        "spec.argocd.syncWave)",
    },
  ],
  build: (config) => [buildApplication(config)],
};
