/**
 * What the end-to-end tests (test/e2e-*.test.ts) share: the tools' environment (the podman
 * `docker` shim, CONTAINERS_CONF, KPT_FN_RUNTIME), running a command with a clear failure, the
 * function image built from this Dockerfile, and a field-level diff of rendered objects.
 *
 * A missing tool is a failure, never a skip: CI installs them (scripts/ci/install-tools.sh,
 * which `npm test` runs first), except kubectl and kpt, which come with the machine
 * (scripts/ci/check-tools.sh, which install-tools.sh runs, checks them).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { KubeObject } from "../../function/krm/resource-list.js";
import { DIST, ROOT } from "./paths.js";
import { BUILD_LOCK, ensureSea, which } from "./sea.js";
import { requireReachableByAll } from "./stage.js";

/** The environment scripts/ci/env.sh sets up, whether or not the caller sourced it. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const bin = join(ROOT, ".cache/bin");
  const path = process.env.PATH ?? "";
  return {
    ...process.env,
    PATH: path.split(":").includes(bin) ? path : `${bin}:${path}`,
    CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? join(ROOT, ".cache/containers/containers.conf"),
    KPT_FN_RUNTIME: "podman",
    ...extra,
  };
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs a command (as uid/gid when given); throws with its output unless it exits 0 (or `allowFailure`).
 * As another uid, the command (as found on the PATH given) and cwd must be staged where every user
 * reaches them (helpers/stage.ts): this says which folder is in the way instead of spawn's EACCES.
 */
export function run(
  cmd: string,
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    input?: string;
    allowFailure?: boolean;
    uid?: number;
    gid?: number;
  } = {},
): RunResult {
  if (options.uid !== undefined) {
    requireReachableByAll(options.cwd ?? ROOT, `cwd of ${cmd} as uid ${options.uid}:`);
    const found = isAbsolute(cmd) ? cmd : which(cmd, (options.env ?? toolEnv()).PATH ?? "");
    if (found !== undefined) requireReachableByAll(found, `${cmd} as uid ${options.uid}:`);
  }
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? toolEnv(),
    input: options.input,
    uid: options.uid,
    gid: options.gid,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  const result = { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, seconds };
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(
      `${cmd} ${args.join(" ")} (cwd ${options.cwd ?? ROOT}) exited ${result.status}\n--- ` +
        `stderr\n${r.stderr}\n--- stdout\n${r.stdout.slice(0, 4000)}`,
    );
  }
  return result;
}

const HOW = "install it with `bash scripts/ci/install-tools.sh` (npm test does), then `source scripts/ci/env.sh`";

/** Fails (never skips) when a tool the e2e tests drive is absent. */
export function requireTools(tools: string[]): void {
  const env = toolEnv();
  const missing = tools.filter((t) => spawnSync("sh", ["-c", `command -v ${t}`], { env }).status !== 0);
  const fromMachine = missing.filter((t) => t === "kubectl" || t === "kpt");
  if (fromMachine.length > 0) {
    // Not installed by this project (neither Debian nor npm has them): see scripts/ci/check-tools.sh.
    throw new Error(
      `e2e: required tool(s) not found on PATH: ${fromMachine.join(", ")}; install kubectl 1.27 or later ` +
        `(kustomize v5.x) and kpt 1.0.0-beta.* (\`bash scripts/ci/check-tools.sh\` checks them)`,
    );
  }
  if (missing.length > 0) throw new Error(`e2e: required tool(s) not found on PATH: ${missing.join(", ")}; ${HOW}`);
  if (tools.includes("docker")) {
    // kustomize runs `docker`; it must be the podman shim (the docker CLI alone has no engine here).
    const v = spawnSync("docker", ["--version"], { env, encoding: "utf8" });
    if (v.status !== 0 || !/podman/i.test(v.stdout)) {
      throw new Error(
        `e2e: \`docker\` on PATH is not the podman shim (.cache/bin/docker): ${(v.stdout || v.stderr).trim()}; ${HOW}`,
      );
    }
  }
  if (!existsSync(DIST)) throw new Error(`e2e: ${DIST} is missing: run \`npm run build\` first (npm test does)`);
}

/** The function image the committed files name: image.txt's (test/release.test.ts keeps them equal). */
export function publishedImage(): string {
  return readFileSync(join(ROOT, "image.txt"), "utf8").trim();
}

/** The name scripts/container/build-image.sh gives by default. */
export const LOCAL_IMAGE = "localhost/mlflow-infra:dev";

export interface BuiltImage {
  /** The name the committed files use, tagged onto the local build. */
  image: string;
  /** What scripts/container/build-image.sh --local built. */
  local: string;
  bytes: number;
  seconds: number;
}

/**
 * Builds this repository's Dockerfile with podman (scripts/container/build-image.sh --local:
 * the prebuilt target on the host-made cc base) as LOCAL_IMAGE and the published name the
 * committed files use. A file lock serializes builds when several test files run at once.
 */
export function buildImage(): BuiltImage {
  const start = process.hrtime.bigint();
  // The prebuilt target copies the single executable, which then is the function under test:
  // rebuilt first when stale (the tests compare with `node dist/...`).
  ensureSea();
  // Both names at once: the previous build is then left untagged, and the script prunes it.
  const image = publishedImage();
  const built = run("flock", [
    BUILD_LOCK,
    join(ROOT, "scripts/container/build-image.sh"),
    "--local",
    "--tag",
    LOCAL_IMAGE,
    "--tag",
    image,
  ]);
  const local = built.stdout.trim().split("\n").pop()!;
  const bytes = Number(run("podman", ["image", "inspect", "--format", "{{.Size}}", image]).stdout.trim());
  return { image, local, bytes, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

// ---- field-level diff of rendered objects -------------------------------------------------

export type Path = (string | number)[];

export function pathString(path: Path): string {
  return path
    .map((s, i) =>
      typeof s === "number"
        ? `[${s}]`
        : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)
          ? i === 0
            ? s
            : `.${s}`
          : `[${JSON.stringify(s)}]`,
    )
    .join("");
}

/** Leaves of a JSON-like value, keyed by pathString; empty maps and lists count as leaves. */
export function leaves(value: unknown, path: Path = [], out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => leaves(v, [...path, i], out));
  else if (value !== null && typeof value === "object" && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
  } else out.set(pathString(path), value);
  return out;
}

export interface FieldChange {
  path: string;
  old: unknown;
  new: unknown;
}

export function diffValues(a: unknown, b: unknown): FieldChange[] {
  const la = leaves(a);
  const lb = leaves(b);
  const changes: FieldChange[] = [];
  for (const p of new Set([...la.keys(), ...lb.keys()])) {
    if (JSON.stringify(la.get(p)) !== JSON.stringify(lb.get(p)))
      changes.push({ path: p, old: la.get(p), new: lb.get(p) });
  }
  return changes.sort((x, y) => x.path.localeCompare(y.path));
}

export function objectId(o: KubeObject): string {
  return `${String(o.apiVersion)} ${String(o.kind)} ${String(o.metadata?.namespace ?? "")}/${String(o.metadata?.name)}`;
}

export interface ObjectDiff {
  /** Objects on both sides (paired by apiVersion, kind and name; else by kind when one of it each side); id is b's. */
  changed: { id: string; a: KubeObject; b: KubeObject; changes: FieldChange[] }[];
  onlyA: KubeObject[];
  onlyB: KubeObject[];
}

export function diffObjects(as: KubeObject[], bs: KubeObject[]): ObjectDiff {
  const key = (o: KubeObject) => `${String(o.apiVersion)}|${String(o.kind)}`;
  const restA = [...as];
  const restB = [...bs];
  const pairs: [KubeObject, KubeObject][] = [];
  for (const a of as) {
    const i = restB.findIndex((b) => key(b) === key(a) && b.metadata?.name === a.metadata?.name);
    if (i >= 0) {
      pairs.push([a, restB[i]]);
      restB.splice(i, 1);
      restA.splice(restA.indexOf(a), 1);
    }
  }
  for (const a of [...restA]) {
    const sameA = restA.filter((x) => key(x) === key(a));
    const sameB = restB.filter((x) => key(x) === key(a));
    if (sameA.length === 1 && sameB.length === 1) {
      pairs.push([a, sameB[0]]);
      restA.splice(restA.indexOf(a), 1);
      restB.splice(restB.indexOf(sameB[0]), 1);
    }
  }
  return {
    changed: pairs
      .map(([a, b]) => ({ id: objectId(b), a, b, changes: diffValues(a, b) }))
      .filter((d) => d.changes.length > 0),
    onlyA: restA,
    onlyB: restB,
  };
}
