/**
 * Rules for how the server is operated: metrics (spec.server.metrics) and the database
 * connection pool (spec.server.databasePool).
 */
import type { Result } from "../krm/results.js";
import { defaultAuthMode } from "./defaults.js";
import type { DefaultedServer } from "./types.js";
import { collector } from "./report.js";

/** SQLAlchemy's QueuePool defaults (pool_size 5, max_overflow 10), which MLflow keeps unless told. */
const POOL_DEFAULTS = { size: 5, maxOverflow: 10 } as const;

/**
 * The most connections the server can open at once: per uvicorn worker one engine for the
 * tracking store and, with basic-auth, one for the auth store, each up to size + overflow;
 * times the pods, which are maxReplicas under autoscaling, plus the one extra pod a rolling
 * update starts (maxSurge 1).
 */
export function maxConnections(server: DefaultedServer): { total: number; formula: string } {
  const pool = server.databasePool ?? {};
  const perEngine = (pool.size ?? POOL_DEFAULTS.size) + (pool.maxOverflow ?? POOL_DEFAULTS.maxOverflow);
  const workers = server.workers;
  const pods = (server.autoscaling?.maxReplicas ?? server.replicas) + 1;
  const engines = (server.auth?.mode ?? defaultAuthMode(server)) === "basic-auth" ? 2 : 1;
  const podsText = server.autoscaling
    ? "(autoscaling.maxReplicas + 1 during a rollout)"
    : "(replicas + 1 during a rollout)";
  const enginesText = engines === 2 ? " x 2 engines (tracking and basic-auth stores)" : "";
  return {
    total: workers * pods * engines * perEngine,
    formula: `${workers} workers x ${pods} pods ${podsText}${enginesText} x ${perEngine} (pool size + overflow)`,
  };
}

export function operationsChecks(server: DefaultedServer): Result[] {
  const { results, error, warn } = collector();
  const mode = server.auth?.mode ?? defaultAuthMode(server);
  if (server.metrics?.enabled && mode === "basic-auth") {
    error(
      "spec.server.metrics.enabled",
      "cannot be used with spec.server.auth.mode basic-auth: MLflow's basic-auth app requires a user for " +
        "/metrics too, which Managed Service for Prometheus would have to scrape with a password",
      true,
    );
  }
  const limit = server.databasePool?.connectionLimit;
  if (limit !== undefined) {
    const { total, formula } = maxConnections(server);
    if (total > limit) {
      warn(
        "spec.server.databasePool.connectionLimit",
        `(${limit}) is below the ${total} database connections the server can open (${formula}); ` +
          "lower databasePool.size or maxOverflow, or workers or replicas",
        limit,
      );
    }
  }
  return results;
}
