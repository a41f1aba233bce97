/**
 * The Service: ClusterIP, port 80 to the pods' named port "http" (5000), so in-cluster
 * clients use http://<name>.<namespace> without a port.
 *
 * Behind GKE's own Ingress (className gce or gce-internal), cloud.google.com/neg asks for
 * container-native load balancing: the load balancer's backends are the pods themselves
 * (network endpoint groups), as a ClusterIP Service behind GKE's Ingress needs, and the
 * NetworkPolicy's rule for Google's load balancer ranges assumes (policy.ts). GKE turns NEGs
 * on by default only under certain conditions, so the annotation says it outright.
 */
import type { IService } from "kubernetes-models/v1/Service";
import { isGkeIngressClass } from "../../config/defaults.js";
import type { ResolvedConfig } from "../../config/types.js";
import { meta, selectorLabels, syncWaves } from "../meta.js";
import { PORT_NAME, SERVICE_PORT, server } from "./pod.js";

export const NEG_ANNOTATION = { "cloud.google.com/neg": '{"ingress": true}' } as const;

export function buildServerService(config: ResolvedConfig): IService {
  const className = server(config).ingress?.className;
  const annotations = className !== undefined && isGkeIngressClass(className) ? NEG_ANNOTATION : {};
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
