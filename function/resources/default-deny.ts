/**
 * A namespace-wide default-deny NetworkPolicy: it selects every pod in the instance's namespace
 * (podSelector {}) for both Ingress and Egress and allows nothing, so a pod is reachable, and
 * reaches out, only as far as another policy opens it. NetworkPolicies are additive: the
 * server's own policy (server/policy.ts) opens exactly what the tracking server and the
 * migration Job need, and nothing else in the namespace gets any traffic.
 *
 * Generated with the server's policy (spec.server with networkPolicy.enabled, the default),
 * in wave 0 like it, so both are in force before any pod starts.
 */
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import type { ResolvedConfig } from "../config/types.js";
import { meta, SYNC_WAVES } from "./meta.js";
import type { ResourceModule } from "./registry.js";

export function defaultDenyName(config: ResolvedConfig): string {
  return `${config.name}-default-deny`;
}

export function buildDefaultDenyNetworkPolicy(config: ResolvedConfig): INetworkPolicy | undefined {
  if (!config.server?.networkPolicy.enabled) return undefined;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(config, "tracking-server", defaultDenyName(config), { wave: SYNC_WAVES.foundation }),
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

export const defaultDeny: ResourceModule = {
  family: "default-deny",
  owns: [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      scope: "Namespaced",
      wave: SYNC_WAVES.foundation,
      component: "tracking-server",
      description:
        "with spec.server, unless networkPolicy.enabled is false: <name>-default-deny, every pod of the namespace, " +
        "Ingress and Egress, nothing allowed (the server's own policy opens what it needs)",
    },
  ],
  build: (config) => [buildDefaultDenyNetworkPolicy(config)],
};
