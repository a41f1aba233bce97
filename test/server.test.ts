/**
 * The tracking server objects (spec.server): what each must carry, decision by decision.
 * Byte-for-byte output is in the golden folders test/golden/server-*.
 */
import { resolve } from "../function/config/defaults.js";
import { mlflowConfigSchema } from "../function/config/schema.js";
import { buildAll } from "../function/resources/index.js";
import { allowedHosts, corsAllowedOrigins, serviceNames } from "../function/resources/server/allowed-hosts.js";
import { MIGRATION_SCRIPT } from "../function/resources/server/migration.js";
import { GKE_METADATA_SERVER, GOOGLE_API_CIDRS, GOOGLE_LB_RANGES } from "../function/resources/server/policy.js";
import { allSchemaErrors } from "./helpers/schemas.js";
import { find, IMAGE, podSpecs, render, withServer, type Obj } from "./helpers/server.js";

const WAVE = "argocd.argoproj.io/sync-wave";
const annotations = (o: Obj) => (o.metadata?.annotations ?? {}) as Record<string, string>;
const mlflow = (o: Obj) => o.spec.template.spec.containers.find((c: any) => c.name === "mlflow");
const env = (c: any) => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe("without spec.server", () => {
  test("no server object is generated", () => {
    const { server: _omit, ...spec } = withServer().spec;
    const kinds = render({ ...withServer(), spec }).map((o) => o.kind);
    for (const kind of [
      "Deployment",
      "Service",
      "Job",
      "Ingress",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "HorizontalPodAutoscaler",
    ])
      expect(kinds).not.toContain(kind);
  });
});

/** The server's own NetworkPolicy (server/policy.ts), not the namespace's default deny. */
function serverPolicy(objects: Obj[]): Obj {
  const o = objects.find((x) => x.kind === "NetworkPolicy" && x.metadata?.name === "mlflow");
  if (!o) throw new Error("no NetworkPolicy mlflow");
  return o;
}

describe("minimal server", () => {
  const objects = render(withServer());
  const deployment = find(objects, "Deployment");
  const container = mlflow(deployment);

  test("emits the NetworkPolicy, migration Job, Deployment and Service, and no optional object", () => {
    const server = objects.filter(
      (o) =>
        (o.metadata?.labels as any)["app.kubernetes.io/component"] !== undefined &&
        ["tracking-server", "migration"].includes((o.metadata?.labels as any)["app.kubernetes.io/component"]),
    );
    expect(server.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      "NetworkPolicy/mlflow-default-deny",
      "NetworkPolicy/mlflow",
      "Job/mlflow-db-migrate",
      "Deployment/mlflow",
      "Service/mlflow",
    ]);
  });

  test("every object validates against its upstream schema", async () => {
    expect(await allSchemaErrors(objects)).toEqual([]);
  });

  test("the selectors use the app.kubernetes.io/name every object carries", () => {
    const name = (labels: any) => labels["app.kubernetes.io/name"];
    expect(new Set(objects.map((o) => name(o.metadata?.labels)))).toEqual(new Set(["mlflow"]));
    for (const kind of ["Deployment", "Service", "NetworkPolicy"]) {
      const o = kind === "NetworkPolicy" ? serverPolicy(objects) : find(objects, kind);
      const selector =
        kind === "Service"
          ? o.spec.selector
          : kind === "Deployment"
            ? o.spec.selector.matchLabels
            : o.spec.podSelector.matchLabels;
      expect([kind, name(selector)]).toEqual([kind, "mlflow"]);
    }
  });

  test("runs mlflow server on 0.0.0.0:5000, serving artifacts from the bucket, with the configured workers", () => {
    expect(container.image).toBe(IMAGE);
    expect(container.command).toEqual(["mlflow"]);
    expect(container.args).toEqual([
      "server",
      "--host=0.0.0.0",
      "--port=5000",
      "--serve-artifacts",
      "--artifacts-destination=gs://zenml-mlflow-artifacts",
      "--workers=2",
    ]);
  });

  test("the backend store URI comes from the secret through the environment, never the command line", () => {
    expect(env(container).MLFLOW_BACKEND_STORE_URI).toEqual({
      secretKeyRef: { name: "mlflow-database-secret", key: "connection-url" },
    });
    for (const { spec } of podSpecs(objects)) {
      const commandLines = JSON.stringify(
        [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => [c.command, c.args]),
      );
      expect(commandLines).not.toMatch(/--backend-store-uri|mysql\+pymysql:|\$\(MLFLOW_BACKEND_STORE_URI\)/);
    }
    const job = find(objects, "Job").spec.template.spec.containers[0];
    expect(env(job).MLFLOW_BACKEND_STORE_URI).toEqual({
      secretKeyRef: { name: "mlflow-database-secret", key: "connection-url" },
    });
    expect(job.args[0]).toContain('mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI"');
  });

  test("runs as the Workload Identity service account, without a mounted API token or service links", () => {
    for (const { spec } of podSpecs(objects)) {
      expect(spec.serviceAccountName).toBe("mlflow");
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.enableServiceLinks).toBe(false);
    }
  });

  test("startup, readiness and liveness probes all hit /health on the http port", () => {
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"])
      expect(container[probe].httpGet).toEqual({ path: "/health", port: "http" });
    expect(container.ports).toEqual([{ name: "http", containerPort: 5000, protocol: "TCP" }]);
  });

  test("rolls out without ever going below the desired count", () => {
    expect(deployment.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test("/tmp is an emptyDir with a size limit on a read-only root filesystem", () => {
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "4Gi" } }]);
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(env(container).HOME).toBe("/tmp");
  });

  test("Service: ClusterIP, port 80 to the named container port 5000", () => {
    const service = find(objects, "Service");
    expect(service.spec.type).toBe("ClusterIP");
    expect(service.spec.ports).toEqual([
      { name: "http", port: 80, targetPort: "http", protocol: "TCP", appProtocol: "http" },
    ]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
  });

  test("sync waves: NetworkPolicy 0, ExternalSecret 1, migration hook 2, server 3", () => {
    expect(annotations(serverPolicy(objects))[WAVE]).toBe("0");
    expect(annotations(find(objects, "ExternalSecret"))[WAVE]).toBe("1");
    expect(annotations(find(objects, "Job"))[WAVE]).toBe("2");
    for (const kind of ["Deployment", "Service"]) expect(annotations(find(objects, kind))[WAVE]).toBe("3");
  });

  test("the migration Job is an Argo CD Sync hook that replaces its previous run and never retries", () => {
    const job = find(objects, "Job");
    expect(annotations(job)).toMatchObject({
      "argocd.argoproj.io/hook": "Sync",
      "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    });
    expect(job.spec.backoffLimit).toBe(0); // MLflow's migrations are not transactional
    expect(job.spec.template.spec.restartPolicy).toBe("Never");
    expect(job.spec.template.spec.containers[0].command).toEqual(["sh", "-c"]);
    expect(job.spec.template.spec.containers[0].args).toEqual([MIGRATION_SCRIPT]);
  });
});

describe("MLFLOW_SERVER_ALLOWED_HOSTS", () => {
  test("every in-cluster name of the Service, bare, with :80 and with :5000, then localhost for port-forward", () => {
    const config = resolve(withServer({}, { namespace: "mlops" }));
    const names = ["mlflow", "mlflow.mlops", "mlflow.mlops.svc", "mlflow.mlops.svc.cluster.local"];
    expect(serviceNames(config)).toEqual(names);
    expect(allowedHosts(config)).toEqual([
      ...names.flatMap((n) => [n, `${n}:80`, `${n}:5000`]),
      "localhost",
      "localhost:*",
      "127.0.0.1",
      "127.0.0.1:*",
    ]);
  });

  test("the ingress host, then the user's extra entries, without duplicates", () => {
    const config = resolve(
      withServer({
        ingress: { host: "mlflow.example.com" },
        allowedHosts: ["mlflow.internal", "mlflow", "*.corp.example"],
      }),
    );
    const hosts = allowedHosts(config);
    expect(hosts).toContain("mlflow.example.com");
    expect(hosts.slice(-2)).toEqual(["mlflow.internal", "*.corp.example"]);
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(hosts.indexOf("mlflow.example.com")).toBeLessThan(hosts.indexOf("mlflow.internal"));
  });

  test("is what the Deployment sets, comma-separated without spaces (MLflow strips each entry)", () => {
    const config = withServer({ ingress: { host: "mlflow.example.com", clusterIssuer: "letsencrypt-prod" } });
    const value = env(mlflow(find(render(config), "Deployment"))).MLFLOW_SERVER_ALLOWED_HOSTS;
    expect(value).toBe(allowedHosts(resolve(config)).join(","));
    expect(value).not.toMatch(/\s/);
  });

  test("matches the Host headers clients send, with MLflow's matching rule (exact, or fnmatch with '*')", () => {
    const hosts = allowedHosts(resolve(withServer({ ingress: { host: "mlflow.example.com" } })));
    const fnmatch = (pattern: string, value: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);
    const allowed = (host: string) => hosts.some((h) => (h.includes("*") ? fnmatch(h, host) : h === host));
    for (const host of [
      "mlflow",
      "mlflow.mlflow",
      "mlflow.mlflow.svc.cluster.local",
      "mlflow.mlflow.svc.cluster.local:80",
      "mlflow.mlflow:5000",
      "mlflow.example.com",
      "localhost:5000",
      "127.0.0.1:8080",
    ])
      expect([host, allowed(host)]).toEqual([host, true]);
    for (const host of [
      "evil.example",
      "mlflow.example.com.evil.example",
      "10.0.0.7:5000",
      "mlflow.other",
      "mlflow.mlflow:8080",
    ])
      expect([host, allowed(host)]).toEqual([host, false]);
  });

  test("CORS origins only with an ingress: https with TLS, http and https without", () => {
    expect(corsAllowedOrigins(resolve(withServer()))).toEqual([]);
    expect(
      corsAllowedOrigins(resolve(withServer({ ingress: { host: "m.example.com", clusterIssuer: "le" } }))),
    ).toEqual(["https://m.example.com"]);
    expect(corsAllowedOrigins(resolve(withServer({ ingress: { host: "m.example.com" } })))).toEqual([
      "https://m.example.com",
      "http://m.example.com",
    ]);
    expect(env(mlflow(find(render(withServer()), "Deployment"))).MLFLOW_SERVER_CORS_ALLOWED_ORIGINS).toBeUndefined();
  });
});

describe("ingress", () => {
  test("the default class is gce, GKE's own Ingress", () => {
    expect(mlflowConfigSchema.properties.spec.properties.server.properties.ingress.properties.className.default).toBe(
      "gce",
    );
    const ingress = find(render(withServer({ ingress: { host: "mlflow.example.com" } })), "Ingress");
    expect(annotations(ingress)["kubernetes.io/ingress.class"]).toBe("gce");
  });

  test("nginx annotations for large, slow uploads; no TLS without a cluster issuer", () => {
    const nginx = { host: "mlflow.example.com", className: "nginx" };
    const ingress = find(render(withServer({ ingress: nginx })), "Ingress");
    expect(annotations(ingress)).toMatchObject({
      "nginx.ingress.kubernetes.io/proxy-body-size": "1g",
      "nginx.ingress.kubernetes.io/proxy-read-timeout": "600",
      "nginx.ingress.kubernetes.io/proxy-send-timeout": "600",
      "nginx.ingress.kubernetes.io/proxy-request-buffering": "off",
    });
    expect(annotations(ingress)["cert-manager.io/cluster-issuer"]).toBeUndefined();
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.spec.ingressClassName).toBe("nginx");
    expect(ingress.spec.rules).toEqual([
      {
        host: "mlflow.example.com",
        http: {
          paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "mlflow", port: { name: "http" } } } }],
        },
      },
    ]);
  });

  test("cert-manager issues the TLS certificate when clusterIssuer is set", () => {
    const ingress = find(
      render(
        withServer({
          ingress: {
            host: "mlflow.example.com",
            clusterIssuer: "letsencrypt-prod",
            className: "internal",
            maxBodySize: "5g",
          },
        }),
      ),
      "Ingress",
    );
    expect(annotations(ingress)["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-prod");
    expect(annotations(ingress)["nginx.ingress.kubernetes.io/proxy-body-size"]).toBe("5g");
    expect(ingress.spec.tls).toEqual([{ hosts: ["mlflow.example.com"], secretName: "mlflow-tls" }]);
    expect(ingress.spec.ingressClassName).toBe("internal");
  });
});

describe("GKE's own Ingress (className gce, gce-internal)", () => {
  test.each(["gce", "gce-internal"])(
    "%s: the class in the kubernetes.io/ingress.class annotation, no ingressClassName, no nginx annotations",
    (className) => {
      const out = render(
        withServer({ ingress: { host: "mlflow.example.com", className, clusterIssuer: "letsencrypt-prod" } }),
      );
      const ingress = find(out, "Ingress");
      expect(annotations(ingress)).toEqual({
        [WAVE]: "3",
        "kubernetes.io/ingress.class": className,
        "cert-manager.io/cluster-issuer": "letsencrypt-prod",
      });
      expect(ingress.spec.ingressClassName).toBeUndefined();
      expect(ingress.spec.tls).toEqual([{ hosts: ["mlflow.example.com"], secretName: "mlflow-tls" }]);
      expect(annotations(find(out, "Service"))).toEqual({
        [WAVE]: "3",
        "cloud.google.com/neg": '{"ingress": true}',
        "cloud.google.com/backend-config": '{"default":"mlflow"}',
      });
    },
  );

  test("other classes keep ingressClassName and a Service without the NEG annotation", () => {
    for (const className of ["nginx", "internal", "gce-like"]) {
      const out = render(withServer({ ingress: { host: "mlflow.example.com", className } }));
      expect([className, find(out, "Ingress").spec.ingressClassName]).toEqual([className, className]);
      expect(annotations(find(out, "Ingress"))["kubernetes.io/ingress.class"]).toBeUndefined();
      expect(annotations(find(out, "Service"))["cloud.google.com/neg"]).toBeUndefined();
    }
    expect(annotations(find(render(withServer()), "Service"))["cloud.google.com/neg"]).toBeUndefined();
  });

  const fromOf = (server: Parameters<typeof withServer>[0]) => serverPolicy(render(withServer(server))).spec.ingress;
  const lb = [{ ipBlock: { cidr: "35.191.0.0/16" } }, { ipBlock: { cidr: "130.211.0.0/22" } }];

  test(
    "gce: the NetworkPolicy admits Google's health check and GFE ranges on 5000 instead of a controller " + "namespace",
    () => {
      expect(GOOGLE_LB_RANGES).toEqual(["35.191.0.0/16", "130.211.0.0/22"]);
      const zenml = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "zenml" } } };
      // IAP (the default behind gce): not the instance's own namespace, which would bypass the check.
      expect(
        fromOf({
          ingress: { host: "m.example.com", className: "gce" },
          networkPolicy: { clientNamespaces: ["zenml"] },
        }),
      ).toEqual([{ from: [...lb, zenml], ports: [{ protocol: "TCP", port: 5000 }] }]);
      const basic = { host: "m.example.com", className: "gce" };
      const clients = { clientNamespaces: ["zenml"] };
      expect(fromOf({ ingress: basic, auth: { mode: "basic-auth" }, networkPolicy: clients })[0].from).toEqual([
        ...lb,
        { podSelector: {} },
        zenml,
      ]);
    },
  );

  test("gce-internal: the health check ranges plus the proxy-only subnet; the subnet only with gce-internal", () => {
    const networkPolicy = { proxyOnlySubnetCidrs: ["10.129.0.0/23"] };
    const internal = { host: "m.example.com", className: "gce-internal" };
    expect(fromOf({ ingress: internal, networkPolicy })[0].from).toEqual([
      ...lb,
      { ipBlock: { cidr: "10.129.0.0/23" } },
    ]);
    expect(fromOf({ ingress: { host: "m.example.com", className: "gce-internal" } })[0].from).toEqual(lb);
    expect(fromOf({ ingress: { host: "m.example.com", className: "gce" }, networkPolicy })[0].from).toEqual(lb);
    expect(fromOf({ ingress: { host: "m.example.com", className: "nginx" }, networkPolicy })[0].from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
      { podSelector: {} },
    ]);
  });

  test("every object validates against its upstream schema", async () => {
    const out = render(
      withServer({
        ingress: { host: "m.example.com", className: "gce-internal", clusterIssuer: "le" },
        networkPolicy: { proxyOnlySubnetCidrs: ["10.129.0.0/23"] },
      }),
    );
    expect(await allSchemaErrors(out)).toEqual([]);
  });
});

describe("Cloud SQL Auth Proxy", () => {
  const objects = render(
    withServer({
      cloudSqlProxy: { instanceConnectionName: "zenml-470505:australia-southeast1:zenml-mysql", privateIp: true },
    }),
  );

  test("is a native sidecar (init container, restartPolicy Always) in both pods, with a startup probe", () => {
    for (const { owner, spec } of podSpecs(objects)) {
      const [proxy] = spec.initContainers;
      expect([owner, proxy.name, proxy.restartPolicy]).toEqual([owner, "cloud-sql-proxy", "Always"]);
      expect(proxy.args).toEqual([
        "--structured-logs",
        "--port=3306",
        "--private-ip",
        "--health-check",
        "--http-address=0.0.0.0",
        "--http-port=9090",
        "--exit-zero-on-sigterm",
        "zenml-470505:australia-southeast1:zenml-mysql",
      ]);
      expect(proxy.startupProbe.httpGet).toEqual({ path: "/startup", port: "proxy-health" });
      expect(proxy.livenessProbe.httpGet).toEqual({ path: "/liveness", port: "proxy-health" });
      expect(proxy.readinessProbe).toBeUndefined();
    }
  });

  test("listens on the port the connection URL points at, for MySQL and PostgreSQL", () => {
    const ports = { pymysql: 3306, mysqldb: 3306, mysqlconnector: 3306, psycopg2: 5432, pg8000: 5432 } as const;
    for (const [driver, port] of Object.entries(ports) as [keyof typeof ports, number][]) {
      const config = withServer(
        { cloudSqlProxy: { instanceConnectionName: "p-123456:europe-west1:db" } },
        { database: { driver } },
      );
      const out = render(config);
      expect([driver, resolve(config).database.port]).toEqual([driver, port]);
      const url: string = find(out, "ExternalSecret").spec.target.template.data["connection-url"];
      expect(url).toContain(`@127.0.0.1:${port}/`);
      expect(find(out, "Deployment").spec.template.spec.initContainers[0].args).toContain(`--port=${port}`);
      // Without the proxy, the NetworkPolicy's database rule uses the same port.
      const direct = render(withServer({}, { database: { driver } }));
      expect(serverPolicy(direct).spec.egress.at(-1).ports).toEqual([{ protocol: "TCP", port }]);
    }
  });

  test("no --private-ip unless asked; egress to the instance on 3307 instead of the database port", () => {
    const out = render(withServer({ cloudSqlProxy: { instanceConnectionName: "p-123456:europe-west1:db" } }));
    expect(find(out, "Deployment").spec.template.spec.initContainers[0].args).not.toContain("--private-ip");
    const ports = serverPolicy(out).spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port));
    expect(ports).toContain(3307);
    expect(ports).not.toContain(3306);
  });

  test("without the proxy there is no init container", () => {
    for (const { spec } of podSpecs(render(withServer()))) expect(spec.initContainers).toBeUndefined();
  });
});

describe("availability", () => {
  test("one replica: no PodDisruptionBudget, no topology spread, no autoscaler", () => {
    const kinds = render(withServer()).map((o) => o.kind);
    expect(kinds).not.toContain("PodDisruptionBudget");
    expect(kinds).not.toContain("HorizontalPodAutoscaler");
  });

  test("more than one replica: PDB (maxUnavailable 1) and spread across zones and nodes", () => {
    const out = render(withServer({ replicas: 3 }));
    const pdb = find(out, "PodDisruptionBudget");
    const deployment = find(out, "Deployment");
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: deployment.spec.selector,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    });
    expect(deployment.spec.replicas).toBe(3);
    const spread = deployment.spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: any) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ["topology.kubernetes.io/zone", "ScheduleAnyway"],
      ["kubernetes.io/hostname", "DoNotSchedule"],
    ]);
    for (const c of spread) expect(c.labelSelector).toEqual(deployment.spec.selector);
  });

  test("autoscaling: an autoscaling/v2 HPA on CPU, a PDB, and no replicas field for Argo CD to reset", () => {
    const out = render(withServer({ autoscaling: { maxReplicas: 6 }, replicas: 2 }));
    const hpa = find(out, "HorizontalPodAutoscaler");
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "mlflow" },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 75 } } },
      ],
    });
    expect(find(out, "Deployment").spec.replicas).toBeUndefined();
    expect(find(out, "PodDisruptionBudget")).toBeDefined();
    for (const kind of ["HorizontalPodAutoscaler", "PodDisruptionBudget"])
      expect(annotations(find(out, kind))[WAVE]).toBe("3");
  });
});

describe("NetworkPolicy", () => {
  const policyOf = (config = withServer()) => serverPolicy(render(config)).spec;

  test("selects the server and migration pods, restricting both directions", () => {
    const out = render(withServer());
    const spec = serverPolicy(out).spec;
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
    const selects = (labels: Record<string, string>) =>
      Object.entries(spec.podSelector.matchLabels).every(([k, v]) => labels[k] === v) &&
      spec.podSelector.matchExpressions.every((e: any) => e.operator === "In" && e.values.includes(labels[e.key]));
    for (const kind of ["Deployment", "Job"])
      expect([kind, selects(find(out, kind).spec.template.metadata.labels)]).toEqual([kind, true]);
  });

  test(
    "ingress: only port 5000, from the same namespace; the ingress controller's namespace only with an " + "ingress",
    () => {
      expect(policyOf().ingress).toEqual([{ from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 5000 }] }]);
      const nginx = { host: "m.example.com", className: "nginx" };
      const withIngress = policyOf(withServer({ ingress: nginx, networkPolicy: { clientNamespaces: ["zenml"] } }));
      expect(withIngress.ingress[0].from).toEqual([
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
        { podSelector: {} },
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "zenml" } } },
      ]);
      const custom = policyOf(withServer({ ingress: nginx, networkPolicy: { ingressControllerNamespace: "gateway" } }));
      expect(custom.ingress[0].from[0]).toEqual({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway" } },
      });
    },
  );

  test("egress: DNS, both GKE metadata server endpoints, Google APIs on 443 and the database, nothing else", () => {
    const rules = policyOf().egress.map((r: any) => ({
      to: r.to.map((t: any) => t.ipBlock?.cidr ?? "kube-dns"),
      ports: r.ports.map((p: any) => `${p.port}/${p.protocol}`),
    }));
    expect(rules).toEqual([
      { to: ["kube-dns", "169.254.20.10/32", "169.254.169.254/32"], ports: ["53/UDP", "53/TCP"] },
      { to: ["169.254.169.254/32"], ports: ["80/TCP"] },
      { to: ["169.254.169.252/32"], ports: ["988/TCP"] },
      { to: ["0.0.0.0/0"], ports: ["443/TCP"] },
      { to: ["0.0.0.0/0"], ports: ["3306/TCP"] },
    ]);
    expect(GKE_METADATA_SERVER.map((m) => `${m.cidr}:${m.port}`)).toEqual([
      "169.254.169.254/32:80",
      "169.254.169.252/32:988",
    ]);
  });

  test("443 goes to any address unless googleApis names a Private Google Access VIP", () => {
    const https = (googleApis?: "any" | "private" | "restricted") =>
      policyOf(withServer({ networkPolicy: googleApis ? { googleApis } : {} })).egress.filter((r: any) =>
        r.ports.some((p: any) => p.port === 443),
      );
    expect(GOOGLE_API_CIDRS).toEqual({ any: "0.0.0.0/0", private: "199.36.153.8/30", restricted: "199.36.153.4/30" });
    for (const [googleApis, cidr] of [
      [undefined, "0.0.0.0/0"],
      ["any", "0.0.0.0/0"],
      ["private", "199.36.153.8/30"],
      ["restricted", "199.36.153.4/30"],
    ] as const) {
      expect([googleApis, https(googleApis)]).toEqual([
        googleApis,
        [{ to: [{ ipBlock: { cidr } }], ports: [{ protocol: "TCP", port: 443 }] }],
      ]);
    }
  });

  test("the database rule follows the driver and databaseCidrs", () => {
    const pg = policyOf(
      withServer(
        { networkPolicy: { databaseCidrs: ["10.1.0.0/16", "10.2.0.0/16"] } },
        { database: { driver: "psycopg2" } },
      ),
    );
    expect(pg.egress.at(-1)).toEqual({
      to: [{ ipBlock: { cidr: "10.1.0.0/16" } }, { ipBlock: { cidr: "10.2.0.0/16" } }],
      ports: [{ protocol: "TCP", port: 5432 }],
    });
  });

  test("can be turned off, with the default deny", () => {
    expect(render(withServer({ networkPolicy: { enabled: false } })).map((o) => o.kind)).not.toContain("NetworkPolicy");
  });

  test("a namespace-wide default deny: every pod, both directions, nothing allowed, in wave 0", () => {
    const out = render(withServer());
    const deny = out.find((o) => o.kind === "NetworkPolicy" && o.metadata?.name === "mlflow-default-deny")!;
    expect(deny.metadata!.namespace).toBe("mlflow");
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(annotations(deny)[WAVE]).toBe("0");
    const policies = out.filter((o) => o.kind === "NetworkPolicy").map((o) => o.metadata!.name);
    expect(policies).toEqual(["mlflow-default-deny", "mlflow"]);
  });

  test("under the default deny every pod is selected by the server's policy, which opens what it needs", () => {
    const proxy = { cloudSqlProxy: { instanceConnectionName: "p:australia-southeast1:i" } };
    for (const config of [withServer(), withServer(proxy)]) {
      const out = render(config);
      const spec = serverPolicy(out).spec;
      const selects = (labels: Record<string, string>) =>
        Object.entries(spec.podSelector.matchLabels).every(([k, v]) => labels[k] === v) &&
        spec.podSelector.matchExpressions.every((e: any) => e.operator === "In" && e.values.includes(labels[e.key]));
      // Every object that makes pods (a pod template), whatever its kind.
      const owners = out.filter((o) => o.spec?.template?.spec !== undefined);
      expect(owners.map((o) => o.kind).sort()).toEqual(["Deployment", "Job"]);
      for (const o of owners) expect([o.kind, selects(o.spec.template.metadata.labels)]).toEqual([o.kind, true]);
      // What the migration Job needs: DNS, the metadata server (Workload Identity), 443, the database.
      const ports = spec.egress.flatMap((r: any) => r.ports.map((x: any) => x.port));
      expect(ports).toEqual(expect.arrayContaining([53, 80, 988, 443]));
    }
  });

  test("no default deny without the server: nothing else in the namespace runs pods", () => {
    const config = withServer();
    delete config.spec.server;
    const out = render(config);
    expect(out.some((o) => o.spec?.template !== undefined)).toBe(false);
    expect(out.map((o) => o.kind)).not.toContain("NetworkPolicy");
  });
});

describe("determinism", () => {
  test("the same config renders the same objects", () => {
    const config = withServer({
      replicas: 2,
      ingress: { host: "m.example.com", clusterIssuer: "le" },
      cloudSqlProxy: { instanceConnectionName: "p-123456:europe-west1:db" },
    });
    expect(JSON.stringify(render(config))).toBe(JSON.stringify(render(structuredClone(config))));
  });
});

describe("buildAll returns trees of their own", () => {
  /** Every object and array reachable from `value`, with the path it was first reached by. */
  const nodes = (value: unknown, path: string, seen: Map<object, string>, shared: string[]) => {
    if (typeof value !== "object" || value === null) return;
    if (seen.has(value)) return void shared.push(`${seen.get(value)} = ${path}`);
    seen.set(value, path);
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) shared.push(`${path}.${k} is undefined`);
      nodes(v, `${path}.${k}`, seen, shared);
    }
  };
  // The builders use the proxy's and the server's resources (from the config), the /tmp mount
  // (in the Deployment and the Job) and the spread's label selector twice each.
  const config = withServer(
    {
      replicas: 2,
      resources: { requests: { cpu: "1" } },
      ingress: { host: "m.example.com", clusterIssuer: "le" },
      cloudSqlProxy: { instanceConnectionName: "p-123456:europe-west1:db" },
      autoscaling: { maxReplicas: 4 },
    },
    { argocd: { repoURL: "https://github.com/example/mlops.git" }, labels: { team: "ml" } },
  );

  test("no sub-object is shared between objects, fields or the resolved config, and no field is undefined", () => {
    const resolved = resolve(config);
    const seen = new Map<object, string>();
    const problems: string[] = [];
    nodes(resolved, "config", seen, []);
    buildAll(resolved).forEach((o, i) => nodes(o, `objects[${i}]`, seen, problems));
    expect(problems).toEqual([]);
  });

  test("changing one returned object changes neither another nor the next render", () => {
    const resolved = resolve(config);
    const first = buildAll(resolved) as Obj[];
    const job = find(first, "Job").spec.template.spec;
    job.containers[0].volumeMounts[0].mountPath = "/elsewhere";
    job.initContainers[0].resources.limits.memory = "1Ti";
    const deployment = find(first, "Deployment").spec.template.spec;
    expect(deployment.containers[0].volumeMounts[0].mountPath).toBe("/tmp");
    expect(deployment.initContainers[0].resources.limits.memory).toBe("256Mi");
    expect(JSON.stringify(buildAll(resolved))).toBe(JSON.stringify(render(config)));
  });
});
