/**
 * What the API server or a Kubernetes controller would refuse or ignore in the objects this
 * config produces, refused here first, naming the config field:
 * - a container's request above its limit: the API server rejects the pod template
 *   (kubernetes pkg/apis/core/validation/validation.go, ValidateResourceRequirements: "must be
 *   less than or equal to <resource> limit"). Checked for the server and the Cloud SQL Auth
 *   Proxy, which also runs in the migration Job; the Job's own container has fixed resources.
 * - an Ingress host that is an IP address (pkg/apis/networking/validation/validation.go,
 *   validateIngressRuleValue: "must be a DNS name, not an IP address").
 * - CPU autoscaling while a container of the pod, a native sidecar (an init container with
 *   restartPolicy Always) included, has no CPU request: the HPA controller sums the requests of
 *   all of them and gives up on the first that has none ("missing request for cpu",
 *   pkg/controller/podautoscaler/replica_calculator.go, calculatePodRequests), so it never
 *   scales; and with a pod total of zero it has nothing to divide by. A limit without a request
 *   counts as the request: the API server defaults one from the other
 *   (pkg/apis/core/v1/defaults.go, SetDefaults_Pod).
 * - a NetworkPolicy ipBlock CIDR with bits set beyond its prefix length (10.42.0.1/24): the API
 *   server refuses it with strict IP/CIDR validation and warns that it is ambiguous without
 *   (k8s.io/apimachinery pkg/util/validation/ip.go, parseCIDR and GetWarningsForCIDR; used for
 *   ipBlock.cidr by pkg/apis/networking/validation, ValidateIPBlock).
 * - the MlflowConfig's own metadata beyond its name, which nothing would read: labels and
 *   annotations are not copied to the generated objects (spec.labels is), and the instance's
 *   namespace is spec.namespace. Refused, except the annotations kpt and kustomize use for their
 *   own bookkeeping (config.kubernetes.io/local-config, .../path, .../function, ...), and a
 *   metadata.namespace equal to the instance's namespace.
 */
import { instanceNamespace } from "./defaults.js";
import type { MlflowConfig, ResourceRequirements, Spec } from "./types.js";
import type { Report } from "./report.js";

/** Exact value of a Kubernetes quantity (the schema's pattern) as a fraction n / d, in units of 1/1000. */
function quantity(q: string): { n: bigint; d: bigint } {
  const m = /^([0-9]+)(?:\.([0-9]+))?([a-zA-Z]*)$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  const fraction = m[2] ?? "";
  const binary = (p: number) => 1024n ** BigInt(p) * 1000n;
  const decimal = (p: number) => 1000n ** BigInt(p) * 1000n;
  const unit: Record<string, bigint> = {
    m: 1n,
    "": 1000n,
    k: decimal(1),
    M: decimal(2),
    G: decimal(3),
    T: decimal(4),
    P: decimal(5),
    E: decimal(6),
    Ki: binary(1),
    Mi: binary(2),
    Gi: binary(3),
    Ti: binary(4),
    Pi: binary(5),
    Ei: binary(6),
  };
  return { n: BigInt(`${m[1]}${fraction}`) * unit[m[3]], d: 10n ** BigInt(fraction.length) };
}

/** a > b, exactly. */
export function quantityAbove(a: string, b: string): boolean {
  const x = quantity(a);
  const y = quantity(b);
  return x.n * y.d > y.n * x.d;
}

const isZero = (q: string) => quantity(q).n === 0n;

function requestsWithinLimits(path: string, r: ResourceRequirements, error: Report): void {
  const limits: Record<string, string | undefined> = r.limits ?? {};
  for (const [resource, request] of Object.entries<string | undefined>(r.requests ?? {})) {
    const limit = limits[resource];
    if (request === undefined) continue;
    if (limit !== undefined && quantityAbove(request, limit)) {
      error(
        `${path}.requests.${resource}`,
        `(${request}) must not exceed ${path}.limits.${resource} (${limit}): ` +
          "the API server rejects a request above its limit",
        request,
      );
    }
  }
}

/** The CPU the HPA controller counts for a container: its request, or its limit (the API server's default request). */
const cpuRequest = (r: ResourceRequirements) => r.requests?.cpu ?? r.limits?.cpu;

const ORCHESTRATOR_ANNOTATIONS =
  /^(config\.kubernetes\.io|internal\.config\.kubernetes\.io|config\.k8s\.io|kustomize\.config\.k8s\.io|kpt\.dev)\//;

/** The canonical form of an IPv4 CIDR (the schema's pattern): the address masked to its prefix. */
export function canonicalCidr(cidr: string): string {
  const [address, bits] = cidr.split("/");
  const prefix = Number(bits);
  const value = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const masked = prefix === 0 ? 0 : value - (value % 2 ** (32 - prefix));
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(masked / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

export function kubeRules(config: MlflowConfig, defaulted: Spec, error: Report): void {
  const { metadata } = config;
  for (const key of Object.keys(metadata.labels ?? {})) {
    error(
      `metadata.labels[${JSON.stringify(key)}]`,
      "is not used: the MlflowConfig's labels are not copied to what it generates; " +
        "put labels for every generated object in spec.labels",
    );
  }
  for (const key of Object.keys(metadata.annotations ?? {})) {
    if (ORCHESTRATOR_ANNOTATIONS.test(key)) continue;
    error(
      `metadata.annotations[${JSON.stringify(key)}]`,
      "is not used: the MlflowConfig's annotations are not copied to what it generates; only kpt's and " +
        "kustomize's own (config.kubernetes.io/..., internal.config.kubernetes.io/..., config.k8s.io/..., " +
        "kustomize.config.k8s.io/..., kpt.dev/...) are accepted here",
    );
  }
  const namespace = instanceNamespace(config);
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    error(
      "metadata.namespace",
      `(${JSON.stringify(metadata.namespace)}) is not used: the instance's namespace is spec.namespace ` +
        `(default metadata.name), here ${JSON.stringify(namespace)}; ` +
        "set spec.namespace, or leave metadata.namespace out",
      metadata.namespace,
    );
  }

  const server = defaulted.server;
  if (!server) return;
  const serverResources = server.resources;
  const proxyResources = server.cloudSqlProxy?.resources;
  requestsWithinLimits("spec.server.resources", serverResources, error);
  if (proxyResources) requestsWithinLimits("spec.server.cloudSqlProxy.resources", proxyResources, error);

  const host = server.ingress?.host;
  if (host !== undefined && /^[0-9]+(\.[0-9]+){3}$/.test(host)) {
    error("spec.server.ingress.host", `(${host}) is an IP address: an Ingress host must be a DNS name`, host);
  }

  for (const list of ["databaseCidrs", "proxyOnlySubnetCidrs"] as const) {
    (server.networkPolicy[list] ?? []).forEach((cidr, i) => {
      const canonical = canonicalCidr(cidr);
      if (canonical === cidr) return;
      error(
        `spec.server.networkPolicy.${list}[${i}]`,
        `(${cidr}) has bits set beyond its prefix length: the API server refuses such a NetworkPolicy CIDR ` +
          `(or warns that it is ambiguous); write the network, ${canonical}`,
        cidr,
      );
    });
  }

  if (server.autoscaling) {
    const why =
      "is required with spec.server.autoscaling: the autoscaler measures CPU utilisation against the requests " +
      "of every container in the pod";
    const serverCpu = cpuRequest(serverResources);
    if (serverCpu === undefined)
      error(
        "spec.server.resources.requests.cpu",
        `${why}, and this container has none ("missing request for cpu": it never scales)`,
      );
    const proxyCpu = proxyResources && cpuRequest(proxyResources);
    if (proxyResources && proxyCpu === undefined) {
      error(
        "spec.server.cloudSqlProxy.resources.requests.cpu",
        `${why}, the Cloud SQL Auth Proxy sidecar included, and it has none ` +
          '("missing request for cpu": it never scales)',
      );
    }
    if (serverCpu !== undefined && isZero(serverCpu) && (proxyCpu === undefined || isZero(proxyCpu))) {
      error(
        "spec.server.resources.requests.cpu",
        `(${serverCpu}) must be above 0 with spec.server.autoscaling: ` +
          "the pod's CPU requests add up to nothing to measure utilisation against",
        serverCpu,
      );
    }
  }
}
