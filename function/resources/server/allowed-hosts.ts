/**
 * MLFLOW_SERVER_ALLOWED_HOSTS and MLFLOW_SERVER_CORS_ALLOWED_ORIGINS.
 *
 * MLflow 3's security middleware (mlflow/server/security_utils.py, fastapi_security.py)
 * compares the whole Host header, port included, with each entry: an entry with '*' is an
 * fnmatch pattern, any other entry must match exactly ("mlflow:5000" is not "mlflow").
 * Setting the variable replaces MLflow's defaults (localhost and the private IP ranges), so
 * every name a client may use is listed here:
 * - every in-cluster name of the Service (<svc>, <svc>.<ns>, <svc>.<ns>.svc,
 *   <svc>.<ns>.svc.cluster.local), bare (Service port 80 is the HTTP default, which clients
 *   leave out of the Host header), with :80 (clients that write the port anyway) and with
 *   :5000 (a client that reaches a pod directly);
 * - the gateway's or ingress's host (browsers and clients leave out the default 443/80);
 * - localhost and 127.0.0.1 on any port, for `kubectl port-forward`. The probes do not need
 *   them: /health and /version are exempt from the host check;
 * - with metrics, the pod addresses Managed Prometheus scrapes (monitoring.ts);
 * - then the user's extra entries.
 *
 * The UI's state-changing requests (POST/PUT/PATCH/DELETE to /ajax-api/) carry an Origin
 * header and are refused unless the origin is localhost or listed in
 * MLFLOW_SERVER_CORS_ALLOWED_ORIGINS, so with an ingress its origin is listed: https only with
 * TLS, http and https without (TLS may end at a load balancer in front).
 */
import type { ResolvedConfig } from "../../config/types.js";
import { scraperHostPatterns } from "./monitoring.js";
import { CONTAINER_PORT, SERVICE_PORT, server } from "./pod.js";

/** The names the Service answers to inside the cluster, shortest first. */
export function serviceNames(config: ResolvedConfig): string[] {
  const svc = config.names.server;
  const ns = config.namespace;
  return [svc, `${svc}.${ns}`, `${svc}.${ns}.svc`, `${svc}.${ns}.svc.cluster.local`];
}

export function allowedHosts(config: ResolvedConfig): string[] {
  const s = server(config);
  const hosts: string[] = [];
  for (const name of serviceNames(config)) hosts.push(name, `${name}:${SERVICE_PORT}`, `${name}:${CONTAINER_PORT}`);
  const host = publicHost(config);
  if (host) hosts.push(host);
  hosts.push("localhost", "localhost:*", "127.0.0.1", "127.0.0.1:*", ...scraperHostPatterns(config));
  return unique([...hosts, ...s.allowedHosts]);
}

/** The host name the load balancer serves: the gateway's or the ingress's. */
export function publicHost(config: ResolvedConfig): string | undefined {
  const s = server(config);
  return s.gateway?.host ?? s.ingress?.host;
}

/**
 * The UI's origins: https only where the function knows TLS is on (a created Gateway always
 * has it; an ingress with clusterIssuer), http and https otherwise (a shared Gateway's
 * listeners, an ingress whose TLS is set up elsewhere).
 */
export function corsAllowedOrigins(config: ResolvedConfig): string[] {
  const s = server(config);
  const host = publicHost(config);
  if (!host) return [];
  const tls = s.gateway ? !s.gateway.shared : s.ingress?.clusterIssuer !== undefined;
  return tls ? [`https://${host}`] : [`https://${host}`, `http://${host}`];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
