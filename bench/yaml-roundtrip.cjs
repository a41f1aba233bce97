// The passthrough baseline of bench/run.mjs: a bare `yaml` parse and stringify of stdin.
const { parse, stringify } = require("yaml");
const { readFileSync, writeSync } = require("node:fs");

const out = Buffer.from(stringify(parse(readFileSync(0, "utf8"))), "utf8");
for (let off = 0; off < out.length;) off += writeSync(1, out, off);
