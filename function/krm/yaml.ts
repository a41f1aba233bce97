/**
 * The only places where YAML text is produced for objects this function owns.
 * Output is YAML 1.1-compatible (as kyaml, kubectl and Argo CD read it): strings that a
 * YAML 1.1 reader would take for booleans, numbers or null (`yes`, `on`, `0755`, `1_000`)
 * are quoted. Lines are never folded, so long values survive unchanged.
 */
import { Document } from "yaml";

const TO_STRING = { lineWidth: 0, minContentWidth: 0, indentSeq: true } as const;

/** A block-style YAML document body (no `---`), ending in a newline. */
export function toYaml(value: unknown): string {
  return new Document(value, { version: "1.1" }).toString(TO_STRING);
}

/** Several objects as one multi-document stream, each introduced by `---`. */
export function toYamlStream(values: readonly unknown[]): string {
  return values.map((v) => `---\n${toYaml(v)}`).join("");
}

/**
 * The object as the item of a block sequence whose `-` stands at column `indent`:
 * `- ` before the first line, the rest indented to line up under it.
 */
export function toSequenceItem(value: unknown, indent: number): string {
  const pad = " ".repeat(indent);
  const lines = toYaml(value).replace(/\n$/, "").split("\n");
  return lines.map((line, i) => (i === 0 ? `${pad}- ${line}` : line === "" ? "" : `${pad}  ${line}`)).join("\n") + "\n";
}
