/**
 * The Ingress, when spec.server.ingress is set.
 *
 * With className gce or gce-internal, GKE's own Ingress controller programs a Google Cloud
 * load balancer. It reads the class from the kubernetes.io/ingress.class annotation only (GKE
 * docs, "GKE Ingress controller behavior": an Ingress with ingressClassName and no annotation
 * is left alone, and with the annotation ingressClassName is ignored), so the annotation
 * replaces spec.ingressClassName and the class is named once. No nginx annotations: GKE has
 * no use for them.
 *
 * With any other className the controller is taken to be ingress-nginx, and the Ingress
 * carries annotations for artifact traffic through the server: the body size limit
 * (proxy-body-size; nginx's default is 1m), ten-minute read/send timeouts (the default 60s
 * cuts long uploads and downloads), and no request buffering, so uploads stream to MLflow
 * instead of being written to the controller's disk first. Other controllers ignore them.
 *
 * With clusterIssuer, cert-manager's ingress-shim issues the certificate named in
 * spec.tls (secret <name>-tls) from that ClusterIssuer.
 */
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { isGkeIngressClass } from "../../config/defaults.js";
import type { ResolvedConfig } from "../../config/types.js";
import { meta, syncWaves } from "../meta.js";
import { tlsSecretName } from "./gateway.js";
import { PORT_NAME, server } from "./pod.js";

export const PROXY_TIMEOUT_SECONDS = "600";

export function buildServerIngress(config: ResolvedConfig): IIngress | undefined {
  const ingress = server(config).ingress;
  if (!ingress) return undefined;
  const gke = isGkeIngressClass(ingress.className);
  const annotations: Record<string, string> = {
    ...(gke
      ? { "kubernetes.io/ingress.class": ingress.className }
      : {
          "nginx.ingress.kubernetes.io/proxy-body-size": ingress.maxBodySize,
          "nginx.ingress.kubernetes.io/proxy-read-timeout": PROXY_TIMEOUT_SECONDS,
          "nginx.ingress.kubernetes.io/proxy-send-timeout": PROXY_TIMEOUT_SECONDS,
          "nginx.ingress.kubernetes.io/proxy-request-buffering": "off",
        }),
    ...(ingress.clusterIssuer ? { "cert-manager.io/cluster-issuer": ingress.clusterIssuer } : {}),
  };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server, annotations }),
    spec: {
      ...(gke ? {} : { ingressClassName: ingress.className }),
      ...(ingress.clusterIssuer ? { tls: [{ hosts: [ingress.host], secretName: tlsSecretName(config) }] } : {}),
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: config.names.server, port: { name: PORT_NAME } } },
              },
            ],
          },
        },
      ],
    },
  };
}
