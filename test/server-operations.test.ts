/**
 * The server as an operator runs it: Prometheus metrics (flag, PodMonitoring, NetworkPolicy,
 * allowed hosts), the database pool settings and their warning, and uvicorn's proxy headers
 * and keepalive behind Google's load balancers.
 */
import { applyDefaults, resolve } from "../function/config/defaults.js";
import type { ServerSpec } from "../function/config/types.js";
import { maxConnections } from "../function/config/validate-operations.js";
import { allowedHosts } from "../function/resources/server/allowed-hosts.js";
import { allSchemaErrors, schemaErrors } from "./helpers/schemas.js";
import { find, IMAGE, render, withServer, type Obj, renderList } from "./helpers/server.js";

const shared = { host: "mlflow.example.com", parentRef: { name: "shared", namespace: "gateways" } };
const defaulted = (server: Record<string, unknown>) =>
  applyDefaults(withServer(server as Partial<ServerSpec>)).spec.server!;
const mlflow = (out: Obj[]) => find(out, "Deployment").spec.template.spec.containers[0];
const env = (out: Obj[]) => Object.fromEntries(mlflow(out).env.map((e: any) => [e.name, e.value]));

const run = (server: Record<string, unknown>) => renderList(withServer(server as Partial<ServerSpec>));

describe("metrics", () => {
  const out = render(withServer({ gateway: shared, metrics: { enabled: true } }));

  test("--expose-prometheus into a directory under the writable /tmp", () => {
    expect(mlflow(out).args).toContain("--expose-prometheus=/tmp/prometheus-metrics");
    expect(mlflow(out).volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
  });

  test("a PodMonitoring of the server's pods on the named port, validated against its CRD", async () => {
    const pm = find(out, "PodMonitoring");
    expect(pm.apiVersion).toBe("monitoring.googleapis.com/v1");
    expect(pm.spec).toEqual({
      selector: { matchLabels: find(out, "Deployment").spec.selector.matchLabels },
      endpoints: [{ port: "http", path: "/metrics", interval: "60s" }],
    });
    expect(await allSchemaErrors(out)).toEqual([]);
    expect((await schemaErrors({ ...pm, spec: { ...pm.spec, scrapeInterval: "1m" } })).join("\n")).toMatch(
      /scrapeInterval/,
    );
  });

  test("the NetworkPolicy admits the managed collectors' namespaces", () => {
    const from = find(out, "NetworkPolicy", "mlflow").spec.ingress[0].from;
    for (const ns of ["gmp-system", "gke-gmp-system"]) {
      expect(from).toContainEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
    }
  });

  test("allowed hosts admit a pod address with port 5000, which the collector sends", () => {
    const hosts = allowedHosts(resolve(withServer({ gateway: shared, metrics: { enabled: true } })));
    expect(hosts).toContain("10.*:5000");
    expect(allowedHosts(resolve(withServer({ gateway: shared })))).not.toContain("10.*:5000");
  });

  test("nothing of it when off, or when absent", () => {
    for (const server of [{ gateway: shared }, { gateway: shared, metrics: { enabled: false } }]) {
      const o = render(withServer(server));
      expect(o.map((x) => x.kind)).not.toContain("PodMonitoring");
      expect(mlflow(o).args.some((a: string) => a.startsWith("--expose-prometheus"))).toBe(false);
    }
  });

  test("refused with basic-auth, which protects /metrics", () => {
    const { ok, results, generated } = run({
      image: IMAGE,
      gateway: shared,
      auth: { mode: "basic-auth" },
      metrics: { enabled: true },
    });
    expect(ok).toBe(false);
    expect(generated).toEqual([]);
    const hit = results.find((r) => r.severity === "error" && r.field?.path === "spec.server.metrics.enabled");
    expect(hit?.message).toMatch(/basic-auth/);
  });

  test("an interval that is not a Prometheus duration is refused", () => {
    const { ok, results } = run({ image: IMAGE, metrics: { enabled: true, interval: "1 minute" } });
    expect(ok).toBe(false);
    expect(results.find((r) => r.field?.path === "spec.server.metrics.interval")?.message).toMatch(
      /Prometheus duration/,
    );
  });
});

describe("database pool", () => {
  test("each setting becomes MLflow's variable; unset ones are left to SQLAlchemy", () => {
    const all = env(render(withServer({ databasePool: { size: 3, maxOverflow: 0, recycleSeconds: 1800 } })));
    expect(all).toMatchObject({
      MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: "3",
      MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: "0",
      MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE: "1800",
    });
    const none = env(render(withServer()));
    expect(Object.keys(none).filter((k) => k.startsWith("MLFLOW_SQLALCHEMYSTORE_"))).toEqual([]);
  });

  test("the connection count: workers x (pods + 1) x engines x (size + overflow)", () => {
    expect(maxConnections(defaulted({ image: IMAGE })).total).toBe(2 * 2 * 1 * 15);
    expect(
      maxConnections(defaulted({ image: IMAGE, workers: 4, replicas: 3, databasePool: { size: 2, maxOverflow: 1 } }))
        .total,
    ).toBe(4 * 4 * 3);
    expect(maxConnections(defaulted({ image: IMAGE, replicas: 2, autoscaling: { maxReplicas: 6 } })).total).toBe(
      2 * 7 * 15,
    );
    const basic = { image: IMAGE, ingress: { host: "m.example.com", className: "nginx" } };
    expect(maxConnections(defaulted(basic)).total).toBe(2 * 2 * 2 * 15);
  });

  test("warns when the server can open more connections than connectionLimit", () => {
    const server = {
      image: IMAGE,
      workers: 4,
      autoscaling: { maxReplicas: 5 },
      databasePool: { size: 5, maxOverflow: 5, connectionLimit: 100 },
    };
    const { ok, results } = run(server);
    expect(ok).toBe(true);
    const hit = results.find(
      (r) => r.severity === "warning" && r.field?.path === "spec.server.databasePool.connectionLimit",
    );
    expect(hit?.message).toMatch(
      /below the 240 database connections .*4 workers x 6 pods \(autoscaling.maxReplicas \+ 1/,
    );
  });

  test("no warning within the limit, or without one", () => {
    for (const pool of [{ size: 2, maxOverflow: 0, connectionLimit: 100 }, { size: 50 }]) {
      const { results } = run({ image: IMAGE, databasePool: pool });
      expect(results.filter((r) => r.field?.path?.startsWith("spec.server.databasePool"))).toEqual([]);
    }
  });

  test("refuses a pool size of 0 and an unknown field", () => {
    expect(
      run({ image: IMAGE, databasePool: { size: 0 } }).results.find(
        (r) => r.field?.path === "spec.server.databasePool.size",
      )?.message,
    ).toMatch(/at least 1/);
    expect(run({ image: IMAGE, databasePool: { poolSize: 3 } }).ok).toBe(false);
  });
});

describe("uvicorn behind Google's load balancers", () => {
  const opts = (out: Obj[]) => mlflow(out).args.filter((a: string) => a.startsWith("--uvicorn-opts="));

  test("a Gateway or GKE Ingress: proxy headers from the load balancer's ranges, keepalive above its 600 s", () => {
    const expected = [
      "--uvicorn-opts=--proxy-headers --forwarded-allow-ips=35.191.0.0/16,130.211.0.0/22 --timeout-keep-alive=620",
    ];
    expect(opts(render(withServer({ gateway: shared })))).toEqual(expected);
    expect(opts(render(withServer({ ingress: { host: "m.example.com" } })))).toEqual(expected);
  });

  test("an internal load balancer: the proxy-only subnet too", () => {
    const out = render(
      withServer({
        ingress: { host: "m.example.com", className: "gce-internal" },
        networkPolicy: { proxyOnlySubnetCidrs: ["10.129.0.0/23"] },
      }),
    );
    expect(opts(out)).toEqual([
      "--uvicorn-opts=--proxy-headers --forwarded-allow-ips=35.191.0.0/16,130.211.0.0/22,10.129.0.0/23 " +
        "--timeout-keep-alive=620",
    ]);
  });

  test("no options without Google's load balancer (ClusterIP, another ingress controller)", () => {
    expect(opts(render(withServer()))).toEqual([]);
    expect(opts(render(withServer({ ingress: { host: "m.example.com", className: "nginx" } })))).toEqual([]);
  });
});
