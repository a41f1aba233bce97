/**
 * Images by digest: every image (the server's and the proxy's, the proxy's default included)
 * may be pinned with @sha256:, and a tag-only reference is a warning naming its field.
 */
import type { ServerSpec } from "../function/config/types.js";
import { find, IMAGE, withServer, type Obj, renderList } from "./helpers/server.js";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const PROXY = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.25.3";
const CONNECTION = "zenml-470505:australia-southeast1:zenml-mysql";

function run(server: Partial<ServerSpec>) {
  const { ok, results, generated } = renderList(withServer(server));
  const warnings = results.filter((r) => r.severity === "warning" && /image/.test(r.field?.path ?? ""));
  return { ok, warnings: warnings.map((r) => `${r.field.path}: ${r.message}`), objects: generated };
}
const images = (objects: Obj[]) => {
  const pod = find(objects, "Deployment").spec.template.spec;
  return [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => c.image);
};

test("digests for both images: accepted, emitted as given, no warning", () => {
  const r = run({
    image: `${IMAGE}@${DIGEST}`,
    cloudSqlProxy: { instanceConnectionName: CONNECTION, image: `${PROXY}@${DIGEST}` },
  });
  expect(r.ok).toBe(true);
  expect(images(r.objects)).toEqual([`${PROXY}@${DIGEST}`, `${IMAGE}@${DIGEST}`]);
  expect(r.warnings).toEqual([]);
});

test("a digest without a tag is pinned, not 'latest'", () => {
  const r = run({
    image: `ghcr.io/mlflow/mlflow@${DIGEST}`,
    cloudSqlProxy: { instanceConnectionName: CONNECTION, image: `${PROXY}@${DIGEST}` },
  });
  expect([r.ok, r.warnings]).toEqual([true, []]);
});

test("a tag-only proxy image is a warning naming its field", () => {
  const r = run({ image: `${IMAGE}@${DIGEST}`, cloudSqlProxy: { instanceConnectionName: CONNECTION, image: PROXY } });
  expect(r.ok).toBe(true);
  expect(r.warnings).toEqual([
    expect.stringMatching(/^spec\.server\.cloudSqlProxy\.image: spec\.server\.cloudSqlProxy\.image has no digest/),
  ]);
});

test("the proxy's default image is tag-only too, and warned about as the default", () => {
  const r = run({ image: `${IMAGE}@${DIGEST}`, cloudSqlProxy: { instanceConnectionName: CONNECTION } });
  expect(images(r.objects)[0]).toBe(PROXY);
  expect(r.warnings).toEqual([expect.stringMatching(/cloudSqlProxy\.image \(the default\) has no digest/)]);
});

test("a proxy image without a tag or with latest: both warnings", () => {
  const r = run({
    image: `${IMAGE}@${DIGEST}`,
    cloudSqlProxy: { instanceConnectionName: CONNECTION, image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:latest" },
  });
  expect(r.warnings).toEqual([expect.stringMatching(/has no digest/), expect.stringMatching(/uses the latest tag/)]);
});

test("the server image without a digest is still a warning", () => {
  expect(run({ image: IMAGE }).warnings).toEqual([
    expect.stringMatching(/^spec\.server\.image: spec\.server\.image has no digest/),
  ]);
});
