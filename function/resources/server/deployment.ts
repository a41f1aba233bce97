/**
 * The tracking server Deployment.
 *
 * `mlflow server --host=0.0.0.0 --port=5000 --serve-artifacts --artifacts-destination=gs://<bucket>
 * --workers=N`: clients log artifacts through the server (mlflow-artifacts:/), which writes to
 * the bucket with the pod's Workload Identity; --default-artifact-root is left alone so clients
 * never need bucket credentials. The backend store comes from the environment (pod.ts).
 *
 * Probes hit /health, which MLflow answers without the database and exempts from the Host
 * check. Rolling updates never go below the desired count (maxUnavailable 0). With
 * autoscaling the replica count is left to the HorizontalPodAutoscaler (a replicas field
 * would be reset by every Argo CD sync). With more than one replica, or autoscaling, pods
 * spread across zones (best effort) and nodes (required).
 */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { ITopologySpreadConstraint } from "kubernetes-models/v1";
import { sortedKeys } from "../../config/defaults.js";
import type { ResolvedConfig, ResolvedServer } from "../../config/types.js";
import { labels, meta, selectorLabels, syncWaves } from "../meta.js";
import { allowedHosts, corsAllowedOrigins } from "./allowed-hosts.js";
import { authServerArgs, authServerEnv, authVolumeMounts, authVolumes } from "./auth.js";
import { cloudSqlProxySidecar } from "./cloud-sql-proxy.js";
import { metricsArgs } from "./monitoring.js";
import { poolEnv, uvicornArgs } from "./tuning.js";
import { CONTAINER_PORT, HEALTH_CHECK_PATH, mlflowContainer, PORT_NAME, podBasics, server, tmpVolume } from "./pod.js";

export const MLFLOW_CONTAINER = "mlflow";

export function isHighlyAvailable(s: ResolvedServer): boolean {
  return s.replicas > 1 || s.autoscaling !== undefined;
}

export function serverArgs(config: ResolvedConfig): string[] {
  const s = server(config);
  return [
    "server",
    "--host=0.0.0.0",
    `--port=${CONTAINER_PORT}`,
    "--serve-artifacts",
    `--artifacts-destination=gs://${config.artifacts.bucket}`,
    `--workers=${s.workers}`,
    ...authServerArgs(config),
    ...metricsArgs(config),
    ...uvicornArgs(config),
  ];
}

function spread(config: ResolvedConfig): ITopologySpreadConstraint[] {
  const selector = { matchLabels: selectorLabels(config) };
  return [
    {
      topologyKey: "topology.kubernetes.io/zone",
      maxSkew: 1,
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: selector,
      matchLabelKeys: ["pod-template-hash"],
    },
    {
      topologyKey: "kubernetes.io/hostname",
      maxSkew: 1,
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: selector,
      matchLabelKeys: ["pod-template-hash"],
    },
  ];
}

/** /health answers without the database and is exempt from MLflow's Host check. */
const healthProbe = () => ({ httpGet: { path: HEALTH_CHECK_PATH, port: PORT_NAME } });

export function buildServerDeployment(config: ResolvedConfig): IDeployment {
  const s = server(config);
  const proxy = cloudSqlProxySidecar(config);
  const cors = corsAllowedOrigins(config);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server }),
    spec: {
      ...(s.autoscaling ? {} : { replicas: s.replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(config) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...labels(config, "tracking-server"), ...selectorLabels(config) },
          annotations: {
            "kubectl.kubernetes.io/default-container": MLFLOW_CONTAINER,
            ...sortedKeys(s.podAnnotations ?? {}),
          },
        },
        spec: {
          ...podBasics(config, s),
          ...(proxy ? { initContainers: [proxy] } : {}),
          containers: [
            mlflowContainer(config, s, {
              name: MLFLOW_CONTAINER,
              command: ["mlflow"],
              args: serverArgs(config),
              env: [
                { name: "MLFLOW_SERVER_ALLOWED_HOSTS", value: allowedHosts(config).join(",") },
                ...(cors.length > 0 ? [{ name: "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS", value: cors.join(",") }] : []),
                ...authServerEnv(config),
                ...poolEnv(config),
              ],
              volumeMounts: authVolumeMounts(config),
              ports: [{ name: PORT_NAME, containerPort: CONTAINER_PORT, protocol: "TCP" }],
              startupProbe: { ...healthProbe(), periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 },
              readinessProbe: { ...healthProbe(), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
              livenessProbe: { ...healthProbe(), periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 5 },
              resources: s.resources,
            }),
          ],
          ...(isHighlyAvailable(s) ? { topologySpreadConstraints: spread(config) } : {}),
          volumes: [tmpVolume(s.tmpSizeLimit), ...authVolumes(config)],
        },
      },
    },
  };
}
