/**
 * A text scanner over a ResourceList: item boundaries, and the few fields the function reads of
 * each item (apiVersion, kind, metadata name, namespace, labels, annotations), without building
 * a document. Most items are only passed through, so they need no more than that. The same
 * machinery reads the functionConfig in full (readFunctionConfig): every run reads it, and the
 * `yaml` package's start-up and first, cold parse cost more than the rest of a small render; and
 * whole items (readItemValue): the objects the function owns, fed back on every re-render.
 *
 * It reads a deliberately small subset of YAML, the block style tools write: block mappings
 * and sequences, plain keys, single-line plain and quoted scalars, single-line flow
 * collections, literal and folded block scalars, comments. Values it reads in full are what the
 * `yaml` package gives under the YAML 1.2 core schema (`0755` is 755, `"1"` a string, escapes
 * decoded, blocks folded and chomped). Whatever it cannot read with certainty (anchors, aliases,
 * tags, flow-style items, multi-line scalars, odd indentation, tabs, non-ASCII text, complex
 * keys, 65+ levels of nesting...) it leaves to the full parser: an item it is unsure of gets no
 * head (the caller parses that item alone), a functionConfig it is unsure of is parsed, and a
 * ResourceList whose layout it is unsure of is not scanned at all (the caller parses it whole).
 * It never reports an error: when in doubt it declines, and the full parser finds the error and
 * says where. test/scan.test.ts checks it against the `yaml` package on generated and mutated
 * input.
 */
import type { KubeObject } from "./resource-list.js";

/** One item: its text is `text.slice(start, end)`; `head` is what was read, if read with certainty. */
export interface ScannedItem {
  start: number;
  end: number;
  /** Where the next item's `-` line (or what follows the list) starts. */
  gapEnd: number;
  head?: KubeObject;
}

export interface ScannedList {
  items: ScannedItem[];
  /** Column of the items' `-`. */
  indent: number;
  /** From the `functionConfig:` line to the end of the text (it is the last key). */
  functionConfig?: { start: number; end: number };
}

const MAX_DEPTH = 64;
const MAX_KEY = 1000;

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const PLUS = 43;

/**
 * The layout of a block-style ResourceList at column 0 (apiVersion, kind ResourceList, items,
 * functionConfig last), or undefined when anything else is there: then the caller parses it.
 */
export function scanResourceList(text: string): ScannedList | undefined {
  const len = text.length;
  const seen = new Set<string>();
  let items: ScannedItem[] = [];
  let indent = 0;
  let functionConfig: ScannedList["functionConfig"];
  let pos = 0;
  while (pos < len) {
    const eol = lineEnd(text, pos);
    const c = text.charCodeAt(pos);
    if (isBlankOrComment(text, pos, eol)) {
      pos = eol + 1;
      continue;
    }
    if (c === SPACE || functionConfig) return undefined; // indented, or a key after functionConfig
    const line = text.slice(pos, eol);
    const key = line.slice(0, line.indexOf(":"));
    if (seen.has(key)) return undefined;
    seen.add(key);
    if (key === "apiVersion" && API_VERSION.test(line)) {
      pos = eol + 1;
    } else if (key === "kind" && KIND.test(line)) {
      pos = eol + 1;
    } else if (key === "items" && EMPTY_ITEMS.test(line)) {
      pos = eol + 1;
    } else if (key === "items" && BLOCK_KEY.test(line)) {
      const scanned = scanItems(text, eol + 1);
      if (!scanned) return undefined;
      ({ items, indent } = scanned);
      pos = scanned.end;
    } else if (key === "functionConfig" && BLOCK_KEY.test(line)) {
      // The last key: nothing after it at column 0 but comments.
      if (/\n[^ #\n]/.test(text.slice(eol))) return undefined;
      functionConfig = { start: pos, end: len };
      pos = len;
    } else {
      return undefined;
    }
  }
  if (!seen.has("kind")) return undefined;
  return { items, indent, functionConfig };
}

const API_VERSION = /^apiVersion: +(?:[A-Za-z0-9][A-Za-z0-9._/-]*|"[A-Za-z0-9._/-]*"|'[A-Za-z0-9._/-]*')(?: +#.*)? *$/;
const KIND = /^kind: +(?:ResourceList|"ResourceList"|'ResourceList')(?: +#.*)? *$/;
const EMPTY_ITEMS = /^items: +\[\](?: +#.*)? *$/;
const BLOCK_KEY = /^[A-Za-z]+:(?: +#.*)? *$/;

/**
 * The items of the block sequence that starts at `from` (the line after `items:`). Item i's
 * text runs from the end of item i-1 (blank and comment lines before its `-` included) to the
 * end of its last line of content; blank lines and comments after the last item belong to no
 * item. This is how the `yaml` package assigns them when such lines are blank or comments at
 * column 0; an indented comment between items makes the layout uncertain. After an item that
 * ends in a block scalar, blank lines may be its content: such an
 * item gets no head, and the caller checks its end with the parser.
 */
function scanItems(text: string, from: number): { items: ScannedItem[]; indent: number; end: number } | undefined {
  const len = text.length;
  const items: ScannedItem[] = [];
  let indent = -1;
  let start = from; // where the current item's text starts
  let dash = -1; // the line start of the current item's `-`
  let contentEnd = -1; // end of the current item's last line of content (after its newline)
  let gapUnsafe = false; // an indented comment after the item's content
  ODD.lastIndex = 0;
  let nextOdd = -1; // the first character at or after `dash` that the scanner leaves to the parser
  const finish = (gapEnd: number): void => {
    if (dash < 0) return;
    if (nextOdd < dash) {
      ODD.lastIndex = dash;
      nextOdd = ODD.test(text) ? ODD.lastIndex - 1 : len;
    }
    const scan = nextOdd >= contentEnd ? scanItem(text, dash, contentEnd, indent) : undefined;
    const certain = scan !== undefined && !(scan.endsInBlockScalar && gapEnd > contentEnd);
    items.push({ start, end: contentEnd, gapEnd, head: certain ? scan.head : undefined });
  };
  let pos = from;
  while (pos < len) {
    const eol = lineEnd(text, pos);
    const next = eol + 1;
    let i = pos;
    while (text.charCodeAt(i) === SPACE) i++;
    if (i === eol) {
      pos = next;
      continue;
    }
    const column = i - pos;
    if (text.charCodeAt(i) === HASH) {
      if (dash >= 0 && column > 0) gapUnsafe = true;
      pos = next;
      continue;
    }
    if (indent < 0) {
      if (!isDashAt(text, i, eol)) return undefined; // `items:` with no list under it
      indent = column;
    }
    if (column > indent) {
      // more of the current item: the comments before this line were inside it after all
      if (dash < 0) return undefined;
      gapUnsafe = false;
      contentEnd = Math.min(next, len);
      pos = next;
      continue;
    }
    if (column === indent && isDashAt(text, i, eol)) {
      if (gapUnsafe) return undefined;
      finish(pos);
      if (dash >= 0) start = contentEnd;
      dash = pos;
      contentEnd = Math.min(next, len);
      pos = next;
      continue;
    }
    // Less indented: the end of the list, which must be a key at column 0.
    if (column !== 0) return undefined;
    break;
  }
  if (gapUnsafe || indent < 0) return undefined; // an indented comment after the last item, or no list
  finish(pos);
  return { items, indent, end: pos };
}

/** Characters the item scanner leaves to the parser: outside printable ASCII and the line feed. */
const ODD = /[^\n\x20-\x7e]/g;

function isDashAt(text: string, i: number, eol: number): boolean {
  return text.charCodeAt(i) === DASH && (i + 1 === eol || text.charCodeAt(i + 1) === SPACE);
}

function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf("\n", pos);
  return nl === -1 ? text.length : nl;
}

function isBlankOrComment(text: string, pos: number, eol: number): boolean {
  let i = pos;
  while (text.charCodeAt(i) === SPACE) i++;
  return i === eol || text.charCodeAt(i) === HASH;
}

// -----------------------------------------------------------------------------------------------
// One item, or the functionConfig

/** Which of the fields the function reads a mapping holds; All: every value, in full (the functionConfig). */
const enum Field {
  None,
  Root,
  Metadata,
  Labels,
  Annotations,
  All,
}

const enum Kind {
  Map,
  Seq,
}

/** What a scalar is read for: not at all, as a string (a field of the head), or as any value (Field.All). */
const enum Want {
  Nothing,
  String,
  Any,
}

/** Where values read in full go: a mapping, or a sequence (appended to). */
type Target = Record<string, unknown> | unknown[];

interface Level {
  kind: Kind;
  indent: number;
  field: Field;
  keys: Set<string> | undefined;
  target: Target | undefined;
}

interface ItemScan {
  head: KubeObject;
  endsInBlockScalar: boolean;
}

interface Pending {
  indent: number;
  /** Map: the value of a `key:`; Seq: an entry `-`. */
  kind: Kind;
  field: Field;
  want: boolean;
  key: string;
  target?: Target;
}

/** A block scalar: the indentation of its parent, and of its content once known. */
interface Block {
  parent: number;
  content: number;
  blankIndent: number;
  /** Read in full: where its value goes (`target[key]`), from its first line on. */
  target: Target | undefined;
  key: string;
  from: number;
  folded: boolean;
  /** `-`, `+` or 0 (clip). */
  chomp: number;
  /** A blank line since its last line of content. */
  blankAfter: boolean;
}

/** Thrown inside the scanner when it meets what it does not read with certainty. */
const UNSURE = new Error("unsure");

/**
 * The head of the item whose `-` line starts at `start` and whose content ends at `end`, or
 * undefined when some part of it is outside the subset this scanner reads with certainty.
 */
export function scanItem(text: string, start: number, end: number, seqIndent: number): ItemScan | undefined {
  try {
    return new BlockScanner(text, end, seqIndent).run(start);
  } catch (e) {
    if (e === UNSURE) return undefined;
    throw e;
  }
}

/**
 * The functionConfig, read in full without the parser: its value (null when it has none) and
 * where its text ends (what the parser's node range gives), from the `functionConfig:` line at
 * `start` (checked by scanResourceList) to the end of the text; undefined when the parser must
 * read it. Values are what the `yaml` package gives under the YAML 1.2 core schema.
 */
export function readFunctionConfig(text: string, start = 0): { value: unknown; end: number } | undefined {
  ODD.lastIndex = start;
  if (ODD.test(text)) return undefined;
  try {
    return new BlockScanner(text, text.length, 0).readValue(start);
  } catch (e) {
    if (e === UNSURE) return undefined;
    throw e;
  }
}

/**
 * One item's whole value, read without the parser: `itemText` is a block sequence of one entry
 * (`- ` at some column, perhaps after blank and comment lines), and what follows its content
 * from `end` on must be blank lines (the gap before the next item). The value is what the
 * `yaml` package gives for that text (readItem in resource-list.ts); undefined when the parser
 * must read it: the entry is not a mapping, the text holds what the scanner leaves to the parser,
 * or the parser could end the entry elsewhere (after a block scalar or a null, or with comments
 * in the gap).
 */
export function readItemValue(itemText: string, endAt?: number): Record<string, unknown> | undefined {
  const endGiven = endAt !== undefined;
  const end = endAt ?? itemText.length;
  ODD.lastIndex = 0;
  if (ODD.test(itemText)) return undefined;
  let dash = 0;
  let column = 0;
  for (let eol; dash < end; dash = eol + 1) {
    eol = lineEnd(itemText, dash);
    let i = dash;
    while (itemText.charCodeAt(i) === SPACE) i++;
    if (i === eol || itemText.charCodeAt(i) === HASH) continue;
    if (!isDashAt(itemText, i, eol)) return undefined;
    column = i - dash;
    break;
  }
  if (dash >= end) return undefined;
  const gap = itemText.slice(end);
  if (end > 0 && itemText.charCodeAt(end - 1) !== 10 && gap !== "") return undefined;
  if (!/^[ \n]*$/.test(gap)) return undefined; // comments after the entry: the parser's range may take them in
  try {
    const scanner = new BlockScanner(itemText, end, column);
    const value = scanner.readEntry(dash);
    // The entry's range may take in blank lines after a block scalar or a null, or end before
    // comments at the end of the text: left to the parser.
    if (gap !== "" && scanner.openAtEnd) return undefined;
    if (endGiven && Math.min(scanner.lastLineEnd + 1, itemText.length) !== end) return undefined;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch (e) {
    if (e === UNSURE) return undefined;
    throw e;
  }
}

class BlockScanner {
  private levels: Level[] = [];
  private head: KubeObject = {};
  /** `key:` or `-` with nothing after it: the value is on the next lines, or null. */
  private pending: Pending | undefined;
  private block: Block | undefined;
  private lastWasBlock = false;
  /** The end of the last line of content (a block scalar's lines included). */
  private last = 0;
  /** That line was a `key:` or `-` with nothing after it (but perhaps a comment). */
  private nullAtEnd = false;

  constructor(
    private readonly text: string,
    private readonly end: number,
    private readonly seqIndent: number,
  ) {}

  run(start: number): ItemScan {
    const { text } = this;
    // The item's first line: `- key: ...` (a compact mapping; anything else is left to the parser).
    const eol = lineEnd(text, start);
    let p = start + this.seqIndent + 1;
    while (text.charCodeAt(p) === SPACE) p++;
    if (p >= eol || text.charCodeAt(p) === HASH) {
      // `-` and perhaps a comment, then the mapping on the next lines
      this.pending = { indent: this.seqIndent, kind: Kind.Seq, field: Field.Root, want: true, key: "" };
    } else {
      const keyEnd = keyAt(text, p, eol);
      if (keyEnd < 0) throw UNSURE;
      this.push(Kind.Map, p - start, Field.Root, this.head);
      this.entry(keyEnd, eol);
    }
    this.lines(eol + 1);
    return { head: this.head, endsInBlockScalar: this.lastWasBlock };
  }

  /** The value under the `key:` line at `start` (column 0), in full, and where its text ends. */
  readValue(start: number): { value: unknown; end: number } {
    const { text, end } = this;
    const holder: Record<string, unknown> = {};
    this.pending = { indent: 0, kind: Kind.Map, field: Field.All, want: false, key: "value", target: holder };
    this.lines(lineEnd(text, start) + 1);
    if (holder.value === null) return { value: null, end: start };
    // The last line a `key:` or `-` with a null value and a comment: the parser's range then
    // takes in whatever follows; left to it.
    if (this.nullAtEnd && text.lastIndexOf("#", this.last) > text.lastIndexOf("\n", this.last - 1)) throw UNSURE;
    // Its text ends with its last line of content, or, when a comment after it is indented as
    // far as the value, at the end of the text (the parser's node range); a comment indented
    // further than the innermost collection ends it otherwise: left to the parser.
    const [outer, inner] = [this.levels[0].indent, this.levels[this.levels.length - 1].indent];
    let to = Math.min(this.last + 1, end);
    for (let pos = this.last + 1, eol; pos < end; pos = eol + 1) {
      eol = lineEnd(text, pos);
      let i = pos;
      while (text.charCodeAt(i) === SPACE) i++;
      if (i === eol || i - pos < outer) continue;
      if (i - pos > inner) throw UNSURE;
      to = end;
    }
    return { value: holder.value, end: to };
  }

  /** The value of the sequence entry whose `-` line starts at `start`, read in full. */
  readEntry(start: number): unknown {
    const { text } = this;
    const holder: unknown[] = [];
    this.push(Kind.Seq, this.seqIndent, Field.All, holder);
    const eol = Math.min(lineEnd(text, start), this.end);
    this.seqEntry(start, start + this.seqIndent, eol);
    this.lines(eol + 1);
    if (holder.length !== 1) throw UNSURE;
    return holder[0];
  }

  /** The end of the last line of content (before its line feed). */
  get lastLineEnd(): number {
    return this.last;
  }

  /** The last line of content was a block scalar's, or a `key:` or `-` with a null value. */
  get openAtEnd(): boolean {
    return this.lastWasBlock || this.nullAtEnd;
  }

  private lines(from: number): void {
    const { text, end } = this;
    for (let pos = from, eol; pos < end; pos = eol + 1) {
      eol = Math.min(lineEnd(text, pos), end);
      this.line(pos, eol);
    }
    this.endBlock(true);
    this.nullAtEnd = this.pending !== undefined;
    this.resolvePending(-1);
  }

  private line(pos: number, eol: number): void {
    const { text } = this;
    let i = pos;
    while (text.charCodeAt(i) === SPACE) i++;
    const indent = i - pos;
    const block = this.block;
    if (block) {
      if (i === eol) {
        if (block.content < 0) {
          if (indent > block.blankIndent) block.blankIndent = indent;
        } else if (block.target) {
          // A blank line more indented than the content is content (trailing spaces): left to the parser.
          if (indent > block.content) throw UNSURE;
          block.blankAfter = true;
        }
        return;
      }
      if (block.content < 0 && indent > block.parent) {
        if (block.blankIndent > indent) throw UNSURE; // odd leading lines
        block.content = indent;
        this.last = eol;
        return;
      }
      if (block.content >= 0 && indent >= block.content) {
        block.blankAfter = false;
        this.last = eol;
        return;
      }
      this.endBlock(false);
      // A comment between the parent's and the content's indentation: left to the parser.
      if (text.charCodeAt(i) === HASH && indent > block.parent) throw UNSURE;
    }
    if (i === eol || text.charCodeAt(i) === HASH) return;
    this.last = eol;
    this.lastWasBlock = false;
    if (indent <= this.seqIndent) throw UNSURE;
    const dash = isDashAt(text, i, eol);
    if (this.pending) this.resolvePending(indent, dash);
    const levels = this.levels;
    while (levels.length > 0 && levels[levels.length - 1].indent > indent) levels.pop();
    let top = levels[levels.length - 1];
    if (top && top.kind === Kind.Seq && top.indent === indent && !dash) {
      levels.pop(); // a sequence at its key's indentation ends at the next key
      top = levels[levels.length - 1];
    }
    if (!top || top.indent !== indent) throw UNSURE;
    if (top.kind === Kind.Map) {
      if (dash) throw UNSURE;
      const keyEnd = keyAt(text, i, eol);
      if (keyEnd < 0) throw UNSURE;
      this.entry(keyEnd, eol);
    } else {
      if (!dash) throw UNSURE;
      this.seqEntry(pos, i, eol);
    }
  }

  /** The value of a pending `key:` or `-` given the next line of content (indent -1: none). */
  private resolvePending(indent: number, dash = false): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const nested = indent > pending.indent || (indent === pending.indent && dash && pending.kind === Kind.Map);
    const kind = dash ? Kind.Seq : Kind.Map;
    if (pending.field === Field.All) {
      const value = !nested ? null : kind === Kind.Map ? {} : [];
      put(pending.target!, pending.key, value);
      if (value) this.push(kind, indent, Field.All, value);
      return;
    }
    if (!nested) {
      if (pending.want) throw UNSURE; // a null where the function reads a value
      return;
    }
    const mapField = pending.field !== Field.None;
    if (pending.want && !(mapField && kind === Kind.Map)) throw UNSURE;
    let target: Record<string, unknown> | undefined;
    if (pending.field === Field.Root) {
      target = this.head;
    } else if (mapField && pending.target) {
      target = {};
      (pending.target as Record<string, unknown>)[pending.key] = target;
    }
    this.push(kind, indent, kind === Kind.Map ? pending.field : Field.None, target);
  }

  private push(kind: Kind, indent: number, field: Field, target: Target | undefined): void {
    if (this.levels.length >= MAX_DEPTH) throw UNSURE;
    this.levels.push({ kind, indent, field, keys: kind === Kind.Map ? new Set() : undefined, target });
  }

  /** A `- ` entry of a block sequence: a compact mapping, a scalar or a flow collection. */
  private seqEntry(pos: number, i: number, eol: number): void {
    const { text } = this;
    const level = this.levels[this.levels.length - 1];
    const all = level.field === Field.All;
    let p = i + 1;
    while (text.charCodeAt(p) === SPACE) p++;
    if (p >= eol || text.charCodeAt(p) === HASH) {
      const { field, target } = level;
      this.pending = { indent: i - pos, kind: Kind.Seq, field, want: false, key: "", target };
      return;
    }
    if (isDashAt(text, p, eol)) throw UNSURE; // `- - x`
    const keyEnd = keyAt(text, p, eol);
    if (keyEnd >= 0) {
      const target = all ? {} : undefined;
      if (target) put(level.target!, "", target);
      this.push(Kind.Map, p - pos, level.field, target);
      this.entry(keyEnd, eol);
      return;
    }
    if (all) this.keep(level.target!, "", this.value(p, eol, Want.Any));
    else this.value(p, eol, Want.Nothing);
  }

  /** `key: value` at i (the key ends at keyEnd) in the innermost mapping. */
  private entry(keyEnd: number, eol: number): void {
    const { text } = this;
    const level = this.levels[this.levels.length - 1];
    const key = keyText;
    // A duplicate (the parser reports it), or the one key a plain object cannot hold as it is.
    if (level.keys!.has(key) || key === "__proto__") throw UNSURE;
    level.keys!.add(key);
    const field = level.field;
    let want = false;
    let childField = Field.None;
    if (field === Field.All) {
      childField = Field.All;
    } else if (field === Field.Root) {
      if (key === "metadata") childField = Field.Metadata;
      want = key === "apiVersion" || key === "kind" || key === "metadata";
    } else if (field === Field.Metadata) {
      if (key === "labels") childField = Field.Labels;
      else if (key === "annotations") childField = Field.Annotations;
      want = key === "name" || key === "namespace" || childField !== Field.None;
    } else if (field === Field.Labels || field === Field.Annotations) {
      want = true;
    }
    let p = keyEnd + 1;
    while (text.charCodeAt(p) === SPACE) p++;
    if (p >= eol || text.charCodeAt(p) === HASH) {
      this.pending = { indent: level.indent, kind: Kind.Map, field: childField, want, key, target: level.target };
      return;
    }
    if (field === Field.All) {
      this.keep(level.target!, key, this.value(p, eol, Want.Any));
      return;
    }
    const target = level.target as Record<string, unknown> | undefined;
    if (want && childField !== Field.None) {
      // metadata, labels or annotations: a block mapping, or `{}`
      if (!EMPTY_MAP.test(text.slice(p, eol)) || !target) throw UNSURE;
      target[key] = {};
      return;
    }
    const value = this.value(p, eol, want ? Want.String : Want.Nothing) as string | undefined;
    if (want && target) {
      // apiVersion, kind, namespace and label values repeat from item to item: one string each
      const shared = field === Field.Root || field === Field.Labels || key === "namespace";
      target[key] = shared ? intern(value!) : value;
    }
  }

  /** A value read in full, into its place; a block scalar's is filled in at its end (endBlock). */
  private keep(target: Target, key: string, value: unknown): void {
    const at = put(target, key, value);
    if (this.block) {
      this.block.target = target;
      this.block.key = at;
    }
  }

  /** A scalar or flow value from p to the end of the line: its string (want String) or value (Any). */
  private value(p: number, eol: number, want: Want): unknown {
    const { text } = this;
    const c = text.charCodeAt(p);
    let q: number;
    let result: unknown;
    if (c === 34 /* " */) {
      q = doubleQuoted(text, p, eol);
      if (want !== Want.Nothing) result = unescape(text.slice(p + 1, q - 1));
    } else if (c === 39 /* ' */) {
      q = singleQuoted(text, p, eol);
      if (want !== Want.Nothing) result = text.slice(p + 1, q - 1).replace(/''/g, "'");
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (want === Want.String) throw UNSURE;
      q = flow(text, p, eol, this.levels.length, want === Want.Any);
      result = flowValue;
    } else if (c === 124 /* | */ || c === 62 /* > */) {
      if (want === Want.String) throw UNSURE;
      this.blockHeader(p + 1, eol, c === 62);
      return undefined;
    } else if (!PLAIN_FIRST[c] || (c === DASH && (p + 1 === eol || text.charCodeAt(p + 1) === SPACE))) {
      throw UNSURE;
    } else {
      // A plain scalar: to a ` #` comment or the end of the line; `: ` would make it a mapping.
      q = p;
      let last = p;
      while (q < eol) {
        const ch = text.charCodeAt(q);
        if (ch === COLON && (q + 1 === eol || text.charCodeAt(q + 1) === SPACE)) throw UNSURE;
        if (ch === SPACE) {
          if (text.charCodeAt(q + 1) === HASH) break;
        } else last = q;
        q++;
      }
      if (want === Want.Nothing) return undefined;
      const s = text.slice(p, last + 1);
      if (want === Want.Any) return plainValue(s);
      if (!isPlainString(s)) throw UNSURE;
      return s;
    }
    // After a quoted or flow value: spaces, then the end of the line or a comment.
    let r = q;
    while (text.charCodeAt(r) === SPACE) r++;
    if (r < eol && !(r > q && text.charCodeAt(r) === HASH)) throw UNSURE;
    return result;
  }

  /** `|` or `>`, with `-` or `+` (an indentation indicator is left to the parser). */
  private blockHeader(p: number, eol: number, folded: boolean): void {
    const { text } = this;
    const c = text.charCodeAt(p);
    const chomp = c === DASH || c === PLUS ? c : 0;
    if (chomp) p++;
    let r = p;
    while (text.charCodeAt(r) === SPACE) r++;
    if (r < eol && !(r > p && text.charCodeAt(r) === HASH)) throw UNSURE;
    const level = this.levels[this.levels.length - 1];
    this.block = {
      parent: level.indent,
      content: -1,
      blankIndent: -1,
      target: undefined,
      key: "",
      from: eol + 1,
      folded,
      chomp,
      blankAfter: false,
    };
    this.lastWasBlock = true;
  }

  /**
   * The end of a block scalar, at a line less indented than its content or at the end of the
   * text: its value, when it is read in full.
   */
  private endBlock(atEnd: boolean): void {
    const block = this.block;
    if (!block) return;
    this.block = undefined;
    const empty = block.content < 0;
    // Empty (some writers put `""` so): certain only when a line of its parent follows it.
    if (empty && (atEnd ? block.target : block.blankIndent > block.parent)) throw UNSURE;
    if (!block.target) return;
    // Keeping blank lines, whose number depends on where the parser ends the scalar: left to it.
    if (block.chomp === PLUS && (empty || block.blankAfter)) throw UNSURE;
    const lines = this.text.slice(block.from, this.last);
    (block.target as Record<string, unknown>)[block.key] = empty
      ? ""
      : blockScalar(lines, block.content, block.folded, block.chomp);
  }
}

/** Appends to a sequence, or sets a mapping's key; the key (index) the value went to. */
function put(target: Target, key: string, value: unknown): string {
  if (!Array.isArray(target)) {
    target[key] = value;
    return key;
  }
  target.push(value);
  return String(target.length - 1);
}

/**
 * A block scalar's value from its lines (the first after the header to the last with content;
 * none more indented than `indent` but for content): the `yaml` package's folding and chomping.
 */
function blockScalar(lines: string, indent: number, folded: boolean, chomp: number): string {
  let value = "";
  let sep = "";
  let moreIndented = false;
  let leading = true;
  for (const line of lines.split("\n")) {
    let n = 0;
    while (line.charCodeAt(n) === SPACE) n++;
    const empty = n === line.length;
    if (leading && empty) {
      value += "\n";
      continue;
    }
    leading = false;
    if (!folded) {
      value += sep + line.slice(indent);
      sep = "\n";
    } else if (n > indent) {
      // more-indented lines are kept as they are, on lines of their own
      if (sep === " ") sep = "\n";
      else if (!moreIndented && sep === "\n") sep = "\n\n";
      value += sep + line.slice(indent);
      sep = "\n";
      moreIndented = true;
    } else if (empty) {
      if (sep === "\n") value += "\n";
      else sep = "\n";
    } else {
      value += sep + line.slice(n);
      sep = " ";
      moreIndented = false;
    }
  }
  return chomp === DASH ? value : `${value}\n`;
}

const interned = new Map<string, string>();

function intern(s: string): string {
  const known = interned.get(s);
  if (known !== undefined) return known;
  if (interned.size < 10_000) interned.set(s, s);
  return s;
}

/** The text of the key keyAt() read last (quotes removed). */
let keyText = "";

/**
 * The end (the `:`) of a key at p followed by `:` and a space or the end of the line: plain (a
 * letter, digit or `_`, then letters, digits and `_./-`, read as a string) or quoted without
 * escapes; -1 for anything else.
 */
function keyAt(text: string, p: number, eol: number): number {
  const first = text.charCodeAt(p);
  let q = p + 1;
  if (first === 34 || first === 39) {
    while (q < eol && text.charCodeAt(q) !== first) {
      if (text.charCodeAt(q) === 92) return -1;
      q++;
    }
    if (q >= eol || (first === 39 && text.charCodeAt(q + 1) === 39)) return -1;
    keyText = text.slice(p + 1, q);
    q++;
  } else {
    if (!(isLetter(first) || first === 95 || (first >= 48 && first <= 57))) return -1;
    while (q < eol && KEY_CHAR[text.charCodeAt(q)]) q++;
    keyText = text.slice(p, q);
    if (typeof plainValue(keyText) !== "string") return -1; // null, a boolean or a number
  }
  if (text.charCodeAt(q) !== COLON || (q + 1 < eol && text.charCodeAt(q + 1) !== SPACE)) return -1;
  if (q - p > MAX_KEY) return -1;
  return q;
}

const EMPTY_MAP = /^\{\}(?: +#.*)? *$/;

/** Words the YAML 1.2 core schema reads as null or a boolean. */
const NULL_OR_BOOL = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

const KEY_CHAR: boolean[] = [];
for (let c = 0; c < 128; c++) {
  KEY_CHAR[c] = isLetter(c) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 47 || c === DASH;
}

/** Characters a plain scalar in block context may start with, here (no indicator). */
const PLAIN_FIRST: boolean[] = [];
const INDICATORS = "-?:,[]{}#&*!|>'\"%@`";
for (let c = 0; c < 128; c++) PLAIN_FIRST[c] = c > 32 && c < 127 && !INDICATORS.includes(String.fromCharCode(c));
PLAIN_FIRST[DASH] = true; // `-x` is plain; `- ` and a lone `-` are checked where used

/** A plain scalar the YAML 1.2 core schema reads as a string (not null, a boolean or a number). */
function isPlainString(s: string): boolean {
  const c = s.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === DASH || c === 46 || c === 126) return false;
  return !NULL_OR_BOOL.test(s);
}

/** A plain scalar's value under the YAML 1.2 core schema, tried in the `yaml` package's order. */
function plainValue(s: string): unknown {
  if (isPlainString(s)) return s;
  if (s === "~" || /^(?:null|Null|NULL)$/.test(s)) return null;
  if (NULL_OR_BOOL.test(s)) return s[0] === "t" || s[0] === "T";
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) return s[0] === "-" ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(s)) return NaN;
  if (FLOAT.test(s)) return parseFloat(s);
  return s;
}

/** The core schema's floats, with and without an exponent. */
const FLOAT = /^[-+]?(?:(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** The end (after the closing quote) of a double-quoted scalar on one line, with only known escapes. */
function doubleQuoted(text: string, p: number, eol: number): number {
  let q = p + 1;
  while (q < eol) {
    const c = text.charCodeAt(q);
    if (c === 34) return q + 1;
    if (c === 92 /* \ */) {
      const e = text[q + 1];
      const hex = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
      if (hex > 0) {
        if (!/^[0-9a-fA-F]+$/.test(text.slice(q + 2, q + 2 + hex)) || q + 2 + hex > eol) throw UNSURE;
        q += 2 + hex;
        continue;
      }
      if (q + 1 >= eol || ESCAPES[e] === undefined) throw UNSURE;
      q += 2;
      continue;
    }
    q++;
  }
  throw UNSURE; // continues on the next line
}

/** What each escape of a double-quoted scalar stands for (YAML 1.2, as the `yaml` package reads them). */
const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};

/** A double-quoted scalar's text (checked by doubleQuoted) with its escapes decoded. */
function unescape(raw: string): string {
  if (!raw.includes("\\")) return raw;
  return raw.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length === 1) return ESCAPES[e];
    const code = parseInt(e.slice(1), 16);
    if (code > 0x10ffff) throw UNSURE;
    return String.fromCodePoint(code);
  });
}

function singleQuoted(text: string, p: number, eol: number): number {
  let q = p + 1;
  while (q < eol) {
    if (text.charCodeAt(q) === 39) {
      if (text.charCodeAt(q + 1) !== 39) return q + 1;
      q += 2;
      continue;
    }
    q++;
  }
  throw UNSURE;
}

/** Characters of a plain scalar inside a flow collection after its first (PLAIN_FIRST), here. */
const FLOW_PLAIN: boolean[] = [];
for (let c = 0; c < 128; c++) FLOW_PLAIN[c] = c > 32 && c < 127 && !",[]{}:".includes(String.fromCharCode(c));

/** The value of the flow collection flow() read last, when it was asked to build it. */
let flowValue: unknown;

/**
 * The end of a flow sequence or mapping that closes on the same line: plain scalars (words of
 * the characters above, spaces between them), quoted scalars, nested collections, plain keys
 * (unique) followed by `: `. With `build`, its value is left in flowValue.
 */
function flow(text: string, p: number, eol: number, depth: number, build: boolean): number {
  if (depth >= MAX_DEPTH) throw UNSURE;
  const isMap = text.charCodeAt(p) === 123;
  const close = isMap ? 125 : 93;
  const out: Target | undefined = build ? (isMap ? {} : []) : undefined;
  let keys: Set<string> | undefined;
  let key = "";
  let q = p + 1;
  for (;;) {
    while (text.charCodeAt(q) === SPACE) q++;
    if (q >= eol) throw UNSURE;
    if (text.charCodeAt(q) === close) {
      flowValue = out;
      return q + 1;
    }
    if (isMap) {
      const keyEnd = keyAt(text, q, eol);
      if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== SPACE) throw UNSURE;
      key = keyText;
      keys ??= new Set();
      if (keys.has(key) || key === "__proto__") throw UNSURE;
      keys.add(key);
      q = keyEnd + 1;
      while (text.charCodeAt(q) === SPACE) q++;
    }
    const c = text.charCodeAt(q);
    const from = q;
    let value: unknown;
    if (c === 91 || c === 123) {
      q = flow(text, q, eol, depth + 1, build);
      value = flowValue;
    } else if (c === 34) {
      q = doubleQuoted(text, q, eol);
      if (build) value = unescape(text.slice(from + 1, q - 1));
    } else if (c === 39) {
      q = singleQuoted(text, q, eol);
      if (build) value = text.slice(from + 1, q - 1).replace(/''/g, "'");
    } else {
      // not a plain first character, a lone `-`, or `- x`
      if (!PLAIN_FIRST[c] || (c === DASH && !FLOW_PLAIN[text.charCodeAt(q + 1)])) throw UNSURE;
      let last = q;
      for (; q < eol; q++) {
        const ch = text.charCodeAt(q);
        if (FLOW_PLAIN[ch]) last = q;
        else if (ch !== SPACE) break;
        else if (text.charCodeAt(q + 1) === HASH) throw UNSURE; // a comment: the collection goes on below
      }
      if (build) value = plainValue(text.slice(from, last + 1));
    }
    if (out) put(out, key, value);
    while (text.charCodeAt(q) === SPACE) q++;
    const after = text.charCodeAt(q);
    if (after === 44 /* , */) q++;
    else if (after !== close) throw UNSURE;
  }
}
