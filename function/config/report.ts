/**
 * How the semantic checks report: each result is "<field path> <rule>" and names the field, with
 * the value that breaks the rule when there is one.
 */
import type { Result } from "../krm/results.js";

/** Reports one problem of a field. */
export type Report = (path: string, message: string, currentValue?: unknown) => void;

/** A list of results and the two ways to add to it. */
export function collector(): { results: Result[]; error: Report; warn: Report } {
  const results: Result[] = [];
  const add =
    (severity: "error" | "warning"): Report =>
    (path, message, currentValue) =>
      results.push({ severity, message: `${path} ${message}`, field: { path, currentValue } });
  return { results, error: add("error"), warn: add("warning") };
}
