/**
 * What the server Deployment and the migration Job share: ports, the restricted security
 * context, the /tmp volume, the backend-store environment and the pod-level settings.
 *
 * Every container meets the Pod Security Standards "restricted" profile: non-root with a
 * numeric UID/GID, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault,
 * and a read-only root filesystem with an emptyDir on /tmp (MLflow spools proxied artifact
 * transfers there).
 */
import type {
  IContainer,
  IEnvVar,
  IPodSecurityContext,
  ISecurityContext,
  IVolume,
  IVolumeMount,
} from "kubernetes-models/v1";
import type { ResolvedConfig, ResolvedServer } from "../../config/types.js";

/** The port `mlflow server` listens on in the pod. */
export const CONTAINER_PORT = 5000;
/** The Service port; clients in the cluster use http://<service>.<namespace> without a port. */
export const SERVICE_PORT = 80;
export const PORT_NAME = "http";
/**
 * The path the pod's probes and GKE's load balancer health checks request: MLflow answers it
 * without the database or the Host check.
 */
export const HEALTH_CHECK_PATH = "/health";
/** The secret key holding the SQLAlchemy URL (assembled by the ExternalSecret). */
export const CONNECTION_URL_KEY = "connection-url";
export const TMP_VOLUME = "tmp";

export function server(config: ResolvedConfig): ResolvedServer {
  if (!config.server) throw new Error("spec.server is not set");
  return config.server;
}

/** Restricted container security context; `uid` is numeric so the kubelet can verify non-root. */
export function restrictedSecurityContext(uid: number): ISecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function podSecurityContext(uid: number): IPodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

export function tmpVolume(sizeLimit: string): IVolume {
  return { name: TMP_VOLUME, emptyDir: { sizeLimit } };
}

export const tmpMount: IVolumeMount = { name: TMP_VOLUME, mountPath: "/tmp" };

/**
 * MLflow reads its backend store from MLFLOW_BACKEND_STORE_URI (the envvar of
 * --backend-store-uri), so the URL, password included, never appears in the pod spec or on
 * the server's command line. HOME points at the writable /tmp.
 */
export function mlflowEnv(config: ResolvedConfig): IEnvVar[] {
  return [
    {
      name: "MLFLOW_BACKEND_STORE_URI",
      valueFrom: { secretKeyRef: { name: config.names.databaseSecret, key: CONNECTION_URL_KEY } },
    },
    { name: "HOME", value: "/tmp" },
    { name: "MLFLOW_DISABLE_TELEMETRY", value: "true" },
  ];
}

/**
 * Pod-level settings both pods share:
 * - the Workload Identity service account; its token is not mounted: the GKE metadata server
 *   identifies the pod itself and MLflow never calls the Kubernetes API;
 * - no service links: a Service named "mlflow" would inject MLFLOW_PORT=tcp://..., which is
 *   also the environment variable of `mlflow server --port`.
 */
export function podBasics(config: ResolvedConfig, s: ResolvedServer) {
  return {
    serviceAccountName: config.serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: podSecurityContext(s.runAsUser),
  };
}

/** An MLflow container with the fields in reading order: what runs, with what, then how it is confined. */
export function mlflowContainer(
  config: ResolvedConfig,
  s: ResolvedServer,
  spec: Pick<
    IContainer,
    "name" | "command" | "args" | "ports" | "startupProbe" | "readinessProbe" | "livenessProbe" | "resources"
  > & {
    env?: IEnvVar[];
    volumeMounts?: IVolumeMount[];
  },
): IContainer {
  const { name, command, args, env = [], volumeMounts = [], ...rest } = spec;
  return {
    name,
    image: s.image,
    imagePullPolicy: "IfNotPresent",
    command,
    args,
    env: [...mlflowEnv(config), ...env],
    ...rest,
    securityContext: restrictedSecurityContext(s.runAsUser),
    volumeMounts: [tmpMount, ...volumeMounts],
  };
}
