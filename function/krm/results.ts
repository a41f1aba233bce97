/**
 * Typed results, as the KRM Functions Specification defines them
 * (`results[]` of a ResourceList). Modelled on the Go SDK's `fn.Result`.
 */

export type Severity = "error" | "warning" | "info";

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface FieldRef {
  path: string;
  currentValue?: unknown;
  proposedValue?: unknown;
}

export interface Result {
  message: string;
  severity: Severity;
  resourceRef?: ResourceRef;
  field?: FieldRef;
  file?: { path: string; index?: number };
  tags?: Record<string, string>;
}

export function hasErrors(results: readonly Result[]): boolean {
  return results.some((r) => r.severity === "error");
}

/** One line per result, for stderr and the CLI. */
export function formatResult(r: Result): string {
  // Messages usually start with the field path already ("spec.gcp.projectId must ..."): say it once.
  const path = r.field?.path;
  const where = path && !r.message.startsWith(path) ? `${path}: ` : "";
  const obj = r.resourceRef ? ` [${r.resourceRef.kind}/${r.resourceRef.name}]` : "";
  return `${r.severity}: ${where}${r.message}${obj}`;
}
