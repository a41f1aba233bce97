/**
 * The SecretStore authenticates as the instance's service account with or without
 * spec.gcp.cluster; ESO then needs a token for that account, so the token-requester Role and
 * RoleBinding exist in both cases. Both shapes validate against the served ESO CRD.
 */
import { allSchemaErrors } from "./helpers/schemas.js";
import { find, render, withServer, type Obj } from "./helpers/server.js";

const withoutCluster = render(withServer());
const withCluster = render(
  withServer({}, { gcp: { projectId: "zenml-470505", cluster: { name: "zenml", location: "australia-southeast1" } } }),
);
const workloadIdentity = (objects: Obj[]) => find(objects, "SecretStore").spec.provider.gcpsm.auth?.workloadIdentity;
const tokenRequester = (objects: Obj[]) => objects.filter((o) => o.metadata?.name === "mlflow-eso-token-requester");

test("without spec.gcp.cluster: its service account, no cluster fields (ESO asks the metadata server)", () => {
  expect(workloadIdentity(withoutCluster)).toEqual({ serviceAccountRef: { name: "mlflow" } });
});

test("with spec.gcp.cluster: the instance's service account and the cluster's name, location and project", () => {
  expect(workloadIdentity(withCluster)).toEqual({
    clusterLocation: "australia-southeast1",
    clusterName: "zenml",
    clusterProjectID: "zenml-470505",
    serviceAccountRef: { name: "mlflow" },
  });
});

test.each([
  ["without", withoutCluster],
  ["with", withCluster],
])("%s spec.gcp.cluster: the ESO controller may create tokens for that one account", (_name, objects) => {
  const [role, binding] = tokenRequester(objects) as any[];
  expect([role?.kind, binding?.kind]).toEqual(["Role", "RoleBinding"]);
  expect(role.rules).toEqual([
    { apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: ["mlflow"], verbs: ["create"] },
  ]);
  expect(binding.subjects).toEqual([
    { kind: "ServiceAccount", name: "external-secrets", namespace: "external-secrets" },
  ]);
});

test.each([
  ["without", withoutCluster],
  ["with", withCluster],
])("%s spec.gcp.cluster: the SecretStore and the Role validate against their schemas", async (_name, objects) => {
  expect(await allSchemaErrors([find(objects, "SecretStore"), ...tokenRequester(objects)])).toEqual([]);
});
