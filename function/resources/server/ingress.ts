/**
 * The Ingress, when spec.server.ingress is set.
 *
 * nginx annotations for artifact traffic through the server: the body size limit
 * (proxy-body-size; nginx's default is 1m), ten-minute read/send timeouts (the default 60s
 * cuts long uploads and downloads), and no request buffering, so uploads stream to MLflow
 * instead of being written to the controller's disk first. Controllers other than
 * ingress-nginx ignore them.
 *
 * With clusterIssuer, cert-manager's ingress-shim issues the certificate named in
 * spec.tls (secret <name>-tls) from that ClusterIssuer.
 */
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { ResolvedConfig } from "../../config/types.js";
import { meta, SYNC_WAVES } from "../meta.js";
import { PORT_NAME, server } from "./pod.js";

export const PROXY_TIMEOUT_SECONDS = "600";

export function buildServerIngress(config: ResolvedConfig): IIngress | undefined {
  const ingress = server(config).ingress;
  if (!ingress) return undefined;
  const annotations: Record<string, string> = {
    "nginx.ingress.kubernetes.io/proxy-body-size": ingress.maxBodySize,
    "nginx.ingress.kubernetes.io/proxy-read-timeout": PROXY_TIMEOUT_SECONDS,
    "nginx.ingress.kubernetes.io/proxy-send-timeout": PROXY_TIMEOUT_SECONDS,
    "nginx.ingress.kubernetes.io/proxy-request-buffering": "off",
    ...(ingress.clusterIssuer ? { "cert-manager.io/cluster-issuer": ingress.clusterIssuer } : {}),
  };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta(config, "tracking-server", config.names.server, { wave: SYNC_WAVES.server, annotations }),
    spec: {
      ingressClassName: ingress.className,
      ...(ingress.clusterIssuer ? { tls: [{ hosts: [ingress.host], secretName: `${config.names.server}-tls` }] } : {}),
      rules: [
        {
          host: ingress.host,
          http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: config.names.server, port: { name: PORT_NAME } } } }] },
        },
      ],
    },
  };
}
