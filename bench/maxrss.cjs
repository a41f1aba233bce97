// Preloaded by bench/run.mjs (node --require): reports the process's peak resident set at exit.
process.on("exit", () => process.stderr.write(`maxrss-kb=${process.resourceUsage().maxRSS}\n`));
