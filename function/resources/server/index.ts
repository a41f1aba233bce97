/**
 * The tracking server (spec.server), in the order the objects are emitted: the
 * NetworkPolicy (wave 0), the migration hook (wave 2), then the server and what routes to it
 * and keeps it available (wave 3); with spec.gcp.configConnector, 3 and 4. Nothing when
 * spec.server is absent.
 */
import type { ResolvedConfig } from "../../config/types.js";
import { AUTH_KINDS, buildAuthExternalSecret, buildIapOAuthExternalSecret } from "./auth.js";
import { BACKEND_CONFIG_KINDS, buildBackendConfig } from "./backend-config.js";
import { MIGRATION_WAVE, SERVER_WAVE, SYNC_WAVES } from "../meta.js";
import type { OwnedKind, ResourceModule } from "../registry.js";
import { buildServerDeployment } from "./deployment.js";
import { buildGatewayExposure, GATEWAY_KINDS } from "./gateway.js";
import { buildServerIngress } from "./ingress.js";
import { buildMigrationJob } from "./migration.js";
import { buildPodMonitoring, MONITORING_KINDS } from "./monitoring.js";
import { buildHorizontalPodAutoscaler, buildNetworkPolicy, buildPodDisruptionBudget } from "./policy.js";
import { buildServerService } from "./service.js";

export function buildServer(config: ResolvedConfig): (object | undefined)[] {
  if (!config.server) return [];
  const objects = [
    buildNetworkPolicy(config),
    buildAuthExternalSecret(config),
    buildIapOAuthExternalSecret(config),
    buildMigrationJob(config),
    buildServerDeployment(config),
    buildServerService(config),
    buildServerIngress(config),
    buildBackendConfig(config),
    ...buildGatewayExposure(config),
    buildPodDisruptionBudget(config),
    buildHorizontalPodAutoscaler(config),
    buildPodMonitoring(config),
  ];
  // buildAll copies what this returns and drops the undefined ones (resources/index.ts).
  return objects;
}

const serverKind = (apiVersion: string, kind: string, wave: OwnedKind["wave"], description: string): OwnedKind => ({
  apiVersion,
  kind,
  scope: "Namespaced",
  wave,
  component: kind === "Job" ? "migration" : "tracking-server",
  description,
});

export const server: ResourceModule = {
  family: "server",
  owns: [
    serverKind(
      "networking.k8s.io/v1",
      "NetworkPolicy",
      SYNC_WAVES.foundation,
      "with spec.server, unless networkPolicy.enabled is false: what the server and migration pods may " +
        "reach and be reached by",
    ),
    serverKind(
      "batch/v1",
      "Job",
      MIGRATION_WAVE,
      "with spec.server: <name>-db-migrate, the database migration (mlflow db upgrade), an Argo CD Sync hook",
    ),
    serverKind("apps/v1", "Deployment", SERVER_WAVE, "with spec.server: the tracking server"),
    serverKind("v1", "Service", SERVER_WAVE, "with spec.server: ClusterIP, port 80 to the server's 5000"),
    serverKind(
      "networking.k8s.io/v1",
      "Ingress",
      SERVER_WAVE,
      "with spec.server.ingress: routes the host name to the server",
    ),
    serverKind(
      "policy/v1",
      "PodDisruptionBudget",
      SERVER_WAVE,
      "with spec.server.replicas above 1 or spec.server.autoscaling",
    ),
    serverKind(
      "autoscaling/v2",
      "HorizontalPodAutoscaler",
      SERVER_WAVE,
      "with spec.server.autoscaling: scales the server on CPU",
    ),
    ...AUTH_KINDS,
    ...BACKEND_CONFIG_KINDS,
    ...GATEWAY_KINDS,
    ...MONITORING_KINDS,
  ],
  build: buildServer,
};
