/**
 * Exposure through GKE's Gateway API implementation, when spec.server.gateway is set:
 * - an HTTPRoute (gateway.networking.k8s.io/v1) for the host, to the Service's port 80,
 *   attached to the shared Gateway (parentRef) or to the Gateway created here;
 * - without parentRef, a Gateway of the chosen class with one HTTPS listener for the host,
 *   its certificate from a Certificate Manager map (annotation networking.gke.io/certmap;
 *   the listener then has no tls block, as GKE's docs write it) or from a cert-manager
 *   Certificate (cert-manager.io/v1) in secret <name>-tls; routes from its own namespace only;
 * - a HealthCheckPolicy (networking.gke.io/v1) on the Service: GKE's health checks GET
 *   /health on the serving port (5000 of each NEG endpoint), which MLflow answers without the
 *   database and exempts from its Host check; without it GKE probes "/" and a server that
 *   redirects or requires auth there is marked unhealthy;
 * - a GCPBackendPolicy (networking.gke.io/v1) on the Service: the backend timeout (the load
 *   balancer's default of 30 s cuts large artifact uploads and downloads) and, with
 *   auth.mode iap, Identity-Aware Proxy. Without auth.iap.oauthClient, no clientID or
 *   oauth2ClientSecret: IAP then uses the Google-managed OAuth client (IAP docs, "Enabling IAP
 *   for GKE": "IAP uses a Google-managed OAuth client to authenticate users"; gke-gateway-api
 *   change 7a20e46, 2025-02, documents "If neither is provided, Google managed OAuth is the
 *   default", while the CRD on main, fc40d606 2026-04, still describes both as needed when
 *   enabled and enforces neither). With oauthClient, both, the secret from the ExternalSecret
 *   <name>-iap-oauth (auth.ts). Who may pass is the IAM binding
 *   roles/iap.httpsResourceAccessor, made on the GCP side (docs/exposure.md).
 * GKE creates the NEGs for a Service that an HTTPRoute references by itself; the Service
 * needs no annotation.
 */
import type { ResolvedConfig } from "../../config/types.js";
import { meta, SERVER_WAVE, syncWaves } from "../meta.js";
import type { OwnedKind } from "../registry.js";
import { iapOAuthClient, iapSecretName } from "./auth.js";
import { HEALTH_CHECK_PATH, SERVICE_PORT, server } from "./pod.js";

const GATEWAY_API = "gateway.networking.k8s.io/v1";
const GKE_NETWORKING = "networking.gke.io/v1";

/**
 * Seconds the load balancer waits for the server's response (GCPBackendPolicy timeoutSec,
 * BackendConfig timeoutSec): ten minutes, as for ingress-nginx's read and send timeouts
 * (ingress.ts), so that large artifact uploads and downloads through the server complete.
 */
export const BACKEND_TIMEOUT_SECONDS = 600;

export function tlsSecretName(config: ResolvedConfig): string {
  return `${config.names.server}-tls`;
}

const serviceTarget = (config: ResolvedConfig) => ({ group: "", kind: "Service", name: config.names.server });

function buildGateway(config: ResolvedConfig): object[] {
  const g = server(config).gateway;
  if (!g || g.shared) return [];
  const annotations: Record<string, string> = g.certificateMap ? { "networking.gke.io/certmap": g.certificateMap } : {};
  const gateway = {
    apiVersion: GATEWAY_API,
    kind: "Gateway",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server, annotations }),
    spec: {
      gatewayClassName: g.className,
      listeners: [
        {
          name: "https",
          protocol: "HTTPS",
          port: 443,
          hostname: g.host,
          ...(g.clusterIssuer
            ? {
                tls: {
                  mode: "Terminate",
                  certificateRefs: [{ group: "", kind: "Secret", name: tlsSecretName(config) }],
                },
              }
            : {}),
          allowedRoutes: { namespaces: { from: "Same" } },
        },
      ],
    },
  };
  const certificate = g.clusterIssuer && {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: meta(config, "tracking-server", tlsSecretName(config), { wave: syncWaves(config).server }),
    spec: {
      secretName: tlsSecretName(config),
      dnsNames: [g.host],
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: g.clusterIssuer },
    },
  };
  return certificate ? [certificate, gateway] : [gateway];
}

function buildHttpRoute(config: ResolvedConfig): object {
  const g = server(config).gateway!;
  const parent = g.shared
    ? {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: g.shared.name,
        namespace: g.shared.namespace,
        ...(g.shared.sectionName ? { sectionName: g.shared.sectionName } : {}),
      }
    : { group: "gateway.networking.k8s.io", kind: "Gateway", name: config.names.server };
  return {
    apiVersion: GATEWAY_API,
    kind: "HTTPRoute",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server }),
    spec: {
      parentRefs: [parent],
      hostnames: [g.host],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [{ group: "", kind: "Service", name: config.names.server, port: SERVICE_PORT }],
        },
      ],
    },
  };
}

export function buildHealthCheckPolicy(config: ResolvedConfig): object {
  return {
    apiVersion: GKE_NETWORKING,
    kind: "HealthCheckPolicy",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server }),
    spec: {
      default: { config: { type: "HTTP", httpHealthCheck: { requestPath: HEALTH_CHECK_PATH } } },
      targetRef: serviceTarget(config),
    },
  };
}

/** GCPBackendPolicy's iap: on, with the custom OAuth client when there is one. */
function gatewayIap(config: ResolvedConfig) {
  const client = iapOAuthClient(config);
  if (!client) return { enabled: true };
  return { enabled: true, clientID: client.clientId, oauth2ClientSecret: { name: iapSecretName(config) } };
}

export function buildBackendPolicy(config: ResolvedConfig): object {
  const iap = server(config).auth.mode === "iap";
  return {
    apiVersion: GKE_NETWORKING,
    kind: "GCPBackendPolicy",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server }),
    spec: {
      default: { timeoutSec: BACKEND_TIMEOUT_SECONDS, ...(iap ? { iap: gatewayIap(config) } : {}) },
      targetRef: serviceTarget(config),
    },
  };
}

/** Everything spec.server.gateway asks for; nothing without it. */
export function buildGatewayExposure(config: ResolvedConfig): object[] {
  if (!server(config).gateway) return [];
  return [...buildGateway(config), buildHttpRoute(config), buildHealthCheckPolicy(config), buildBackendPolicy(config)];
}

/** The kinds spec.server.gateway generates (the server module declares them in the registry). */
export const GATEWAY_KINDS: readonly OwnedKind[] = [
  {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    scope: "Namespaced",
    wave: SERVER_WAVE,
    component: "tracking-server",
    description: "with spec.server.gateway.clusterIssuer (no parentRef): <name>-tls for the created Gateway",
  },
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    scope: "Namespaced",
    wave: SERVER_WAVE,
    component: "tracking-server",
    description: "with spec.server.gateway without parentRef: one HTTPS listener for the host, of className",
  },
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    scope: "Namespaced",
    wave: SERVER_WAVE,
    component: "tracking-server",
    description: "with spec.server.gateway: the host to the Service, on the shared or the created Gateway",
  },
  {
    apiVersion: "networking.gke.io/v1",
    kind: "HealthCheckPolicy",
    scope: "Namespaced",
    wave: SERVER_WAVE,
    component: "tracking-server",
    description: "with spec.server.gateway: GKE's health checks request /health",
  },
  {
    apiVersion: "networking.gke.io/v1",
    kind: "GCPBackendPolicy",
    scope: "Namespaced",
    wave: SERVER_WAVE,
    component: "tracking-server",
    description: "with spec.server.gateway: backend timeout; Identity-Aware Proxy with auth.mode iap",
  },
];
