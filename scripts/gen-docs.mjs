#!/usr/bin/env node
// Writes the parts of the docs and deploy files that derive from the code, so that they say what
// the function validates and builds:
// - docs/reference.md, the MlflowConfig field reference, from function/config/schema.ts;
// - docs/reference.md, the table of generated kinds, from the registry of resources
//   (function/resources/index.ts, MODULES);
// - deploy/argocd/apps/appproject.yaml, the kinds the instance AppProject allows, from the same
//   (Namespace by name: one entry per namespace of the project's destinations).
// Each part sits between BEGIN and END markers. `--check` writes nothing and exits 1 when a
// file is out of date (a test runs that).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { loadModule, root } from "./lib/load-module.mjs";

function typeOf(s) {
  if (s.enum) return s.enum.map((v) => `\`${v}\``).join(" \\| ");
  if (s.const) return `\`${s.const}\``;
  if (s.type === "object" && !s.properties) return "map";
  return s.type ?? "any";
}

function cell(text) {
  return String(text).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function rows(schema, path, required, out) {
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const p = path ? `${path}.${key}` : key;
    const isRequired = (schema.required ?? []).includes(key) && required;
    // `default: {}` on an object only makes its fields' defaults apply: nothing to show.
    const emptyObject =
      s.default !== null &&
      typeof s.default === "object" &&
      !Array.isArray(s.default) &&
      Object.keys(s.default).length === 0;
    const dflt =
      s.default === undefined || emptyObject
        ? ""
        : `\`${typeof s.default === "object" ? JSON.stringify(s.default) : s.default}\``;
    const text = [
      s.description,
      s["x-rule"] ? `Rule: ${s["x-rule"]}.` : "",
      s.pattern ? `Pattern \`${s.pattern}\`.` : "",
    ]
      .filter(Boolean)
      .join(" ");
    out.push(`| \`${p}\` | ${cell(typeOf(s))} | ${isRequired ? "yes" : ""} | ${cell(dflt)} | ${cell(text)} |`);
    if (s.properties) rows(s, p, isRequired, out);
  }
  return out;
}

async function fieldsTable() {
  const { mlflowConfigSchema: schema } = await loadModule("function/config/schema.ts");
  const name = schema.properties.metadata.properties.name;
  const out = ["| field | type | required | default | meaning and rule |", "| --- | --- | --- | --- | --- |"];
  out.push(`| \`metadata.name\` | string | yes |  | ${cell(name.description)} Rule: ${cell(name["x-rule"])}. |`);
  rows(schema.properties.spec, "spec", true, out);
  return out.join("\n");
}

async function loadRegistry() {
  const { MODULES } = await loadModule("function/resources/index.ts");
  return MODULES;
}

const groupOf = (apiVersion) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");

function kindsTable(modules) {
  const out = [
    "| kind | apiVersion | sync wave | family | when, and what it does |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const m of modules) {
    for (const o of m.owns) {
      const wave =
        o.wave === "config"
          ? "`spec.argocd.syncWave`"
          : typeof o.wave === "string"
            ? `\`${o.wave}\``
            : `\`${o.wave.plain}\` (\`${o.wave.configConnector}\` with \`spec.gcp.configConnector\`)`;
      out.push(`| \`${o.kind}\` | \`${o.apiVersion}\` | ${wave} | ${m.family} | ${cell(o.description)} |`);
    }
  }
  return out.join("\n");
}

/**
 * The instance AppProject's whitelists: every declared kind but the Application (it lives in
 * Argo CD's namespace), once each (two modules may build one kind: the server's auth ExternalSecret); Namespace objects
 * only by name, those of `namespaces`.
 */
function projectKinds(modules, namespaces) {
  const seen = new Set();
  const owned = modules
    .flatMap((m) => m.owns)
    .filter((o) => o.kind !== "Application")
    .filter((o) => !seen.has(`${groupOf(o.apiVersion)}/${o.kind}`) && seen.add(`${groupOf(o.apiVersion)}/${o.kind}`));
  const entry = (o, name) => [
    `    - group: ${groupOf(o.apiVersion) || '""'}`,
    `      kind: ${o.kind}`,
    ...(name === undefined ? [] : [`      name: ${name}`]),
  ];
  const list = (scope) =>
    owned
      .filter((o) => o.scope === scope)
      .flatMap((o) => (o.kind === "Namespace" ? namespaces.flatMap((n) => entry(o, n)) : entry(o)))
      .join("\n");
  return `  clusterResourceWhitelist:\n${list("Cluster")}\n  namespaceResourceWhitelist:\n${list("Namespaced")}`;
}

async function replaceBetween(file, begin, end, content, check) {
  const path = join(root, file);
  const text = await readFile(path, "utf8");
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start === -1 || stop === -1) throw new Error(`${file} has no markers ${begin} ... ${end}`);
  const lineEnd = text.indexOf("\n", start) + 1;
  const indent = text.slice(text.lastIndexOf("\n", stop) + 1, stop);
  const updated = `${text.slice(0, lineEnd)}${content}\n${indent}${text.slice(stop)}`;
  if (updated === text) return true;
  if (check) {
    console.error(`${file} is out of date: run \`node scripts/gen-docs.mjs\``);
    return false;
  }
  await writeFile(path, updated);
  return true;
}

/** The instance namespaces: the destinations of the AppProject mlflow. */
async function projectNamespaces() {
  const project = parse(await readFile(join(root, "deploy/argocd/apps/appproject.yaml"), "utf8"));
  return project.spec.destinations.map((d) => d.namespace);
}

const check = process.argv.includes("--check");
const modules = await loadRegistry();
const current = [
  await replaceBetween("docs/reference.md", "<!-- BEGIN FIELDS", "<!-- END FIELDS -->", await fieldsTable(), check),
  await replaceBetween("docs/reference.md", "<!-- BEGIN KINDS", "<!-- END KINDS -->", kindsTable(modules), check),
  await replaceBetween(
    "deploy/argocd/apps/appproject.yaml",
    "# BEGIN KINDS",
    "# END KINDS",
    projectKinds(modules, await projectNamespaces()),
    check,
  ),
];
if (current.includes(false)) process.exit(1);
