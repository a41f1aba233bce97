/**
 * Runs an Argo CD health check (Lua) as Argo CD runs one: lua5.1 (Argo CD's VM, gopher-lua, is
 * Lua 5.1), the script with the global `obj` and nothing else, no standard library (argocd-cm
 * sets no useOpenLibs for the checks of deploy/argocd). lua5.1 comes from
 * scripts/ci/install-tools.sh; without it the run fails.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./e2e.js";

/** A JSON value as a Lua 5.1 table constructor (null: absent; strings byte by byte, escaped). */
export function luaValue(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  if (typeof v === "string") {
    const bytes = [...Buffer.from(v, "utf8")];
    const printable = (b: number) => b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c;
    return `"${bytes.map((b) => (printable(b) ? String.fromCharCode(b) : `\\${b}`)).join("")}"`;
  }
  if (Array.isArray(v)) return `{${v.map(luaValue).join(", ")}}`;
  const entries = Object.entries(v as object).filter(([, x]) => x !== null && x !== undefined);
  return `{${entries.map(([k, x]) => `[${luaValue(k)}] = ${luaValue(x)}`).join(", ")}}`;
}

/** The table the check returns for `obj`, run in a fresh folder under `scratch`. */
export function runHealthCheck(
  scratch: string,
  lua: string,
  obj: unknown,
): { status: string | null; message: string | null } {
  const dir = mkdtempSync(join(scratch, "lua-"));
  writeFileSync(join(dir, "check.lua"), lua);
  writeFileSync(join(dir, "obj.lua"), `return ${luaValue(obj)}\n`);
  writeFileSync(
    join(dir, "harness.lua"),
    [
      "local check = assert(loadfile(arg[1]))",
      "setfenv(check, { obj = dofile(arg[2]) })",
      "local hs = check()",
      'local function text(v) return type(v) == "string" and v or "<nil>" end',
      'io.write(text(hs.status), "\\n", text(hs.message))',
    ].join("\n"),
  );
  const out = run("lua5.1", [join(dir, "harness.lua"), join(dir, "check.lua"), join(dir, "obj.lua")]).stdout;
  const [status, ...message] = out.split("\n");
  const nil = (x: string) => (x === "<nil>" ? null : x);
  return { status: nil(status), message: nil(message.join("\n")) };
}
