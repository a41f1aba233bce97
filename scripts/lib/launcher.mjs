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

/** The yaml package, bundled on its own: the bundle requires it the first time it needs it. */
export const YAML_CHUNK = "mlflow-infra.yaml.js";

/**
 * The launcher's code. `read(name, binary)` is an expression that reads the file `name`: as a
 * latin1 string (the bundle is ASCII), or as a Buffer when binary; it may throw.
 *
 * V8 deserializes the bytecode of everything a render runs instead of compiling the bundle and
 * then, lazily, each function. V8 checks a cache against its own version and flags and the
 * source's length only, so the id is what keeps a cache from another build out; a cache V8
 * rejects (another node) is ignored and the bundle compiled, exactly as without one.
 *
 * The bundle's `require` is the launcher's, except for `./mlflow-infra.yaml.js`, which is read
 * with `read` and run the same way (without a cache): a single executable's require loads
 * built-in modules only.
 */
export function launcher(read) {
  const BUNDLE = "mlflow-infra.js";
  const compiled = (src, filename, cachedData = "undefined") =>
    `new(require("node:vm").Script)(${JSON.stringify(WRAP_HEAD)}+${src}+${JSON.stringify(WRAP_TAIL)},` +
    `{filename:${JSON.stringify(filename)},cachedData:${cachedData}}).runInThisContext()`;
  const fits = `cache&&cache.toString("latin1",0,${ID_LENGTH})===src.slice(${-(ID_LENGTH + 1)},-1)`;
  return (
    `"use strict";{let yaml;` +
    `const req=(id)=>id===${JSON.stringify(`./${YAML_CHUNK}`)}?(yaml??=(()=>{const m={exports:{}};` +
    `${compiled(read(YAML_CHUNK, false), YAML_CHUNK)}(m.exports,req,m,__filename,__dirname);return m.exports})())` +
    `:require(id);` +
    `let src;try{src=${read(BUNDLE, false)}}catch(e){process.stderr.write("mlflow-infra: cannot read ` +
    `${BUNDLE} beside it ("+e.code+"): keep the files npm run build writes in dist/ together\\n");` +
    `process.exit(1)}` +
    `let cache;try{cache=${read("mlflow-infra.cache", true)}}catch{}` +
    `${compiled("src", BUNDLE, `${fits}?cache.subarray(${ID_LENGTH}):undefined`)}` +
    `(exports,req,module,__filename,__dirname)}\n`
  );
}
