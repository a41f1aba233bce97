/**
 * The BackendConfig (cloud.google.com/v1) of GKE's own Ingress (className gce or
 * gce-internal), which the Service names in its cloud.google.com/backend-config annotation:
 * - healthCheck: HTTP GET /health on the serving port (each NEG endpoint's 5000), which
 *   MLflow answers without the database and exempts from its Host check; without it GKE
 *   derives the check from the readiness probe, or probes "/";
 * - timeoutSec: the backend timeout, ten minutes, for large artifact transfers (the load
 *   balancer's default is 30 s);
 * - iap, with auth.mode iap: Identity-Aware Proxy, enabled without oauthclientCredentials,
 *   which is optional (IAPConfig.OAuthClientCredentials is `+optional`): GKE then uses the
 *   Google-managed OAuth client.
 * ingress-gce publishes no CRD file for BackendConfig (its controller builds the CRD at start-up
 * from Go types); the fields written here are those of kubernetes/ingress-gce
 * pkg/apis/backendconfig/v1/types.go (commit 14988384edcf): BackendConfigSpec.Iap (IAPConfig:
 * enabled), TimeoutSec, HealthCheck (HealthCheckConfig: type, requestPath). The tests check the
 * object against a strict schema transcribed from that file (test/helpers/backendconfig-schema.ts).
 */
import { isGkeIngressClass } from "../../config/defaults.js";
import type { ResolvedConfig } from "../../config/types.js";
import { meta, SERVER_WAVE, syncWaves } from "../meta.js";
import type { OwnedKind } from "../registry.js";
import { iapOAuthClient, iapSecretName } from "./auth.js";
import { BACKEND_TIMEOUT_SECONDS } from "./gateway.js";
import { HEALTH_CHECK_PATH } from "./pod.js";
import { server } from "./pod.js";

/** Whether the server is behind GKE's own Ingress, which reads a BackendConfig. */
export function hasBackendConfig(config: ResolvedConfig): boolean {
  const ingress = server(config).ingress;
  return ingress !== undefined && isGkeIngressClass(ingress.className);
}

/** The Service annotation that points GKE's Ingress at the BackendConfig, for every port. */
export function backendConfigAnnotation(config: ResolvedConfig): Record<string, string> {
  return { "cloud.google.com/backend-config": JSON.stringify({ default: config.names.server }) };
}

/** BackendConfig's iap: on, with the custom OAuth client's Secret when there is one. */
function ingressIap(config: ResolvedConfig) {
  if (!iapOAuthClient(config)) return { enabled: true };
  return { enabled: true, oauthclientCredentials: { secretName: iapSecretName(config) } };
}

export function buildBackendConfig(config: ResolvedConfig): object | undefined {
  if (!hasBackendConfig(config)) return undefined;
  const iap = server(config).auth.mode === "iap";
  return {
    apiVersion: "cloud.google.com/v1",
    kind: "BackendConfig",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server }),
    spec: {
      ...(iap ? { iap: ingressIap(config) } : {}),
      timeoutSec: BACKEND_TIMEOUT_SECONDS,
      healthCheck: { type: "HTTP", requestPath: HEALTH_CHECK_PATH },
    },
  };
}

export const BACKEND_CONFIG_KINDS: readonly OwnedKind[] = [
  {
    apiVersion: "cloud.google.com/v1",
    kind: "BackendConfig",
    scope: "Namespaced",
    wave: SERVER_WAVE,
    component: "tracking-server",
    description: "with an ingress of class gce or gce-internal: health check, timeout; IAP with auth.mode iap",
  },
];
