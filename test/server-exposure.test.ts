/**
 * How the tracking server is exposed (spec.server.gateway, spec.server.ingress) and who may use
 * it (spec.server.auth): the objects each choice generates, the NetworkPolicy's sources, every
 * refusal and warning, and the schemas of the new kinds (CRDs, and the transcribed BackendConfig).
 */
import { resolve } from "../function/config/defaults.js";
import type { ServerSpec } from "../function/config/types.js";
import { corsAllowedOrigins, allowedHosts } from "../function/resources/server/allowed-hosts.js";
import { AUTH_MIGRATION_SCRIPT, MIGRATION_SCRIPT, migrationScript } from "../function/resources/server/migration.js";
import { allSchemaErrors, schemaErrors } from "./helpers/schemas.js";
import { find, IMAGE, render, withServer, type Obj, renderList } from "./helpers/server.js";

const lb = [{ ipBlock: { cidr: "35.191.0.0/16" } }, { ipBlock: { cidr: "130.211.0.0/22" } }];
const shared = { host: "mlflow.example.com", parentRef: { name: "shared", namespace: "gateways" } };
const created = { host: "mlflow.example.com", certificateMap: "mlflow-map" };
const internal = { host: "mlflow.corp.example.com", className: "gke-l7-rilb" as const, clusterIssuer: "internal-ca" };
const annotations = (o: Obj) => (o.metadata?.annotations ?? {}) as Record<string, string>;
const kinds = (out: Obj[]) => out.map((o) => o.kind);
const named = (out: Obj[], kind: string) => out.filter((o) => o.kind === kind);
const from = (out: Obj[]) => find(out, "NetworkPolicy", "mlflow").spec.ingress[0].from;

const run = (server: Record<string, unknown>) => renderList(withServer(server as Partial<ServerSpec>));

describe("spec.server.gateway", () => {
  test("a shared Gateway: an HTTPRoute attached to it, the two policies on the Service, no Gateway", () => {
    const out = render(
      withServer({ gateway: { ...shared, parentRef: { ...shared.parentRef, sectionName: "https" } } }),
    );
    expect(kinds(out)).toEqual(expect.arrayContaining(["HTTPRoute", "HealthCheckPolicy", "GCPBackendPolicy"]));
    expect(kinds(out)).not.toContain("Gateway");
    expect(kinds(out)).not.toContain("Ingress");
    const route = find(out, "HTTPRoute");
    expect(route.apiVersion).toBe("gateway.networking.k8s.io/v1");
    expect(route.spec).toEqual({
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "shared",
          namespace: "gateways",
          sectionName: "https",
        },
      ],
      hostnames: ["mlflow.example.com"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [{ group: "", kind: "Service", name: "mlflow", port: 80 }],
        },
      ],
    });
    const service = { group: "", kind: "Service", name: "mlflow" };
    expect(find(out, "HealthCheckPolicy").spec).toEqual({
      default: { config: { type: "HTTP", httpHealthCheck: { requestPath: "/health" } } },
      targetRef: service,
    });
    expect(find(out, "GCPBackendPolicy").spec).toEqual({
      default: { timeoutSec: 600, iap: { enabled: true } },
      targetRef: service,
    });
  });

  test("IAP uses the Google-managed OAuth client: no clientID, no secret; no IAP with basic-auth", () => {
    const iap = find(render(withServer({ gateway: shared })), "GCPBackendPolicy").spec.default.iap;
    expect(iap).toEqual({ enabled: true });
    const basic = find(render(withServer({ gateway: shared, auth: { mode: "basic-auth" } })), "GCPBackendPolicy").spec
      .default;
    expect(basic).toEqual({ timeoutSec: 600 });
  });

  test("a created Gateway with a certificate map: certmap, one HTTPS listener, routes from its namespace", () => {
    const out = render(withServer({ gateway: created }));
    const gateway = find(out, "Gateway");
    expect(gateway.metadata?.annotations).toMatchObject({ "networking.gke.io/certmap": "mlflow-map" });
    expect(gateway.spec).toEqual({
      gatewayClassName: "gke-l7-global-external-managed",
      listeners: [
        {
          name: "https",
          protocol: "HTTPS",
          port: 443,
          hostname: "mlflow.example.com",
          allowedRoutes: { namespaces: { from: "Same" } },
        },
      ],
    });
    expect(find(out, "HTTPRoute").spec.parentRefs).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "mlflow" },
    ]);
    expect(kinds(out)).not.toContain("Certificate");
  });

  test("a created internal Gateway with cert-manager: a Certificate, the listener's TLS from its secret", () => {
    const out = render(
      withServer({
        gateway: internal,
        auth: { mode: "basic-auth" },
        networkPolicy: { proxyOnlySubnetCidrs: ["10.129.0.0/23"] },
      }),
    );
    const gateway = find(out, "Gateway");
    expect(gateway.spec.gatewayClassName).toBe("gke-l7-rilb");
    expect(gateway.spec.listeners[0].tls).toEqual({
      mode: "Terminate",
      certificateRefs: [{ group: "", kind: "Secret", name: "mlflow-tls" }],
    });
    expect(annotations(gateway)["networking.gke.io/certmap"]).toBeUndefined();
    expect(find(out, "Certificate").spec).toEqual({
      secretName: "mlflow-tls",
      dnsNames: ["mlflow.corp.example.com"],
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "internal-ca" },
    });
  });

  test("the host is an allowed host and a CORS origin: https only behind a created Gateway", () => {
    expect(allowedHosts(resolve(withServer({ gateway: shared })))).toContain("mlflow.example.com");
    expect(corsAllowedOrigins(resolve(withServer({ gateway: created })))).toEqual(["https://mlflow.example.com"]);
    expect(corsAllowedOrigins(resolve(withServer({ gateway: shared })))).toEqual([
      "https://mlflow.example.com",
      "http://mlflow.example.com",
    ]);
  });

  test("the Service gets no NEG or BackendConfig annotation behind a Gateway", () => {
    const annotations = find(render(withServer({ gateway: shared })), "Service").metadata?.annotations ?? {};
    expect(Object.keys(annotations).filter((k) => k.startsWith("cloud.google.com/"))).toEqual([]);
  });

  test("every object validates against its CRD (served version, unknown fields rejected)", async () => {
    for (const gateway of [shared, created, internal]) {
      const out = render(withServer({ gateway, networkPolicy: { proxyOnlySubnetCidrs: ["10.129.0.0/23"] } }));
      expect(await allSchemaErrors(out)).toEqual([]);
    }
  });

  test("the CRD check fails on a field the CRD does not know", async () => {
    const policy = find(render(withServer({ gateway: shared })), "GCPBackendPolicy");
    policy.spec.default.iap.oauthClient = "x";
    expect((await schemaErrors(policy)).join("\n")).toMatch(/oauthClient/);
    const route = find(render(withServer({ gateway: shared })), "HTTPRoute");
    route.spec.rules[0].timeout = "600s";
    expect((await schemaErrors(route)).join("\n")).toMatch(/timeout/);
  });
});

describe("GKE Ingress: BackendConfig", () => {
  test("gce with IAP: BackendConfig with iap, the upload timeout and /health; the Service names it", () => {
    const out = render(withServer({ ingress: { host: "mlflow.example.com", clusterIssuer: "le" } }));
    const bc = find(out, "BackendConfig");
    expect(bc.apiVersion).toBe("cloud.google.com/v1");
    expect(bc.spec).toEqual({
      iap: { enabled: true },
      timeoutSec: 600,
      healthCheck: { type: "HTTP", requestPath: "/health" },
    });
    expect(annotations(find(out, "Service"))["cloud.google.com/backend-config"]).toBe('{"default":"mlflow"}');
  });

  test("gce-internal with basic-auth: no iap; another class: no BackendConfig", () => {
    const out = render(
      withServer({ ingress: { host: "m.example.com", className: "gce-internal" }, auth: { mode: "basic-auth" } }),
    );
    expect(find(out, "BackendConfig").spec.iap).toBeUndefined();
    expect(kinds(render(withServer({ ingress: { host: "m.example.com", className: "nginx" } })))).not.toContain(
      "BackendConfig",
    );
  });

  test("validates against the schema transcribed from ingress-gce's types, which rejects unknown fields", async () => {
    const bc = find(render(withServer({ ingress: { host: "m.example.com" } })), "BackendConfig");
    expect(await schemaErrors(bc)).toEqual([]);
    // The field as older CRD dumps spelt it required, and a misspelling of the upstream name.
    const bad = { ...bc, spec: { ...bc.spec, iap: { enabled: true, oauthClientCredentials: { secretName: "x" } } } };
    expect((await schemaErrors(bad)).join("\n")).toMatch(/oauthClientCredentials/);
    const wrongType = { ...bc, spec: { ...bc.spec, timeoutSec: "600" } };
    expect((await schemaErrors(wrongType)).join("\n")).toMatch(/timeoutSec/);
  });
});

describe("NetworkPolicy per mode", () => {
  test("Gateway with IAP: Google's ranges only, not the instance's namespace", () => {
    expect(from(render(withServer({ gateway: shared })))).toEqual(lb);
  });

  test("internal Gateway: the proxy-only subnet too; basic-auth admits the instance's namespace", () => {
    const out = render(
      withServer({
        gateway: internal,
        auth: { mode: "basic-auth" },
        networkPolicy: { proxyOnlySubnetCidrs: ["10.129.0.0/23"] },
      }),
    );
    expect(from(out)).toEqual([...lb, { ipBlock: { cidr: "10.129.0.0/23" } }, { podSelector: {} }]);
    const sharedInternal = { ...shared, parentRef: { ...shared.parentRef, internal: true } };
    expect(
      from(render(withServer({ gateway: sharedInternal, networkPolicy: { proxyOnlySubnetCidrs: ["10.129.0.0/23"] } }))),
    ).toEqual([...lb, { ipBlock: { cidr: "10.129.0.0/23" } }]);
  });

  test("external Gateway: the proxy-only subnet is not admitted", () => {
    expect(
      from(render(withServer({ gateway: created, networkPolicy: { proxyOnlySubnetCidrs: ["10.129.0.0/23"] } }))),
    ).toEqual(lb);
  });

  test("ClusterIP only: the instance's namespace and the client namespaces", () => {
    expect(from(render(withServer({ networkPolicy: { clientNamespaces: ["zenml"] } })))).toEqual([
      { podSelector: {} },
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "zenml" } } },
    ]);
  });
});

describe("spec.server.auth defaults", () => {
  test.each<[string, Partial<ServerSpec>, string]>([
    ["a Gateway", { gateway: shared }, "iap"],
    ["a gce Ingress", { ingress: { host: "m.example.com" } }, "iap"],
    ["a gce-internal Ingress", { ingress: { host: "m.example.com", className: "gce-internal" } }, "iap"],
    ["an nginx Ingress", { ingress: { host: "m.example.com", className: "nginx" } }, "basic-auth"],
    ["no exposure", {}, "none"],
  ])("behind %s: %s", (_name, server, mode) => {
    expect(resolve(withServer(server)).server?.auth.mode).toBe(mode);
  });
});

describe("basic-auth", () => {
  const out = render(
    withServer({ gateway: shared, auth: { mode: "basic-auth", basicAuth: { database: "mlflow_users" } } }),
  );
  const secret = named(out, "ExternalSecret").find((o) => o.metadata?.name === "mlflow-auth-secret")!;

  test("the server runs the basic-auth app with its INI file mounted from the auth Secret", () => {
    const pod = find(out, "Deployment").spec.template.spec;
    const mlflow = pod.containers[0];
    expect(mlflow.args).toContain("--app-name=basic-auth");
    expect(mlflow.env).toContainEqual({ name: "MLFLOW_AUTH_CONFIG_PATH", value: "/etc/mlflow-auth/basic_auth.ini" });
    expect(mlflow.volumeMounts).toContainEqual({ name: "auth-config", mountPath: "/etc/mlflow-auth", readOnly: true });
    expect(pod.volumes).toContainEqual({
      name: "auth-config",
      secret: { secretName: "mlflow-auth-secret", items: [{ key: "basic_auth.ini", path: "basic_auth.ini" }] },
    });
  });

  test("the ExternalSecret assembles the INI from Secret Manager, every '%' doubled for configparser", () => {
    const ini: string = secret.spec.target.template.data["basic_auth.ini"];
    const url: string = secret.spec.target.template.data["auth-database-url"];
    // The URL: encoded credentials, the host and port as the tracking URL checks them (secrets.ts).
    expect(url).toMatch(/^mysql\+pymysql:\/\/{{ \.username \| urlquery \| replace "\+" "%20" }}:{{ \.password /);
    expect(url).toContain("{{ if regexMatch");
    expect(url.endsWith("/mlflow_users")).toBe(true);
    // In the INI, every action that writes a value doubles its '%'; the checks around them stay as they are.
    const escaped = url.replace(/{{ \.[^}]* }}/g, (action) => action.replace(/ }}$/, ' | replace "%" "%%" }}'));
    expect(escaped).not.toBe(url);
    expect(ini.split("\n")).toEqual([
      "[mlflow]",
      "default_permission = READ",
      `database_uri = ${escaped}`,
      "admin_username = admin",
      'admin_password = {{ .adminPassword | replace "%" "%%" }}',
      "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
      "",
    ]);
    for (const action of ini.match(/{{ [^}]* }}/g) ?? []) {
      expect([action, action.startsWith("{{ .") === action.endsWith('| replace "%" "%%" }}')]).toEqual([action, true]);
    }
    expect(secret.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key])).toContainEqual([
      "adminPassword",
      "zenml-mlflow-admin-password",
    ]);
  });

  test("a '%' in the URL's own text (an IAM user's encoded '@') is doubled for configparser too", () => {
    const config = withServer(
      {
        auth: { mode: "basic-auth" },
        cloudSqlProxy: { instanceConnectionName: "zenml-470505:australia-southeast1:zenml-pg" },
      },
      {
        database: { driver: "psycopg2" },
        gcp: { projectId: "zenml-470505", configConnector: { sqlInstance: { name: "zenml-pg" }, databaseAuth: "iam" } },
      },
    );
    const secret = named(render(config), "ExternalSecret").find((o) => o.metadata!.name === "mlflow-auth-secret")!;
    const url: string = secret.spec.target.template.data["auth-database-url"];
    expect(url).toContain("zenml-mlflow%40zenml-470505.iam@127.0.0.1");
    const ini: string = secret.spec.target.template.data["basic_auth.ini"];
    expect(ini).toContain("postgresql+psycopg2://zenml-mlflow%%40zenml-470505.iam@127.0.0.1");
  });

  test("the default auth database is the tracking database's name with _auth", () => {
    const url = named(render(withServer({ gateway: shared, auth: { mode: "basic-auth" } })), "ExternalSecret")[1].spec
      .target.template.data["auth-database-url"];
    expect(url).toMatch(
      /\/{{ if regexMatch `[^`]*` \.database }}{{ \.database }}{{ else }}{{ fail `[^`]*` }}{{ end }}_auth$/,
    );
  });

  test("the migration Job creates and migrates the auth database before the tracking schema's upgrade", () => {
    const job = find(out, "Job").spec.template.spec.containers[0];
    expect(job.env).toContainEqual({
      name: "MLFLOW_AUTH_DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "mlflow-auth-secret", key: "auth-database-url" } },
    });
    const script: string = job.args[0];
    expect(script).toBe(migrationScript(true));
    expect(script.indexOf(AUTH_MIGRATION_SCRIPT)).toBeGreaterThan(0);
    expect(script.indexOf(AUTH_MIGRATION_SCRIPT)).toBeLessThan(
      script.indexOf('if mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI"'),
    );
    expect(migrationScript(false)).toBe(MIGRATION_SCRIPT);
  });

  test("nothing of it with iap", () => {
    const iap = render(withServer({ gateway: shared }));
    expect(named(iap, "ExternalSecret")).toHaveLength(1);
    expect(find(iap, "Deployment").spec.template.spec.containers[0].args).not.toContain("--app-name=basic-auth");
    expect(find(iap, "Job").spec.template.spec.containers[0].args[0]).toBe(MIGRATION_SCRIPT);
  });

  test("the objects validate against their schemas", async () => {
    expect(await allSchemaErrors(out)).toEqual([]);
  });
});

describe("refusals", () => {
  test.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      "gateway and ingress together",
      { gateway: shared, ingress: { host: "m.example.com" } },
      "spec.server.gateway",
      /exclusive/,
    ],
    [
      "auth none behind an external Gateway",
      { gateway: created, auth: { mode: "none" } },
      "spec.server.auth.mode",
      /spec\.server\.auth must be iap or basic-auth/,
    ],
    [
      "auth none behind a shared Gateway",
      { gateway: shared, auth: { mode: "none" } },
      "spec.server.auth.mode",
      /reachable from the internet/,
    ],
    [
      "auth none behind an external Ingress",
      { ingress: { host: "m.example.com", className: "nginx" }, auth: { mode: "none" } },
      "spec.server.auth.mode",
      /spec\.server\.auth must be/,
    ],
    [
      "auth none behind gce",
      { ingress: { host: "m.example.com", className: "gce" }, auth: { mode: "none" } },
      "spec.server.auth.mode",
      /spec\.server\.auth must be/,
    ],
    ["iap without a load balancer", { auth: { mode: "iap" } }, "spec.server.auth.mode", /needs Google's load balancer/],
    [
      "iap behind nginx",
      { ingress: { host: "m.example.com", className: "nginx" }, auth: { mode: "iap" } },
      "spec.server.auth.mode",
      /needs Google's load balancer/,
    ],
    ["a created Gateway without TLS", { gateway: { host: "m.example.com" } }, "spec.server.gateway", /without TLS/],
    [
      "a certificate map and a cluster issuer",
      { gateway: { ...created, clusterIssuer: "le" } },
      "spec.server.gateway.certificateMap",
      /exclusive/,
    ],
    [
      "a certificate map on an internal Gateway",
      { gateway: { ...internal, clusterIssuer: undefined, certificateMap: "m" } },
      "spec.server.gateway.certificateMap",
      /global external/,
    ],
    [
      "a class with a shared Gateway",
      { gateway: { ...shared, className: "gke-l7-rilb" } },
      "spec.server.gateway.className",
      /shared Gateway's own/,
    ],
    [
      "a cluster issuer with a shared Gateway",
      { gateway: { ...shared, clusterIssuer: "le" } },
      "spec.server.gateway.clusterIssuer",
      /shared Gateway's own/,
    ],
    [
      "an unknown Gateway class",
      { gateway: { ...created, className: "gke-l7-gxlb" } },
      "spec.server.gateway.className",
      /one of/,
    ],
    [
      "a shared Gateway without a namespace",
      { gateway: { host: "m.example.com", parentRef: { name: "shared" } } },
      "spec.server.gateway.parentRef.namespace",
      /required/,
    ],
    [
      "an unknown auth mode",
      { auth: { mode: "oauth" } },
      "spec.server.auth.mode",
      /one of "iap", "basic-auth", "none"/,
    ],
    [
      "an auth database name with a dash",
      { auth: { mode: "basic-auth", basicAuth: { database: "mlflow-auth" } } },
      "spec.server.auth.basicAuth.database",
      /database name/,
    ],
  ])("refuses %s, naming the field, with no output", (_name, server, path, message) => {
    const { ok, results, generated } = run({ image: IMAGE, ...server });
    expect(ok).toBe(false);
    expect(generated).toEqual([]);
    const hit = results.find((r) => r.severity === "error" && r.field?.path === path);
    expect(hit ? hit.message : results.map((r) => `${r.field?.path}: ${r.message}`)).toEqual(
      expect.stringMatching(message),
    );
  });
});

describe("warnings", () => {
  test.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      "auth none, ClusterIP only (explicit)",
      { auth: { mode: "none" } },
      "spec.server.auth.mode",
      /only inside the cluster/,
    ],
    ["auth none, ClusterIP only (the default)", {}, "spec.server.auth.mode", /checks no identity/],
    [
      "auth none behind an internal Gateway",
      { gateway: internal, auth: { mode: "none" }, networkPolicy: { proxyOnlySubnetCidrs: ["10.1.0.0/23"] } },
      "spec.server.auth.mode",
      /from the VPC/,
    ],
    [
      "auth none behind gce-internal",
      { ingress: { host: "m.example.com", className: "gce-internal" }, auth: { mode: "none" } },
      "spec.server.auth.mode",
      /from the VPC/,
    ],
    [
      "the retired nginx class",
      { ingress: { host: "m.example.com", className: "nginx" } },
      "spec.server.ingress.className",
      /retired in March 2026/,
    ],
    [
      "client namespaces with IAP",
      { gateway: shared, networkPolicy: { clientNamespaces: ["zenml"] } },
      "spec.server.networkPolicy.clientNamespaces",
      /without Identity-Aware Proxy/,
    ],
    [
      "basicAuth settings with IAP",
      { gateway: shared, auth: { basicAuth: { adminUsername: "root" } } },
      "spec.server.auth.basicAuth",
      /not used/,
    ],
    [
      "an internal Gateway without the proxy-only subnet",
      { gateway: internal },
      "spec.server.networkPolicy.proxyOnlySubnetCidrs",
      /proxy-only subnet/,
    ],
    [
      "a proxy-only subnet with an external Gateway",
      { gateway: created, networkPolicy: { proxyOnlySubnetCidrs: ["10.1.0.0/23"] } },
      "spec.server.networkPolicy.proxyOnlySubnetCidrs",
      /not used/,
    ],
  ])("warns about %s and renders", (_name, server, path, message) => {
    const { ok, results, generated } = run({ image: IMAGE, ...server });
    expect(ok).toBe(true);
    expect(generated.length).toBeGreaterThan(0);
    const hit = results.find((r) => r.severity === "warning" && r.field?.path === path);
    expect(hit?.message).toMatch(message);
  });

  test("no auth warning for the secure set-ups", () => {
    for (const server of [
      { gateway: shared },
      { gateway: created, auth: { mode: "basic-auth" } },
      { ingress: { host: "m.example.com", clusterIssuer: "le" } },
    ]) {
      const { results } = run({ image: IMAGE, ...server });
      expect(results.filter((r) => r.field?.path?.startsWith("spec.server.auth"))).toEqual([]);
    }
  });
});

describe("IAP with a custom OAuth client", () => {
  const oauthClient = { clientId: "1234-abc.apps.googleusercontent.com" };

  test("an ExternalSecret writes the client's secret in the forms the Gateway and the Ingress read", async () => {
    const out = render(withServer({ gateway: shared, auth: { iap: { oauthClient } } }));
    const secret = named(out, "ExternalSecret").find((o) => o.metadata?.name === "mlflow-iap-oauth")!;
    expect(secret.spec.target.template.data).toEqual({
      key: "{{ .clientSecret }}",
      client_id: "1234-abc.apps.googleusercontent.com",
      client_secret: "{{ .clientSecret }}",
    });
    expect(secret.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key])).toEqual([
      ["clientSecret", "zenml-mlflow-iap-client-secret"],
    ]);
    expect(find(out, "GCPBackendPolicy").spec.default.iap).toEqual({
      enabled: true,
      clientID: "1234-abc.apps.googleusercontent.com",
      oauth2ClientSecret: { name: "mlflow-iap-oauth" },
    });
    expect(await allSchemaErrors(out)).toEqual([]);
  });

  test("the BackendConfig names the same Secret", async () => {
    const out = render(withServer({ ingress: { host: "m.example.com" }, auth: { iap: { oauthClient } } }));
    const bc = find(out, "BackendConfig");
    expect(bc.spec.iap).toEqual({ enabled: true, oauthclientCredentials: { secretName: "mlflow-iap-oauth" } });
    expect(await allSchemaErrors(out)).toEqual([]);
  });

  test("none without it; a client id of another form is refused; iap settings with basic-auth warn", () => {
    const out = render(withServer({ gateway: shared }));
    expect(named(out, "ExternalSecret").map((o) => o.metadata?.name)).toEqual(["mlflow-database-secret"]);
    const bad = run({ image: IMAGE, gateway: shared, auth: { iap: { oauthClient: { clientId: "my-client" } } } });
    expect(bad.ok).toBe(false);
    expect(bad.results.find((r) => r.field?.path === "spec.server.auth.iap.oauthClient.clientId")?.message).toMatch(
      /googleusercontent/,
    );
    const unused = run({ image: IMAGE, gateway: shared, auth: { mode: "basic-auth", iap: { oauthClient } } });
    expect(unused.results.find((r) => r.field?.path === "spec.server.auth.iap")?.message).toMatch(/not used/);
  });
});

test("IAP behind an Ingress without TLS: the plain-HTTP warning says IAP needs HTTPS", () => {
  const iap = run({ image: IMAGE, ingress: { host: "m.example.com" } });
  expect(iap.results.find((r) => r.field?.path === "spec.server.ingress.clusterIssuer")?.message).toMatch(
    /Identity-Aware Proxy works only behind HTTPS/,
  );
  const basic = run({ image: IMAGE, ingress: { host: "m.example.com", className: "nginx" } });
  expect(basic.results.find((r) => r.field?.path === "spec.server.ingress.clusterIssuer")?.message).not.toMatch(
    /Identity-Aware Proxy/,
  );
});
