/**
 * The Service: ClusterIP, port 80 to the pods' named port "http" (5000), so in-cluster
 * clients use http://<name>.<namespace> without a port.
 */
import type { IService } from "kubernetes-models/v1/Service";
import type { ResolvedConfig } from "../../config/types.js";
import { meta, selectorLabels, SYNC_WAVES } from "../meta.js";
import { PORT_NAME, SERVICE_PORT } from "./pod.js";

export function buildServerService(config: ResolvedConfig): IService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(config, "tracking-server", config.names.server, { wave: SYNC_WAVES.server }),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(config),
      ports: [{ name: PORT_NAME, port: SERVICE_PORT, targetPort: PORT_NAME, protocol: "TCP", appProtocol: "http" }],
    },
  };
}
