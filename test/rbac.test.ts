/**
 * The secret-reader Role: what it grants, and who it is for (clients that read the secret
 * through the API as the instance's service account; the server's pods never use it).
 */
import { find, podSpecs, render, withServer } from "./helpers/server.js";

const objects = render(withServer());
const reader = objects.filter((o) => o.metadata?.name === "mlflow-secret-reader");

test("the Role grants get on the one database secret, bound to the instance's service account", () => {
  expect(reader.map((o) => o.kind)).toEqual(["Role", "RoleBinding"]);
  expect((reader[0] as any).rules).toEqual([
    { apiGroups: [""], resources: ["secrets"], resourceNames: ["mlflow-database-secret"], verbs: ["get"] },
  ]);
  expect((reader[1] as any).subjects).toEqual([{ kind: "ServiceAccount", name: "mlflow", namespace: "mlflow" }]);
});

test("the server's pods run as that account but take the secret from the kubelet and mount no token", () => {
  for (const { owner, spec } of podSpecs(objects)) {
    expect([owner, spec.serviceAccountName, spec.automountServiceAccountToken]).toEqual([owner, "mlflow", false]);
    const refs = spec.containers.flatMap((c: any) =>
      (c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.valueFrom.secretKeyRef.name),
    );
    expect([owner, refs]).toEqual([owner, ["mlflow-database-secret"]]);
  }
  expect(find(objects, "Deployment").spec.template.spec.volumes.some((v: any) => v.projected || v.secret)).toBe(false);
});
