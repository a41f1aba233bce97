// The launcher of the function: a few lines that run the bundle (dist/mlflow-infra.js) as a
// CommonJS module body, with its V8 code cache (dist/mlflow-infra.cache) when that cache was made
// from this very bundle. scripts/build.mjs writes it as dist/mlflow-infra, reading the two files
// beside it; scripts/build-sea.mjs makes it the single executable's main script, reading them from
// the executable's assets. bench/README.md has the measurements behind this layout.

/** The bundle's last line names its build; the cache starts with the same id, or is not used. */
export const BUILD_MARK = "//# mlflow-infra-build ";
export const ID_LENGTH = 32;
/** What node wraps a CommonJS module in; the code cache is made of the wrapped text. */
export const WRAP_HEAD = "(function(exports,require,module,__filename,__dirname){";
export const WRAP_TAIL = "\n})";

/**
 * The launcher's code. `read(name, binary)` is an expression that reads the file `name`: as a
 * latin1 string (the bundle is printable ASCII), or as a Buffer when binary; it may throw.
 *
 * V8 deserializes the bytecode of everything a render runs instead of compiling the bundle and
 * then, lazily, each function. V8 checks a cache against its own version and flags and the
 * source's length only, so the id is what keeps a cache from another build out; a cache V8
 * rejects (another node) is ignored and the bundle compiled, exactly as without one.
 */
export function launcher(read) {
  return (
    `"use strict";{` +
    `const src=${read("mlflow-infra.js", false)};let cache;try{cache=${read("mlflow-infra.cache", true)}}catch{}` +
    `const s=new(require("node:vm").Script)(${JSON.stringify(WRAP_HEAD)}+src+${JSON.stringify(WRAP_TAIL)},` +
    `{filename:"mlflow-infra.js",cachedData:cache&&cache.toString("latin1",0,${ID_LENGTH})===` +
    `src.slice(${-(ID_LENGTH + 1)},-1)?cache.subarray(${ID_LENGTH}):undefined});` +
    `s.runInThisContext()(exports,require,module,__filename,__dirname)}\n`
  );
}
