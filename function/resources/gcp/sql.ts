/**
 * The database on the existing Cloud SQL instance, its user, and the Cloud SQL roles.
 *
 * The instance is only referenced (instanceRef.external: the instance id, in the project of the
 * project-id annotation), never created or changed. The database is kept when the object is
 * deleted. The user:
 * - password: a built-in user whose password Config Connector reads from the Kubernetes Secret
 *   the ExternalSecret writes (key `password`, the db-password secret's value), so the password
 *   is in Secret Manager and the cluster, never in Git. It comes in the wave after the
 *   ExternalSecret (meta.ts), in the same namespace as that Secret (validate.ts).
 * - iam: the Google service account itself (type CLOUD_IAM_SERVICE_ACCOUNT), no password; in
 *   the same wave, before the migration that logs in as it.
 *
 * Cloud SQL instances have no IAM policy of their own: Config Connector's SQLInstance "Can Be
 * Referenced by IAMPolicy/IAMPolicyMember: No" (resource-docs/sql/sqlinstance.md, v1.155.1).
 * roles/cloudsql.client (and, with iam, roles/cloudsql.instanceUser) are therefore granted on
 * the instance's project, narrowed by an IAM condition to this one instance (the form of
 * Google's Cloud SQL IAM Conditions sample: resource.name and resource.type).
 */
import type { ResolvedConfig } from "../../config/types.js";
import { CONFIG_CONNECTOR_WAVES } from "../meta.js";
import { PASSWORD_KEY } from "../secrets.js";
import {
  CNRM_API,
  cnrmMeta,
  type CnrmObject,
  configConnector,
  type IamCondition,
  policyMember,
  serviceAccountMember,
} from "./common.js";

export function instanceResourceName(config: ResolvedConfig): string {
  const { sqlInstance } = configConnector(config);
  return `projects/${sqlInstance.projectId}/instances/${sqlInstance.name}`;
}

export function buildSqlDatabase(config: ResolvedConfig): CnrmObject {
  const cc = configConnector(config);
  return {
    apiVersion: CNRM_API.sql,
    kind: "SQLDatabase",
    metadata: cnrmMeta(config, `${config.name}-database`, CONFIG_CONNECTOR_WAVES.resources, {
      projectId: cc.sqlInstance.projectId,
      abandon: true,
    }),
    spec: {
      resourceID: cc.database,
      instanceRef: { external: cc.sqlInstance.name },
    },
  };
}

export function buildSqlUser(config: ResolvedConfig): CnrmObject {
  const cc = configConnector(config);
  const iam = cc.databaseAuth === "iam";
  return {
    apiVersion: CNRM_API.sql,
    kind: "SQLUser",
    metadata: cnrmMeta(config, `${config.name}-database-user`, CONFIG_CONNECTOR_WAVES.databaseUser, {
      projectId: cc.sqlInstance.projectId,
    }),
    spec: {
      resourceID: cc.user.resourceID,
      instanceRef: { external: cc.sqlInstance.name },
      ...(iam
        ? { type: "CLOUD_IAM_SERVICE_ACCOUNT" }
        : { password: { valueFrom: { secretKeyRef: { name: config.names.databaseSecret, key: PASSWORD_KEY } } } }),
    },
  };
}

function instanceCondition(config: ResolvedConfig): IamCondition {
  const { sqlInstance } = configConnector(config);
  return {
    title: `only ${sqlInstance.name}`,
    description: `Only the Cloud SQL instance ${sqlInstance.name}: Cloud SQL grants roles on the project alone.`,
    expression:
      `resource.name == '${instanceResourceName(config)}' && resource.type == ` + `'sqladmin.googleapis.com/Instance'`,
  };
}

/**
 * roles/cloudsql.client (the proxy connects), and with iam roles/cloudsql.instanceUser (IAM
 * login), on the one instance.
 */
export function buildCloudSqlMembers(config: ResolvedConfig): CnrmObject[] {
  const cc = configConnector(config);
  const roles = [
    ["cloudsql-client", "roles/cloudsql.client"],
    ...(cc.databaseAuth === "iam" ? [["cloudsql-instance-user", "roles/cloudsql.instanceUser"]] : []),
  ];
  return roles.map(([suffix, role]) =>
    policyMember(config, `${config.name}-${suffix}`, CONFIG_CONNECTOR_WAVES.iam, {
      role,
      member: serviceAccountMember(config.gcp.serviceAccountEmail),
      resourceRef: { kind: "Project", external: `projects/${cc.sqlInstance.projectId}` },
      condition: instanceCondition(config),
    }),
  );
}
