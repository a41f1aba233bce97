/**
 * YAML in and out.
 *
 * Reading: readYaml() is the one safe parse of user input, shared by the KRM mode and
 * `render`: one document, strict errors in one line, a linear duplicate-key check, and deep
 * nesting reported as an input error rather than a crash.
 *
 * Writing: the only places where YAML text is produced for objects this function owns.
 * Output is YAML 1.1-compatible (as kyaml, kubectl and Argo CD read it): strings that a
 * YAML 1.1 reader would take for booleans, numbers or null (`yes`, `on`, `0755`, `1_000`)
 * are quoted. Lines are never folded, so long values survive unchanged.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLError } from "yaml";

/** Input that is not one readable YAML document; the message says what is wrong and where. */
export class YamlInputError extends Error {}

export function readYaml(text: string): Document {
  let doc: Document;
  try {
    // uniqueKeys: false, then duplicateKey(): the yaml package's own check is quadratic.
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, strict: true });
  } catch (e) {
    // yaml's parser recurses once per level of block nesting: thousands of levels overflow the
    // stack, and that RangeError is not turned into a parse error as it is for flow nesting.
    if (e instanceof RangeError) throw new YamlInputError(`nested too deeply to read (${e.message})`);
    throw e;
  }
  if (doc.errors.length > 0) throw new YamlInputError(describeYamlError(doc.errors[0]));
  const duplicate = duplicateKey(doc, text);
  if (duplicate) throw new YamlInputError(duplicate);
  return doc;
}

/** A parse error in one line: what is wrong and where ("... at line 2, column 1"). */
function describeYamlError(e: YAMLError): string {
  const first = e.message.split("\n")[0].replace(/:\s*$/, "");
  const where = first.replace(/^.*?( at line .*)?$/, "$1");
  if (e.code === "MULTIPLE_DOCS") return `expected one YAML document, found a second one (---)${where}`;
  return first;
}

/**
 * The first duplicate mapping key, in one pass with a set per mapping. The yaml package's
 * `uniqueKeys: true` compares every key with all earlier keys of its mapping: a ConfigMap with
 * 40,000 keys took 14 s (quadratic), so a small input could stall a render. Scalar keys are
 * compared by value, as that check does; iterative, so deep nesting cannot overflow the stack.
 */
function duplicateKey(doc: Document, text: string): string | undefined {
  let first: Node | undefined;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          if (seen.has(pair.key.value)) {
            if (!first || pair.key.range![0] < first.range![0]) first = pair.key;
          } else seen.add(pair.key.value);
        } else stack.push(pair.key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  if (!first) return undefined;
  const pos = first.range![0];
  const raw = text.slice(pos, first.range![1]);
  const key = raw.startsWith('"') || raw.startsWith("'") ? raw : JSON.stringify(raw);
  const line = text.slice(0, pos).split("\n").length;
  return `duplicate key ${key} (map keys must be unique) at line ${line}, column ${pos - text.lastIndexOf("\n", pos - 1)}`;
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
