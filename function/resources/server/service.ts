/**
 * The Service: ClusterIP, port 80 to the pods' named port "http" (5000), so in-cluster
 * clients use http://<name>.<namespace> without a port.
 *
 * Behind GKE's own Ingress (className gce or gce-internal), cloud.google.com/neg asks for
 * container-native load balancing: the load balancer's backends are the pods themselves
 * (network endpoint groups), as a ClusterIP Service behind GKE's Ingress needs, and the
 * NetworkPolicy's rule for Google's load balancer ranges assumes (policy.ts). GKE turns NEGs
 * on by default only under certain conditions, so the annotation says it outright; and
 * cloud.google.com/backend-config names the BackendConfig (backend-config.ts).
 * Behind a Gateway, GKE creates the NEGs of every Service an HTTPRoute references, so no
 * annotation is needed there.
 */
import type { IService } from "kubernetes-models/v1/Service";
import type { ResolvedConfig } from "../../config/types.js";
import { meta, selectorLabels, syncWaves } from "../meta.js";
import { backendConfigAnnotation, hasBackendConfig } from "./backend-config.js";
import { PORT_NAME, SERVICE_PORT } from "./pod.js";

export const NEG_ANNOTATION = { "cloud.google.com/neg": '{"ingress": true}' } as const;

export function buildServerService(config: ResolvedConfig): IService {
  const annotations = hasBackendConfig(config) ? { ...NEG_ANNOTATION, ...backendConfigAnnotation(config) } : {};
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server, annotations }),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(config),
      ports: [{ name: PORT_NAME, port: SERVICE_PORT, targetPort: PORT_NAME, protocol: "TCP", appProtocol: "http" }],
    },
  };
}
