/**
 * Availability and network policy of the tracking server.
 *
 * - PodDisruptionBudget (with more than one replica or autoscaling): at most one pod down
 *   during voluntary disruptions (node drains, upgrades). unhealthyPodEvictionPolicy
 *   AlwaysAllow lets a drain evict pods that are not ready anyway, so a crash-looping pod never
 *   blocks a node upgrade.
 * - HorizontalPodAutoscaler (autoscaling/v2), when asked: CPU utilisation against requests.
 * - NetworkPolicy for the server and migration pods, in wave 0 so it is in force before
 *   either starts:
 *   ingress: port 5000 from the ingress controller's namespace (with an ingress served by a
 *   controller in the cluster), or, behind a Gateway or GKE's own Ingress (className gce or
 *   gce-internal), from Google's load balancer ranges (GOOGLE_LB_RANGES) and, for an internal
 *   load balancer (gce-internal, gke-l7-rilb), the proxy-only subnet; from clientNamespaces;
 *   and from the instance's own namespace unless auth.mode is iap (the check is in the load
 *   balancer, so nothing else may reach the pods); with metrics, from Managed Prometheus'
 *   collectors (monitoring.ts);
 *   egress: DNS (53 UDP/TCP) to kube-dns, NodeLocal DNSCache (169.254.20.10) and the GKE
 *   metadata server (169.254.169.254, the resolver with Cloud DNS for GKE); the GKE metadata
 *   server for Workload Identity tokens, per GKE's Workload Identity docs:
 *   169.254.169.254/32:80 on Dataplane V2 and 169.254.169.252/32:988 otherwise (both are
 *   emitted, so the policy works on either dataplane); TCP 443, for Google APIs (Cloud
 *   Storage, STS, IAM credentials, the Cloud SQL Admin API), to any address by default
 *   (GOOGLE_API_CIDRS); the database on its port (3306/5432), or with the Cloud SQL Auth
 *   Proxy the instance on 3307, within databaseCidrs (any address by default).
 */
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type {
  INetworkPolicy,
  INetworkPolicyEgressRule,
  INetworkPolicyIngressRule,
  INetworkPolicyPeer,
  INetworkPolicyPort,
} from "kubernetes-models/networking.k8s.io/v1";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { behindGoogleLoadBalancer } from "../../config/defaults.js";
import type { GoogleApiAccess, ResolvedConfig, ResolvedServer } from "../../config/types.js";
import { meta, selectorLabels, SYNC_WAVES, syncWaves } from "../meta.js";
import { CLOUD_SQL_SERVER_PORT } from "./cloud-sql-proxy.js";
import { isHighlyAvailable } from "./deployment.js";
import { GMP_NAMESPACES } from "./monitoring.js";
import { CONTAINER_PORT, server } from "./pod.js";

export function buildPodDisruptionBudget(config: ResolvedConfig): IPodDisruptionBudget | undefined {
  if (!isHighlyAvailable(server(config))) return undefined;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server }),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(config) },
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
}

export function buildHorizontalPodAutoscaler(config: ResolvedConfig): IHorizontalPodAutoscaler | undefined {
  const a = server(config).autoscaling;
  if (!a) return undefined;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta(config, "tracking-server", config.names.server, { wave: syncWaves(config).server }),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: config.names.server },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: { type: "Utilization", averageUtilization: a.targetCPUUtilizationPercentage },
          },
        },
      ],
    },
  };
}

/** GKE metadata server endpoints for Workload Identity (GKE docs, "Workload Identity Federation for GKE"). */
export const GKE_METADATA_SERVER = [
  { cidr: "169.254.169.254/32", port: 80, why: "Dataplane V2" },
  { cidr: "169.254.169.252/32", port: 988, why: "clusters without Dataplane V2" },
] as const;
export const NODE_LOCAL_DNS = "169.254.20.10/32";

/**
 * Where Google Cloud load balancers reach their backends from (Cloud Load Balancing docs,
 * "Firewall rules"): the health check probes, "Health check ranges: 35.191.0.0/16,
 * 130.211.0.0/22", for every Application Load Balancer; and, for the external one (GKE
 * Ingress class gce), the Google Front End proxies too: "GFE proxy ranges: Same as health
 * check ranges if the backends are instance groups, zonal NEGs (GCE_VM_IP_PORT), ...". The
 * internal Application Load Balancer (gce-internal) is Envoy in the region's proxy-only subnet,
 * which only the config can name (networkPolicy.proxyOnlySubnetCidrs). With NEG backends the
 * load balancer connects to the pod's own address and port (5000), so these sources are what
 * the pods see.
 */
export const GOOGLE_LB_RANGES = ["35.191.0.0/16", "130.211.0.0/22"] as const;

/**
 * Where the pods may open TCP 443 for Google APIs (networkPolicy.googleApis).
 * - any: every address. Google APIs on their default domains are served from Google's large
 *   and changing ranges, which a NetworkPolicy cannot name, so this admits any HTTPS
 *   destination.
 * - private: private.googleapis.com, 199.36.153.8/30 (VPC docs, "Access APIs from VMs with
 *   external IP addresses", summary of configuration options).
 * - restricted: restricted.googleapis.com, 199.36.153.4/30 (VPC Service Controls docs,
 *   "Private Google Access with VPC Service Controls", IP address ranges).
 * The last two work only where DNS sends googleapis.com names to that VIP (a Cloud DNS
 * private zone) and the network routes it (Private Google Access).
 */
export const GOOGLE_API_CIDRS: Record<GoogleApiAccess, string> = {
  any: "0.0.0.0/0",
  private: "199.36.153.8/30",
  restricted: "199.36.153.4/30",
};

const namespace = (name: string): INetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});
const ipBlock = (cidr: string): INetworkPolicyPeer => ({ ipBlock: { cidr } });
const tcp = (port: number): INetworkPolicyPort => ({ protocol: "TCP", port });

/**
 * Where the load balancer's traffic comes from: nothing without a gateway or ingress; an
 * in-cluster controller's pods (an ingress of another class than gce or gce-internal); or
 * Google's load balancers (a Gateway, or GKE's own Ingress), plus the proxy-only subnet when
 * the load balancer is internal (gce-internal, gke-l7-rilb, a shared Gateway marked internal).
 */
function loadBalancerSources(s: ResolvedServer): INetworkPolicyPeer[] {
  if (behindGoogleLoadBalancer(s)) return loadBalancerCidrs(s).map(ipBlock);
  return s.ingress ? [namespace(s.networkPolicy.ingressControllerNamespace)] : [];
}

/** Where Google's load balancer connects from: its ranges, and the proxy-only subnet when it is internal. */
export function loadBalancerCidrs(s: ResolvedServer): string[] {
  return [...GOOGLE_LB_RANGES, ...(s.exposure === "internal" ? s.networkPolicy.proxyOnlySubnetCidrs : [])];
}

/**
 * Who may open port 5000. With auth.mode iap the server checks nothing itself (the identity
 * check is in the load balancer), so only the load balancer's sources, and the
 * clientNamespaces the config names (validation warns that they bypass IAP); not the
 * instance's own namespace. With basic-auth or none, the instance's namespace too.
 */
/**
 * Who may reach the server: the load balancer (or ingress controller); the instance's own
 * namespace unless IAP does the checking; the client namespaces; the metrics collectors.
 */
function ingressSources(s: ResolvedServer): INetworkPolicyPeer[] {
  const clients = [...s.networkPolicy.clientNamespaces, ...(s.metrics ? GMP_NAMESPACES : [])].map(namespace);
  return [...loadBalancerSources(s), ...(s.auth.mode === "iap" ? [] : [{ podSelector: {} }]), ...clients];
}

export function buildNetworkPolicy(config: ResolvedConfig): INetworkPolicy | undefined {
  const s = server(config);
  const policy = s.networkPolicy;
  if (!policy.enabled) return undefined;
  const selector = selectorLabels(config);
  const from: INetworkPolicyPeer[] = ingressSources(s);
  const ingress: INetworkPolicyIngressRule[] = [{ from, ports: [tcp(CONTAINER_PORT)] }];
  const dbPort = s.cloudSqlProxy ? CLOUD_SQL_SERVER_PORT : config.database.port;
  const egress: INetworkPolicyEgressRule[] = [
    {
      to: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
          podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
        },
        ipBlock(NODE_LOCAL_DNS),
        ipBlock(GKE_METADATA_SERVER[0].cidr),
      ],
      ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
    },
    ...GKE_METADATA_SERVER.map((m) => ({ to: [ipBlock(m.cidr)], ports: [tcp(m.port)] })),
    { to: [ipBlock(GOOGLE_API_CIDRS[policy.googleApis])], ports: [tcp(443)] },
    { to: policy.databaseCidrs.map(ipBlock), ports: [tcp(dbPort)] },
  ];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(config, "tracking-server", config.names.server, { wave: SYNC_WAVES.foundation }),
    spec: {
      podSelector: {
        matchLabels: {
          "app.kubernetes.io/name": selector["app.kubernetes.io/name"],
          "app.kubernetes.io/instance": selector["app.kubernetes.io/instance"],
        },
        matchExpressions: [
          { key: "app.kubernetes.io/component", operator: "In", values: ["tracking-server", "migration"] },
        ],
      },
      policyTypes: ["Ingress", "Egress"],
      ingress,
      egress,
    },
  };
}
