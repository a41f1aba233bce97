/**
 * Pod Security Standards, "restricted" profile (kubernetes.io/docs/concepts/security/
 * pod-security-standards), checked field by field on every pod the server generates (the
 * Deployment's and the migration Job's), every container included: init containers, the Cloud
 * SQL Auth Proxy native sidecar and the main containers. The baseline controls are part of
 * "restricted" and are checked too. Beyond the profile, this project also requires a numeric
 * non-root UID and GID, a read-only root filesystem with a size-limited /tmp, and no mounted
 * service account token.
 */
import { resolve } from "../function/config/defaults.js";
import { POD_SECURITY_ENFORCE_VERSION } from "../function/resources/identity.js";
import { buildAll } from "../function/resources/index.js";
import { GOLDEN_SERVER_CASES, goldenConfig, podSpecs, render, withServer, type Obj } from "./helpers/server.js";

const RESTRICTED_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];
const SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
];
const SELINUX_TYPES = [undefined, "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

/** Every violation of the restricted profile (and of this project's extra rules) in one pod spec. */
function restrictedViolations(pod: any): string[] {
  const v: string[] = [];
  const psc = pod.securityContext ?? {};
  const containers: any[] = [
    ...(pod.initContainers ?? []),
    ...(pod.containers ?? []),
    ...(pod.ephemeralContainers ?? []),
  ];
  // Baseline: host namespaces, host process, volumes, sysctls, pod-level SELinux/AppArmor/seccomp.
  for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[f] === true) v.push(`pod: ${f} is true`);
  if (psc.windowsOptions?.hostProcess === true) v.push("pod: hostProcess");
  for (const s of psc.sysctls ?? []) if (!SAFE_SYSCTLS.includes(s.name)) v.push(`pod: unsafe sysctl ${s.name}`);
  if (!SELINUX_TYPES.includes(psc.seLinuxOptions?.type) || psc.seLinuxOptions?.user || psc.seLinuxOptions?.role)
    v.push("pod: seLinuxOptions");
  if (psc.appArmorProfile && !["RuntimeDefault", "Localhost"].includes(psc.appArmorProfile.type))
    v.push("pod: appArmorProfile");
  if (psc.seccompProfile && !["RuntimeDefault", "Localhost"].includes(psc.seccompProfile.type))
    v.push(`pod: seccompProfile ${psc.seccompProfile.type}`);
  if (psc.runAsUser === 0) v.push("pod: runAsUser 0");
  for (const vol of pod.volumes ?? []) {
    const types = Object.keys(vol).filter((k) => k !== "name");
    if (types.some((t) => !RESTRICTED_VOLUME_TYPES.includes(t))) v.push(`volume ${vol.name}: type ${types.join(",")}`);
  }
  // This project: no API token, a size limit on every emptyDir.
  if (pod.automountServiceAccountToken !== false) v.push("pod: automountServiceAccountToken is not false");
  for (const vol of pod.volumes ?? [])
    if (vol.emptyDir && !vol.emptyDir.sizeLimit) v.push(`volume ${vol.name}: emptyDir without sizeLimit`);

  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    // Baseline.
    if (sc.privileged === true) v.push(`${at}: privileged`);
    if (sc.windowsOptions?.hostProcess === true) v.push(`${at}: hostProcess`);
    for (const p of c.ports ?? []) if (p.hostPort) v.push(`${at}: hostPort ${p.hostPort}`);
    if (sc.procMount !== undefined && sc.procMount !== "Default") v.push(`${at}: procMount ${sc.procMount}`);
    if (!SELINUX_TYPES.includes(sc.seLinuxOptions?.type) || sc.seLinuxOptions?.user || sc.seLinuxOptions?.role)
      v.push(`${at}: seLinuxOptions`);
    if (sc.appArmorProfile && !["RuntimeDefault", "Localhost"].includes(sc.appArmorProfile.type))
      v.push(`${at}: appArmorProfile`);
    // Restricted.
    if (sc.allowPrivilegeEscalation !== false) v.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!(sc.runAsNonRoot === true || (psc.runAsNonRoot === true && sc.runAsNonRoot !== false)))
      v.push(`${at}: runAsNonRoot is not true`);
    if (sc.runAsUser === 0) v.push(`${at}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
    if (!["RuntimeDefault", "Localhost"].includes(seccomp)) v.push(`${at}: seccompProfile ${seccomp}`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) v.push(`${at}: capabilities.drop lacks ALL`);
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== "NET_BIND_SERVICE") v.push(`${at}: capability ${cap} added`);
    // This project: numeric non-root UID and GID set explicitly, read-only root filesystem.
    const uid = sc.runAsUser ?? psc.runAsUser;
    const gid = sc.runAsGroup ?? psc.runAsGroup;
    if (!Number.isInteger(uid) || uid <= 0) v.push(`${at}: runAsUser ${uid} is not a numeric non-root UID`);
    if (!Number.isInteger(gid) || gid <= 0) v.push(`${at}: runAsGroup ${gid} is not a numeric non-root GID`);
    if (sc.readOnlyRootFilesystem !== true) v.push(`${at}: readOnlyRootFilesystem is not true`);
  }
  return v;
}

const everything = withServer({
  replicas: 2,
  autoscaling: { maxReplicas: 4 },
  ingress: { host: "mlflow.example.com", clusterIssuer: "letsencrypt-prod" },
  cloudSqlProxy: { instanceConnectionName: "zenml-470505:australia-southeast1:zenml-mysql", privateIp: true },
});
const cases: Array<[string, Obj[]]> = [
  ...GOLDEN_SERVER_CASES.map((name): [string, Obj[]] => [name, buildAll(resolve(goldenConfig(name))) as Obj[]]),
  ["every option", render(everything)],
];

describe.each(cases)("%s", (_name, objects) => {
  const pods = podSpecs(objects);

  test("has the server Deployment and the migration Job", () => {
    expect(pods.map((p) => p.owner.split("/")[0]).sort()).toEqual(["Deployment", "Job"]);
  });

  test.each(pods.map((p) => [p.owner, p.spec]))("%s meets the restricted profile", (_owner, spec) => {
    expect(restrictedViolations(spec)).toEqual([]);
  });

  test("every container of every pod is checked, sidecars included", () => {
    const names = pods.flatMap((p) =>
      [...(p.spec.initContainers ?? []), ...p.spec.containers].map((c: any) => `${p.owner}:${c.name}`),
    );
    expect(names.length).toBeGreaterThanOrEqual(2);
    for (const p of pods)
      for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) expect(c.securityContext).toBeDefined();
  });
});

test("the proxy sidecar is checked as a container of both pods", () => {
  const sidecars = podSpecs(render(everything)).map((p) => p.spec.initContainers?.[0]?.name);
  expect(sidecars).toEqual(["cloud-sql-proxy", "cloud-sql-proxy"]);
});

describe("the check catches each violation", () => {
  const pod = () => structuredClone(podSpecs(render(everything)).find((p) => p.owner.startsWith("Deployment"))!.spec);
  test.each<[string, (p: any) => void, RegExp]>([
    [
      "privilege escalation in the sidecar",
      (p) => (p.initContainers[0].securityContext.allowPrivilegeEscalation = true),
      /cloud-sql-proxy: allowPrivilegeEscalation/,
    ],
    ["root", (p) => (p.containers[0].securityContext.runAsUser = 0), /mlflow: runAsUser 0/],
    ["runAsNonRoot false", (p) => (p.containers[0].securityContext.runAsNonRoot = false), /runAsNonRoot/],
    ["a capability added", (p) => (p.containers[0].securityContext.capabilities.add = ["NET_ADMIN"]), /NET_ADMIN/],
    ["ALL not dropped", (p) => (p.initContainers[0].securityContext.capabilities.drop = []), /drop lacks ALL/],
    [
      "seccomp Unconfined",
      (p) => (p.containers[0].securityContext.seccompProfile = { type: "Unconfined" }),
      /seccompProfile Unconfined/,
    ],
    [
      "no seccomp anywhere",
      (p) => {
        delete p.securityContext.seccompProfile;
        delete p.containers[0].securityContext.seccompProfile;
      },
      /mlflow: seccompProfile undefined/,
    ],
    ["a hostPath volume", (p) => p.volumes.push({ name: "host", hostPath: { path: "/" } }), /type hostPath/],
    ["host network", (p) => (p.hostNetwork = true), /hostNetwork/],
    ["privileged", (p) => (p.containers[0].securityContext.privileged = true), /privileged/],
    [
      "a writable root filesystem",
      (p) => (p.containers[0].securityContext.readOnlyRootFilesystem = false),
      /readOnlyRootFilesystem/,
    ],
    ["an unbounded emptyDir", (p) => delete p.volumes[0].emptyDir.sizeLimit, /without sizeLimit/],
    ["a mounted token", (p) => delete p.automountServiceAccountToken, /automountServiceAccountToken/],
    ["a hostPort", (p) => (p.containers[0].ports[0].hostPort = 5000), /hostPort/],
  ])("%s", (_name, mutate, pattern) => {
    const p = pod();
    mutate(p);
    expect(restrictedViolations(p).join("\n")).toMatch(pattern);
  });
});

describe("the instance's Namespace enforces the profile these pods meet", () => {
  test.each(["seed", ...GOLDEN_SERVER_CASES])("%s: restricted, enforce pinned, audit and warn at latest", (name) => {
    const namespace = render(goldenConfig(name)).find((o) => o.kind === "Namespace")!;
    const labels = namespace.metadata!.labels as Record<string, string>;
    const psa = Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith("pod-security.kubernetes.io/")));
    expect(psa).toEqual({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": POD_SECURITY_ENFORCE_VERSION,
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/audit-version": "latest",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "latest",
    });
    expect(POD_SECURITY_ENFORCE_VERSION).toMatch(/^v1\.[0-9]+$/);
  });
});
