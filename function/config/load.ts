/**
 * From whatever object the user gave as configuration to a validated, resolved config.
 * Accepts a MlflowConfig, or a ConfigMap (kpt's `-- key=value` form).
 */
import type { Result } from "../krm/results.js";
import { isObject } from "../krm/resource-list.js";
import { fromConfigMap } from "./configmap.js";
import { resolve } from "./defaults.js";
import type { ResolvedConfig } from "./types.js";
import { API_VERSION, KIND } from "./types.js";
import { validateConfig } from "./validate.js";

export interface Loaded {
  config?: ResolvedConfig;
  results: Result[];
}

export function loadConfig(input: unknown): Loaded {
  if (!isObject(input)) {
    return { results: [{ severity: "error", message: `the function config must be a ${KIND} (${API_VERSION}) mapping`, field: { path: "functionConfig" } }] };
  }
  let candidate: unknown = input;
  const results: Result[] = [];
  if (input.kind === "ConfigMap" && input.apiVersion === "v1") {
    const converted = fromConfigMap(input);
    results.push(...converted.results);
    candidate = converted.config;
  } else if (input.kind !== KIND) {
    return {
      results: [
        {
          severity: "error",
          message: `kind must be ${KIND} (apiVersion ${API_VERSION}) or a v1 ConfigMap, got ${JSON.stringify(input.kind ?? null)}`,
          field: { path: "kind", currentValue: input.kind },
        },
      ],
    };
  }
  const validation = validateConfig(candidate);
  results.push(...validation.results);
  if (!validation.config || results.some((r) => r.severity === "error")) return { results };
  return { config: resolve(validation.config), results };
}
