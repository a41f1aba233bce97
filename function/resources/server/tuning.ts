/**
 * How the server runs behind its load balancer and against its database.
 *
 * Database pool: MLflow passes MLFLOW_SQLALCHEMYSTORE_POOL_SIZE, _MAX_OVERFLOW and
 * _POOL_RECYCLE to SQLAlchemy's create_engine when they are set (mlflow/store/db/utils.py,
 * create_sqlalchemy_engine); unset, SQLAlchemy's QueuePool keeps 5 connections with 10 more
 * under load. Every uvicorn worker has its own engine (and a second one for the basic-auth
 * store), so the database sees workers x pods x engines x (size + overflow) at most;
 * validation warns when that can pass databasePool.connectionLimit.
 *
 * uvicorn, behind Google's load balancers (a Gateway, or an Ingress of class gce or
 * gce-internal), through `mlflow server --uvicorn-opts` (mlflow/cli.py; MLflow runs uvicorn
 * unless --gunicorn-opts is given, mlflow/server/__init__.py _run_server):
 * - --proxy-headers with --forwarded-allow-ips set to the load balancer's source ranges, so
 *   X-Forwarded-Proto and -For are believed from the load balancer only, and redirects and
 *   generated URLs say https and the client's address (uvicorn accepts networks in
 *   --forwarded-allow-ips since encode/uvicorn#2265);
 * - --timeout-keep-alive 620: above the load balancer's 600 s keepalive to its backends
 *   (Cloud Load Balancing docs, "Timeouts and retries": a backend that closes idle connections
 *   first makes the load balancer answer 502).
 * With another ingress controller, whose pod addresses are not known here, uvicorn keeps its
 * defaults (trusting forwarded headers from 127.0.0.1 only).
 */
import { behindGoogleLoadBalancer } from "../../config/defaults.js";
import type { ResolvedConfig } from "../../config/types.js";
import type { IEnvVar } from "kubernetes-models/v1";
import { loadBalancerCidrs } from "./policy.js";
import { server } from "./pod.js";

export const KEEP_ALIVE_SECONDS = 620;

export function poolEnv(config: ResolvedConfig): IEnvVar[] {
  const p = server(config).databasePool;
  const env: IEnvVar[] = [];
  if (p.size !== undefined) env.push({ name: "MLFLOW_SQLALCHEMYSTORE_POOL_SIZE", value: String(p.size) });
  if (p.maxOverflow !== undefined)
    env.push({ name: "MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW", value: String(p.maxOverflow) });
  if (p.recycleSeconds !== undefined) {
    env.push({ name: "MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE", value: String(p.recycleSeconds) });
  }
  return env;
}

export function uvicornArgs(config: ResolvedConfig): string[] {
  const s = server(config);
  if (!behindGoogleLoadBalancer(s)) return [];
  const opts = [
    "--proxy-headers",
    `--forwarded-allow-ips=${loadBalancerCidrs(s).join(",")}`,
    `--timeout-keep-alive=${KEEP_ALIVE_SECONDS}`,
  ];
  return [`--uvicorn-opts=${opts.join(" ")}`];
}
