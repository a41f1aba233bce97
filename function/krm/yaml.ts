/**
 * YAML in and out.
 *
 * Reading: readYaml() is the one safe parse of user input, shared by the KRM mode and
 * `render`: one document, strict errors in one line, a linear duplicate-key check, and deep
 * nesting reported as an input error rather than a crash.
 *
 * Writing: the only places where YAML text is produced for objects this function owns, by the
 * emitter below. Output reads back the same under YAML 1.1 (as kyaml, kubectl and Argo CD read
 * it) and 1.2: strings a reader could take for booleans, numbers or null (`yes`, `on`, `0755`,
 * `1_000`) are quoted. Lines are never folded, so long values survive unchanged.
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
  return (
    `duplicate key ${key} (map keys must be unique) at line ${line}, column ` +
    `${pos - text.lastIndexOf("\n", pos - 1)}`
  );
}

/*
 * Writing. Generated objects hold only plain maps, arrays, strings, integers and booleans
 * (results may echo a user's value: also null and other numbers), so a small emitter writes
 * them instead of the yaml package's Document API, whose first, cold run was about a quarter of
 * the function's start-up time (bench/README.md). Block style, 2-space indentation, sequences
 * indented under their key, keys in the objects' order, no line folding.
 *
 * A string is written plain only when every YAML 1.1 and 1.2 reader (kyaml and kubectl through
 * go-yaml, Argo CD, the yaml package) must read it back as that same string: printable ASCII,
 * no indicator at the start (`-` only before a non-space: `--port=5000` stays plain), no `: `
 * or ` #`, no leading or trailing space, and nothing that a
 * 1.1 or 1.2 schema (or go-yaml's Go-number parsing) could take for a boolean, null, number or
 * timestamp (`yes`, `on`, `~`, `0755`, `1_000`, `1.0`, `2.26.0`, `1e3`, `.inf`, `2024-01-01`).
 * Anything else is double-quoted: JSON's escaping is valid YAML double-quoting, plus `\u`
 * escapes for what JSON leaves raw but YAML must not see raw (DEL, C1 controls, U+2028/U+2029,
 * which YAML 1.1 reads as line breaks, BOM, U+FFFE/U+FFFF). A multi-line string is a literal
 * block (`|`, `|-` or `|+` as its final line breaks require; `|2` when its first line starts
 * with white space) unless it holds characters a literal cannot carry or ends in a line of only
 * white space. test/yaml-emitter.test.ts checks the round trip under both YAML versions.
 */

/** A value that holds one object twice: only from anchors and aliases in a user's input. */
class SharedObject extends Error {}

/** A block-style YAML document body (no `---`), ending in a newline. */
export function toYaml(value: unknown): string {
  return emitted(value, "", "");
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
  return emitted(value, `${pad}  `, `${pad}- `);
}

function emitted(value: unknown, indent: string, first: string): string {
  try {
    return node(value, indent, first, new Set());
  } catch (e) {
    if (!(e instanceof SharedObject)) throw e;
    // A result echoing an aliased (perhaps self-referencing) value of the user's config: the
    // yaml package writes it with anchors and aliases, as it was written.
    const text = new Document(value, { version: "1.1" }).toString({
      lineWidth: 0,
      minContentWidth: 0,
      indentSeq: true,
    });
    return (
      text
        .replace(/\n$/, "")
        .split("\n")
        .map((l, i) => (i === 0 ? first + l : l === "" ? "" : indent + l))
        .join("\n") + "\n"
    );
  }
}

/**
 * `value` as a block node whose lines start at `indent`, the first line at `first` instead
 * (the `- ` of a sequence item, or nothing at the document's start).
 */
function node(value: unknown, indent: string, first: string, seen: Set<object>): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return `${first}[]\n`;
    enter(value, seen);
    let out = "";
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? first : indent}-${inSequence(value[i], indent, seen)}`;
    return out;
  }
  if (isPlainObject(value)) {
    let out = "";
    for (const key of Object.keys(value)) {
      const v = value[key];
      if (v === undefined) continue;
      if (out === "") enter(value, seen);
      out += entry(key, v, out === "" ? first : indent, indent, seen);
    }
    return out === "" ? `${first}{}\n` : out;
  }
  // A scalar document (not written by this function): never a block scalar at column 0.
  return `${first}${scalar(value)}\n`;
}

function entry(key: string, value: unknown, first: string, indent: string, seen: Set<object>): string {
  const k = scalar(key);
  // An implicit key is at most 1024 characters long; longer ones need the explicit `? ` form.
  const head = k.length <= 1000 ? `${first}${k}:` : `${first}? ${k}\n${indent}:`;
  const inner = `${indent}  `;
  return isBlockCollection(value) ? `${head}\n${node(value, inner, inner, seen)}` : `${head} ${inline(value, inner)}`;
}

/** After a sequence item's `-`: a collection compact (its first entry on the `-` line). */
function inSequence(value: unknown, indent: string, seen: Set<object>): string {
  const inner = `${indent}  `;
  return ` ${isBlockCollection(value) ? node(value, inner, "", seen) : inline(value, inner)}`;
}

/** A scalar or empty collection after `key: ` or `- `, with its line break (and block lines). */
function inline(value: unknown, inner: string): string {
  if (Array.isArray(value)) return "[]\n";
  if (isPlainObject(value)) return "{}\n";
  if (typeof value === "string" && isLiteral(value)) return literal(value, inner);
  return `${scalar(value)}\n`;
}

function isBlockCollection(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (value[key] !== undefined) return true;
  return false;
}

function enter(value: object, seen: Set<object>): void {
  if (seen.has(value)) throw new SharedObject();
  seen.add(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case "string":
      return isPlainSafe(value) ? value : quoted(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return number(value);
    case "undefined":
      return "null"; // as JSON writes an undefined array element
    default:
      if (value === null) return "null";
      throw new TypeError(`cannot write a value of type ${Object.prototype.toString.call(value).slice(8, -1)} as YAML`);
  }
}

/** Numbers that read back as the same number in YAML 1.1 and 1.2 (1.1 floats need a `.`). */
function number(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (!Number.isFinite(n)) return n > 0 ? ".inf" : "-.inf";
  if (Object.is(n, -0)) return "-0.0";
  const text = String(n);
  return text.includes("e") && !text.includes(".") ? text.replace("e", ".0e") : text;
}

/** YAML double quoting: JSON's escapes, and `\u` for what YAML must not see raw. */
function quoted(s: string): string {
  return JSON.stringify(s).replace(UNSAFE_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const UNSAFE_RAW = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** Characters a literal block carries as they are: printable, no CR and no 1.1 line breaks. */
const LITERAL =
  /^(?:[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]|[\ud800-\udbff][\udc00-\udfff])*$/;

/**
 * Multi-line strings a literal block carries exactly, for every reader: printable characters
 * only, something besides white space, and no line of only white space after the last line of
 * text (the yaml package drops such lines after an indentation indicator).
 */
function isLiteral(s: string): boolean {
  return s.includes("\n") && LITERAL.test(s) && /[^\s]/.test(s) && !/\n[ \t]+\n*$/.test(s);
}

/** A literal block scalar whose content lines are indented to `inner`. */
function literal(s: string, inner: string): string {
  const body = s.endsWith("\n") ? s.slice(0, -1) : s;
  const chomp = !s.endsWith("\n") ? "-" : body.endsWith("\n") ? "+" : "";
  // The content's indentation is taken from its first non-empty line unless given.
  const header = `|${/^\n*[ \t]/.test(s) ? "2" : ""}${chomp}\n`;
  let out = header;
  for (const line of body.split("\n")) out += line === "" ? "\n" : `${inner}${line}\n`;
  return out;
}

/** A string any YAML 1.1 or 1.2 reader takes, written plain, for exactly this string. */
function isPlainSafe(s: string): boolean {
  return (
    PRINTABLE_ASCII.test(s) &&
    !INDICATOR_FIRST.test(s) &&
    !s.endsWith(" ") &&
    !s.endsWith(":") &&
    !s.includes(": ") &&
    !s.includes(" #") &&
    !RESERVED.test(s) &&
    !mayBeNumber(s)
  );
}

/**
 * Whether some reader could take `s` for a number or a timestamp. Those start with a digit, a
 * sign or a dot (or an exponent: the yaml package's YAML 1.1 schema reads `e4` as a float);
 * hold only digits, `_`, `.`, signs, exponents, the `0x`/`0o`/`0b` prefixes, hex digits and
 * Go's hex-float `p`, sexagesimal `:`, a timestamp's `T`, `Z` and spaces, and the letters of
 * Inf, Infinity and NaN (go-yaml parses numbers with Go's strconv); and hold a digit, unless
 * made of signs, dots and `_` only (YAML 1.1 reads `.` and `._` as floats).
 */
function mayBeNumber(s: string): boolean {
  return /^[-+.0-9eE][-+.0-9_:a-fA-FxXoOpPiInNtTyYzZ ]*$/.test(s) && (/[0-9]/.test(s) || /^[-+._]+$/.test(s));
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
/** Indicators, a leading space, a lone `-` or `- `, and document markers (`---`, `...`). */
const INDICATOR_FIRST = /^(?:[ ?:,[\]{}#&*!|>'"%@`]|-(?: |$)|---|\.\.\.)/;
/** Booleans, nulls and specials of YAML 1.1 and 1.2 in any case; the 1.1 merge and value keys. */
const RESERVED = /^(?:y|yes|n|no|true|false|on|off|null|~|<<|=|[-+]?\.?(?:inf|infinity|nan))$/i;
