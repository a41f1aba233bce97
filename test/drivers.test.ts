/**
 * Drivers the image lacks: MLflow's -full images carry PyMySQL and psycopg2 (the `db` extra,
 * mlflow docker/Dockerfile.full), its base image none (docker/Dockerfile). With spec.server, any
 * other driver, or the base image, is refused naming the field, unless spec.server.customImage
 * says the image is a build of one's own.
 */
import type { DatabaseDriver, MlflowConfig } from "../function/config/types.js";
import { IMAGE, withServer, renderList } from "./helpers/server.js";

function run(config: MlflowConfig) {
  const { ok, results, generated } = renderList(config);
  const errors = results.filter((r) => r.severity === "error").map((r) => `${r.field?.path}: ${r.message}`);
  return { ok, errors, generated: generated.length };
}
const withDriver = (driver: DatabaseDriver, server: Parameters<typeof withServer>[0] = {}) =>
  withServer(server, { database: { driver } });

test.each<DatabaseDriver>(["mysqldb", "mysqlconnector", "pg8000"])(
  "%s with MLflow's image is refused, naming spec.database.driver",
  (driver) => {
    const r = run(withDriver(driver));
    expect([r.ok, r.generated]).toEqual([false, 0]);
    expect(r.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^spec\\.database\\.driver: spec\\.database\\.driver \\(${driver}\\) is not in MLflow's images.*customImage`,
        ),
      ),
    ]);
  },
);

test.each<DatabaseDriver>(["mysqldb", "mysqlconnector", "pg8000"])(
  "%s with spec.server.customImage: true renders",
  (driver) => {
    const r = run(
      withDriver(driver, { image: "europe-docker.pkg.dev/p-123456/ml/mlflow:3.10.0-drivers", customImage: true }),
    );
    expect([r.ok, r.errors]).toEqual([true, []]);
  },
);

test.each<DatabaseDriver>(["pymysql", "psycopg2"])("%s, which the -full images carry, renders", (driver) => {
  expect(run(withDriver(driver)).errors).toEqual([]);
});

test.each<DatabaseDriver>(["mysqldb", "pg8000"])(
  "%s without spec.server (no image of ours runs it) renders",
  (driver) => {
    const config = withDriver(driver);
    delete config.spec.server;
    expect(run(config).errors).toEqual([]);
  },
);

test.each([
  ["a version", "ghcr.io/mlflow/mlflow:v3.10.0"],
  ["no tag", "ghcr.io/mlflow/mlflow"],
  ["a version and a digest", `ghcr.io/mlflow/mlflow:v3.10.0@sha256:${"a".repeat(64)}`],
])("MLflow's base image (%s) is refused, naming spec.server.image", (_name, image) => {
  const r = run(withServer({ image }));
  expect(r.ok).toBe(false);
  expect(r.errors).toEqual([expect.stringMatching(/^spec\.server\.image: .*base image, which has no database driver/)]);
});

test("the -full image, and a digest alone, render", () => {
  expect(run(withServer({ image: IMAGE })).errors).toEqual([]);
  expect(run(withServer({ image: `ghcr.io/mlflow/mlflow@sha256:${"a".repeat(64)}` })).errors).toEqual([]);
});
