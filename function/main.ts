/**
 * mlflow-infra: command-line entry point. I/O lives here and nowhere else.
 *
 *   mlflow-infra                 KRM function: ResourceList on stdin, ResourceList on stdout
 *   mlflow-infra render FILE     the manifests for a MlflowConfig file, as multi-document YAML
 *   mlflow-infra schema          the JSON Schema of MlflowConfig
 *   mlflow-infra install DIR     (single executable) copy itself to DIR/mlflow-infra
 */
import { fstatSync, readFileSync, readSync, writeSync } from "node:fs";
import type { StringDecoder } from "node:string_decoder";
import type { Document } from "yaml";
import { loadConfig } from "./config/load.js";
import { mlflowConfigSchema } from "./config/schema.js";
import { install } from "./install.js";
import { formatResult, hasErrors, type Result } from "./krm/results.js";
import { readYaml, toYamlStream, YamlInputError } from "./krm/yaml.js";
import { processResourceList } from "./processor.js";
import { buildAll } from "./resources/index.js";
import { VERSION } from "./version.js";

const HELP = `mlflow-infra ${VERSION}: the MLflow-on-GKE manifest set from one MlflowConfig

Usage:
  mlflow-infra                  run as a KRM function: read a ResourceList on stdin,
                                write it back with the generated objects upserted
  mlflow-infra render FILE      print the manifests for the MlflowConfig in FILE
                                (- for stdin) as multi-document YAML
  mlflow-infra schema           print the JSON Schema of MlflowConfig
  mlflow-infra install DIR      copy this executable to DIR/mlflow-infra, mode 0755
                                (the single executable only: Argo CD's init container)
  mlflow-infra --help | --version

Exit status: 0 on success, 1 when the input has errors (each names the field and
the rule), 2 on wrong usage.

As a KRM function it runs under kpt (fn render / fn eval), kustomize
(--enable-alpha-plugins, plus --enable-exec for the executable) and Argo CD.
Docs: README.md of the mlflow-infra repository.
`;

function out(text: string): void {
  writeAll(1, text);
}

function err(text: string): void {
  writeAll(2, text);
}

/**
 * Synchronous, complete writes: process.exit() must not cut a large ResourceList short. A long
 * text goes out in slices of at most 1 MiB, each encoded on its own: a ResourceList that is
 * mostly the input's own text is never copied whole into one buffer.
 */
function writeAll(fd: number, text: string): void {
  const SLICE = 1 << 20;
  for (let at = 0; at < text.length;) {
    let end = Math.min(at + SLICE, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair together
    writeBuffer(fd, Buffer.from(end - at === text.length ? text : text.slice(at, end), "utf8"));
    at = end;
  }
}

function writeBuffer(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
    }
  }
}

/**
 * All of standard input. Not readFileSync(0): on a pipe whose writer is slower than the reader
 * and that is non-blocking (as any touch of process.stdin makes it), it fails with EAGAIN
 * ("internal error" on inputs over the 64 KiB pipe buffer); here EAGAIN waits 1 ms and retries.
 * One 1 MiB buffer is filled again and again, each time decoded at once: the input is held as
 * text only, not also as bytes. An input that fits in the buffer is decoded in one go; a larger
 * one through a StringDecoder, which keeps a character cut at the buffer's end whole (and whose
 * module and set-up cost start-up time, so it is loaded only then).
 */
function readStdin(): string {
  const chunk = Buffer.allocUnsafe(1 << 20);
  let decoder: StringDecoder | undefined;
  const parts: string[] = [];
  let filled = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(0, chunk, filled, chunk.length - filled, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      if (code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    filled += n;
    if (filled === chunk.length) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      decoder ??= new (require("node:string_decoder") as typeof import("node:string_decoder")).StringDecoder("utf8");
      parts.push(decoder.write(chunk));
      filled = 0;
    }
  }
  if (!decoder) return chunk.toString("utf8", 0, filled);
  parts.push(decoder.write(chunk.subarray(0, filled)), decoder.end());
  return parts.join("");
}

/**
 * Whether standard input is a terminal, without process.stdin: that getter sets a pipe
 * non-blocking and loads the stream machinery (a few ms of start-up). Only a character device
 * can be a terminal, so the tty module is loaded for those alone (/dev/null is one too).
 */
function stdinIsTerminal(): boolean {
  try {
    // A lazy require: loading node:tty costs start-up time, and only a terminal needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return fstatSync(0).isCharacterDevice() && (require("node:tty") as typeof import("node:tty")).isatty(0);
  } catch {
    return false;
  }
}

function reportToStderr(results: readonly Result[]): void {
  for (const r of results) if (r.severity !== "info") err(`${formatResult(r)}\n`);
}

function krm(): number {
  const outcome = processResourceList(readStdin());
  for (const part of outcome.parts) out(part);
  reportToStderr(outcome.results);
  return outcome.ok ? 0 : 1;
}

function render(file: string | undefined): number {
  if (!file) {
    err("mlflow-infra render: missing FILE (a MlflowConfig YAML file, or - for stdin)\n");
    return 2;
  }
  const source = file === "-" ? "standard input" : file;
  let text: string;
  try {
    text = file === "-" ? readStdin() : readFileSync(file, "utf8");
  } catch (e) {
    err(`mlflow-infra render: cannot read ${source}: ${readError(e as NodeJS.ErrnoException)}\n`);
    return 1;
  }
  let doc: Document;
  try {
    doc = readYaml(text);
  } catch (e) {
    if (!(e instanceof YamlInputError)) throw e;
    err(`error: ${source} is not valid YAML: ${e.message}\n`);
    return 1;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    err(`error: ${source} cannot be read: ${(e as Error).message}\n`);
    return 1;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    err(
      `error: ${source} must hold a MlflowConfig (a YAML mapping with apiVersion ` +
        `mlflow-infra.dev/v1alpha1), got ` +
        `${value == null ? "nothing" : Array.isArray(value) ? "a list" : JSON.stringify(value)}\n`,
    );
    return 1;
  }
  const loaded = loadConfig(value);
  reportToStderr(loaded.results);
  if (!loaded.config || hasErrors(loaded.results)) return 1;
  out(toYamlStream(buildAll(loaded.config)));
  return 0;
}

function readError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "it is a directory, not a file";
    case "EACCES":
      return "permission denied";
    default:
      return e.message;
  }
}

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      if (stdinIsTerminal()) {
        err(HELP);
        return 2;
      }
      return krm();
    case "render":
      return render(rest[0]);
    case "schema":
      out(`${JSON.stringify(mlflowConfigSchema, null, 2)}\n`);
      return 0;
    case "install": {
      const outcome = install(rest[0]);
      (outcome.status === 0 ? out : err)(outcome.message);
      return outcome.status;
    }
    case "-h":
    case "--help":
    case "help":
      out(HELP);
      return 0;
    case "-v":
    case "--version":
    case "version":
      out(`${VERSION}\n`);
      return 0;
    default:
      err(`mlflow-infra: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 2;
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  err(
    `mlflow-infra: internal error: ` +
      `${(e as Error).message}\n${process.env.MLFLOW_INFRA_DEBUG ? `${(e as Error).stack}\n` : ""}`,
  );
  process.exitCode = 1;
}
