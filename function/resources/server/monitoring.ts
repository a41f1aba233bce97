/**
 * Prometheus metrics, with spec.server.metrics.enabled:
 * - `mlflow server --expose-prometheus=<dir>`: MLflow's exporter serves GET /metrics on the
 *   server's own port, aggregating its uvicorn workers through a multiprocess directory
 *   (mlflow/cli.py, --expose-prometheus: "Path to the directory where metrics will be
 *   stored"); the directory is under the writable /tmp;
 * - a PodMonitoring (monitoring.googleapis.com/v1, Google Cloud Managed Service for
 *   Prometheus) that scrapes the server's pods on their named port;
 * - the NetworkPolicy admits the managed collectors, which run in gmp-system (Standard
 *   clusters) or gke-gmp-system (Autopilot);
 * - MLFLOW_SERVER_ALLOWED_HOSTS admits the Host header the collector sends, the pod's address
 *   and port: MLflow exempts only /health and /version from its Host check, and setting the
 *   variable replaces MLflow's own private-address patterns. 10.*:5000 covers GKE's default
 *   pod ranges (RFC 1918 10/8); clusters with other pod ranges add theirs to allowedHosts.
 * MLflow's basic-auth app protects /metrics too (mlflow/server/auth/__init__.py,
 * is_unprotected_route: /static, /favicon.ico, /health), so validation refuses metrics with it.
 */
import type { ResolvedConfig } from "../../config/types.js";
import { meta, SERVER_WAVE, selectorLabels, syncWaves } from "../meta.js";
import type { OwnedKind } from "../registry.js";
import { CONTAINER_PORT, PORT_NAME, server } from "./pod.js";

export const METRICS_DIR = "/tmp/prometheus-metrics";
export const METRICS_PATH = "/metrics";
/** Namespaces of Managed Service for Prometheus' collectors: Standard, and Autopilot. */
export const GMP_NAMESPACES = ["gmp-system", "gke-gmp-system"] as const;

export function metricsArgs(config: ResolvedConfig): string[] {
  return server(config).metrics ? [`--expose-prometheus=${METRICS_DIR}`] : [];
}

/** The Host headers the collector sends: a pod address with the container port. */
export function scraperHostPatterns(config: ResolvedConfig): string[] {
  return server(config).metrics ? [`10.*:${CONTAINER_PORT}`] : [];
}

export function buildPodMonitoring(config: ResolvedConfig): object | undefined {
  const metrics = server(config).metrics;
  if (!metrics) return undefined;
  return {
    apiVersion: "monitoring.googleapis.com/v1",
    kind: "PodMonitoring",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server }),
    spec: {
      selector: { matchLabels: selectorLabels(config) },
      endpoints: [{ port: PORT_NAME, path: METRICS_PATH, interval: metrics.interval }],
    },
  };
}

export const MONITORING_KINDS: readonly OwnedKind[] = [
  {
    apiVersion: "monitoring.googleapis.com/v1",
    kind: "PodMonitoring",
    scope: "Namespaced",
    wave: SERVER_WAVE,
    component: "tracking-server",
    description: "with spec.server.metrics.enabled: Managed Service for Prometheus scrapes /metrics",
  },
];
