/**
 * From whatever object the user gave as configuration to a validated, resolved config.
 * Accepts a MlflowConfig, or a ConfigMap (kpt's `-- key=value` form).
 */
import type { Result } from "../krm/results.js";
import { isObject } from "../krm/resource-list.js";
import { fromConfigMap, inConfigMapTerms } from "./configmap.js";
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
    return {
      results: [
        {
          severity: "error",
          message: `functionConfig must be a ${KIND} (${API_VERSION}) mapping`,
          field: { path: "functionConfig" },
        },
      ],
    };
  }
  if (input.kind === "ConfigMap") {
    if (input.apiVersion !== "v1") {
      return {
        results: [
          {
            severity: "error",
            message:
              `apiVersion must be "v1" for a ConfigMap function config, got ` +
              `${JSON.stringify(input.apiVersion ?? null)}`,
            field: { path: "apiVersion", currentValue: input.apiVersion },
          },
        ],
      };
    }
    const converted = fromConfigMap(input);
    const validation = validateConfig(converted.config);
    const results = [
      ...converted.results,
      ...validation.results.map(inConfigMapTerms).filter((r) => !converted.explained.has(r.field?.path ?? "")),
    ];
    if (!validation.config || results.some((r) => r.severity === "error")) return { results };
    return { config: resolve(validation.config, validation.defaulted), results };
  }
  if (input.kind !== KIND) {
    return {
      results: [
        {
          severity: "error",
          message:
            `kind must be ${KIND} (apiVersion ${API_VERSION}) or a v1 ConfigMap, got ` +
            `${JSON.stringify(input.kind ?? null)}`,
          field: { path: "kind", currentValue: input.kind },
        },
      ],
    };
  }
  const validation = validateConfig(input);
  if (!validation.config) return { results: validation.results };
  return { config: resolve(validation.config, validation.defaulted), results: validation.results };
}
