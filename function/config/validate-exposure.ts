/**
 * Rules for how the tracking server is exposed (spec.server.gateway, spec.server.ingress) and
 * who may use it (spec.server.auth). The one rule that matters most: a server reachable from
 * outside the cluster always checks who is calling (auth.mode none is refused there), since
 * MLflow's API reads and writes every experiment and, through --serve-artifacts, the bucket.
 */
import type { Result } from "../krm/results.js";
import {
  behindGoogleLoadBalancer,
  defaultAuthMode,
  exposureOf,
  INTERNAL_GATEWAY_CLASSES,
  RETIRED_INGRESS_CLASSES,
} from "./defaults.js";
import type { DefaultedServer, ServerSpec } from "./types.js";
import { collector } from "./report.js";

const EXPOSURE_WORDS = {
  cluster: "only inside the cluster (no gateway or ingress)",
  internal: "from the VPC through an internal load balancer",
  external: "from the internet",
} as const;

type Exposed = Pick<DefaultedServer, "gateway" | "ingress">;

/** What exposes the server, in words, for messages. */
function exposedBy(server: Exposed): string {
  const g = server.gateway;
  if (g?.parentRef) {
    const { namespace, name, internal } = g.parentRef;
    return `the shared Gateway ${namespace}/${name}${internal ? " (internal)" : ""}`;
  }
  if (g) return `a Gateway of class ${g.className}`;
  if (server.ingress) return `an Ingress of class ${server.ingress.className}`;
  return "the ClusterIP Service";
}

/** The internal load balancers whose proxies connect from the region's proxy-only subnet. */
export function usesProxyOnlySubnet(server: Exposed): boolean {
  return (server.gateway !== undefined || server.ingress !== undefined) && exposureOf(server) === "internal";
}

/**
 * `server` is spec.server as written (to tell what the user set), `d` the same with the
 * schema's defaults (to know the values that apply).
 */
export function exposureChecks(server: ServerSpec, d: DefaultedServer): Result[] {
  const { results, error, warn } = collector();

  const g = server.gateway;
  if (g && server.ingress) {
    error(
      "spec.server.gateway",
      "and spec.server.ingress are exclusive: route the server through a Gateway or an Ingress, not both",
    );
  }
  if (g?.parentRef) {
    for (const field of ["className", "certificateMap", "clusterIssuer"] as const) {
      if (g[field] !== undefined) {
        error(
          `spec.server.gateway.${field}`,
          "is for a Gateway the function creates; with spec.server.gateway.parentRef " +
            "the shared Gateway's own class and TLS apply",
          g[field],
        );
      }
    }
  } else if (g) {
    const className = d.gateway!.className;
    if (g.certificateMap !== undefined && g.clusterIssuer !== undefined) {
      error(
        "spec.server.gateway.certificateMap",
        "and spec.server.gateway.clusterIssuer are exclusive: the Gateway's certificate comes from one of them",
      );
    } else if (g.certificateMap === undefined && g.clusterIssuer === undefined) {
      error(
        "spec.server.gateway",
        "creates a Gateway without TLS: set certificateMap (a Certificate Manager map) or clusterIssuer " +
          "(cert-manager); Identity-Aware Proxy and basic-auth both need HTTPS",
      );
    }
    if (g.certificateMap !== undefined && INTERNAL_GATEWAY_CLASSES.includes(className)) {
      error(
        "spec.server.gateway.certificateMap",
        `is not supported by className ${className}: ` +
          "certificate maps serve global external load balancers only; use clusterIssuer",
        g.certificateMap,
      );
    }
  }

  const className = d.ingress?.className;
  if (className !== undefined && RETIRED_INGRESS_CLASSES[className] !== undefined) {
    warn(
      "spec.server.ingress.className",
      `is ${className}: ${RETIRED_INGRESS_CLASSES[className]}; ` +
        "use spec.server.gateway (GKE's Gateway controller) or className gce",
      className,
    );
  }

  const exposure = exposureOf(d);
  const mode = d.auth?.mode ?? defaultAuthMode(d);
  if (mode === "none" && exposure === "external") {
    error(
      "spec.server.auth.mode",
      `is none while the server is reachable ${EXPOSURE_WORDS.external} through ${exposedBy(d)}: ` +
        "spec.server.auth must be iap or basic-auth there, or anyone who finds the host reads and writes " +
        "every experiment and the artifact bucket",
      mode,
    );
  } else if (mode === "none") {
    warn(
      "spec.server.auth.mode",
      `is none: the server, reachable ${EXPOSURE_WORDS[exposure]}, checks no identity; ` +
        "every client the NetworkPolicy admits reads and writes every experiment and the artifact bucket",
      mode,
    );
  }
  if (mode === "iap" && !behindGoogleLoadBalancer(d)) {
    error(
      "spec.server.auth.mode",
      "is iap, which needs Google's load balancer in front of the server (spec.server.gateway, " +
        `or an ingress of class gce or gce-internal), not ${exposedBy(d)}; use basic-auth`,
      mode,
    );
  }
  if (server.auth?.iap !== undefined && mode !== "iap") {
    warn("spec.server.auth.iap", `is not used: spec.server.auth.mode is ${mode}`);
  }
  if (server.auth?.basicAuth !== undefined && mode !== "basic-auth") {
    warn("spec.server.auth.basicAuth", `is not used: spec.server.auth.mode is ${mode}`);
  }
  const clients = server.networkPolicy?.clientNamespaces ?? [];
  if (mode === "iap" && clients.length > 0 && server.networkPolicy?.enabled !== false) {
    warn(
      "spec.server.networkPolicy.clientNamespaces",
      "reach the server directly, without Identity-Aware Proxy (which lives in the load balancer): " +
        "any pod in them can use it unauthenticated",
      clients,
    );
  }
  return results;
}
