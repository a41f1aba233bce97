/**
 * A strict schema for BackendConfig (cloud.google.com/v1), which has no published CRD:
 * GKE's Ingress controller builds the CRD at start-up from its Go types (ingress-gce, pkg/crd).
 * Transcribed by hand from kubernetes/ingress-gce pkg/apis/backendconfig/v1/types.go at commit
 * 14988384edcf3b1a329bbfd5127a7a5c2837c719 (BackendConfigSpec and the types it uses; json tags
 * give the names, Go types the JSON types; every field is optional in the generated schema
 * except those without omitempty in a required parent, which the API server does not enforce
 * either, so only types and names are checked). Unknown fields are errors, as for every CRD
 * the tests check (the API server would prune them silently).
 */
const int = { type: "integer" };
const str = { type: "string" };
const bool = { type: "boolean" };
const obj = (properties: Record<string, unknown>) => ({ type: "object", additionalProperties: false, properties });
const list = (items: unknown) => ({ type: "array", items });

const spec = obj({
  iap: obj({
    enabled: bool,
    oauthclientCredentials: obj({ secretName: str, clientID: str, clientSecret: str }),
  }),
  cdn: obj({
    enabled: bool,
    bypassCacheOnRequestHeaders: list(obj({ headerName: str })),
    cachePolicy: obj({
      includeHost: bool,
      includeProtocol: bool,
      includeQueryString: bool,
      queryStringBlacklist: list(str),
      queryStringWhitelist: list(str),
    }),
    cacheMode: str,
    clientTtl: int,
    defaultTtl: int,
    maxTtl: int,
    negativeCaching: bool,
    negativeCachingPolicy: list(obj({ code: int, ttl: int })),
    requestCoalescing: bool,
    serveWhileStale: int,
    signedUrlCacheMaxAgeSec: int,
    signedUrlKeys: list(obj({ keyName: str, keyValue: str, secretName: str })),
  }),
  securityPolicy: obj({ name: str }),
  timeoutSec: int,
  connectionDraining: obj({ drainingTimeoutSec: int }),
  sessionAffinity: obj({ affinityType: str, affinityCookieTtlSec: int }),
  customRequestHeaders: obj({ headers: list(str) }),
  customResponseHeaders: obj({ headers: list(str) }),
  healthCheck: obj({
    checkIntervalSec: int,
    timeoutSec: int,
    healthyThreshold: int,
    unhealthyThreshold: int,
    type: str,
    port: int,
    requestPath: str,
  }),
  logging: obj({ enable: bool, sampleRate: { type: "number" } }),
});

export const BACKEND_CONFIG_SCHEMA = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "cloud.google.com/v1" },
    kind: { const: "BackendConfig" },
    metadata: { type: "object" },
    spec,
    status: obj({}),
  },
};
