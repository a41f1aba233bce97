/**
 * The only places where YAML text is produced for objects this function owns.
 * Output is YAML 1.1-compatible (as kyaml, kubectl and Argo CD read it): strings that a
 * YAML 1.1 reader would take for booleans, numbers or null (`yes`, `on`, `0755`, `1_000`)
 * are quoted. Lines are never folded, so long values survive unchanged.
 */
import { Document, type YAMLError } from "yaml";

/** A parse error in one line: what is wrong and where ("... at line 2, column 1"). */
export function describeYamlError(e: YAMLError, source?: string): string {
  const first = e.message.split("\n")[0].replace(/:\s*$/, "");
  const where = first.replace(/^.*?( at line .*)?$/, "$1");
  if (e.code === "MULTIPLE_DOCS") return `expected one YAML document, found a second one (---)${where}`;
  if (e.code === "DUPLICATE_KEY" && source !== undefined) {
    const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]+?)\s*:/.exec(source.slice(e.pos[0]))?.[1];
    if (key) return `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : JSON.stringify(key)} (map keys must be unique)${where}`;
  }
  return first;
}

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
