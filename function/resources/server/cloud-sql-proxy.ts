/**
 * The Cloud SQL Auth Proxy as a native sidecar: an init container with restartPolicy Always
 * (KEP-753, on by default since Kubernetes 1.29). The kubelet starts it first, waits for its
 * startup probe before starting the MLflow container, keeps it running beside it, and stops
 * it after the main container exits, so the migration Job can complete.
 *
 * Flags (cloud-sql-proxy v2): --port is the database port on 127.0.0.1 that the
 * connection URL points at; --health-check with --http-address 0.0.0.0 serves /startup and
 * /liveness to the kubelet; no readiness probe, as the proxy's README advises (transient
 * database failovers must not take the pod out of service); --exit-zero-on-sigterm so a
 * stopped sidecar does not report a failure; --structured-logs for Cloud Logging.
 * The proxy authenticates with the pod's Workload Identity (needs roles/cloudsql.client). With
 * IAM database authentication (gcp.configConnector.databaseAuth iam), --auto-iam-authn: the
 * proxy logs the connection in with the service account's OAuth token, so the URL carries no
 * password.
 */
import type { IContainer } from "kubernetes-models/v1";
import type { ResolvedConfig } from "../../config/types.js";
import { restrictedSecurityContext, server } from "./pod.js";

/** The distroless proxy image runs as "nonroot" (65532). */
export const PROXY_UID = 65532;
export const PROXY_HEALTH_PORT = 9090;
/** Port the proxy itself uses to reach the instance (for the NetworkPolicy). */
export const CLOUD_SQL_SERVER_PORT = 3307;

export function cloudSqlProxySidecar(config: ResolvedConfig): IContainer | undefined {
  const proxy = server(config).cloudSqlProxy;
  if (!proxy) return undefined;
  return {
    name: "cloud-sql-proxy",
    image: proxy.image,
    imagePullPolicy: "IfNotPresent",
    restartPolicy: "Always",
    args: [
      "--structured-logs",
      `--port=${config.database.port}`,
      ...(proxy.privateIp ? ["--private-ip"] : []),
      ...(config.gcp.configConnector?.databaseAuth === "iam" ? ["--auto-iam-authn"] : []),
      "--health-check",
      "--http-address=0.0.0.0",
      `--http-port=${PROXY_HEALTH_PORT}`,
      "--exit-zero-on-sigterm",
      proxy.instanceConnectionName,
    ],
    ports: [{ name: "proxy-health", containerPort: PROXY_HEALTH_PORT, protocol: "TCP" }],
    startupProbe: {
      httpGet: { path: "/startup", port: "proxy-health" },
      periodSeconds: 1,
      timeoutSeconds: 5,
      failureThreshold: 30,
    },
    livenessProbe: {
      httpGet: { path: "/liveness", port: "proxy-health" },
      periodSeconds: 60,
      timeoutSeconds: 30,
      failureThreshold: 5,
    },
    resources: proxy.resources,
    securityContext: restrictedSecurityContext(PROXY_UID),
  };
}
