/**
 * The tracking server (spec.server), in the order the objects are emitted: the
 * NetworkPolicy (wave 0), the migration hook (wave 2), then the server and what routes to it
 * and keeps it available (wave 3). Nothing when spec.server is absent.
 */
import type { ResolvedConfig } from "../../config/types.js";
import { SYNC_WAVES } from "../meta.js";
import type { OwnedKind, ResourceModule } from "../registry.js";
import { buildServerDeployment } from "./deployment.js";
import { buildServerIngress } from "./ingress.js";
import { buildMigrationJob } from "./migration.js";
import { buildHorizontalPodAutoscaler, buildNetworkPolicy, buildPodDisruptionBudget } from "./policy.js";
import { buildServerService } from "./service.js";

export function buildServer(config: ResolvedConfig): object[] {
  if (!config.server) return [];
  const objects: (object | undefined)[] = [
    buildNetworkPolicy(config),
    buildMigrationJob(config),
    buildServerDeployment(config),
    buildServerService(config),
    buildServerIngress(config),
    buildPodDisruptionBudget(config),
    buildHorizontalPodAutoscaler(config),
  ];
  // buildAll copies what this returns (resources/index.ts), so shared sub-objects are fine here.
  return objects.filter((o): o is object => o !== undefined);
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
    serverKind("networking.k8s.io/v1", "NetworkPolicy", SYNC_WAVES.foundation, "with spec.server, unless networkPolicy.enabled is false: what the server and migration pods may reach and be reached by"),
    serverKind("batch/v1", "Job", SYNC_WAVES.migration, "with spec.server: <name>-db-migrate, the database migration (mlflow db upgrade), an Argo CD Sync hook"),
    serverKind("apps/v1", "Deployment", SYNC_WAVES.server, "with spec.server: the tracking server"),
    serverKind("v1", "Service", SYNC_WAVES.server, "with spec.server: ClusterIP, port 80 to the server's 5000"),
    serverKind("networking.k8s.io/v1", "Ingress", SYNC_WAVES.server, "with spec.server.ingress: routes the host name to the server"),
    serverKind("policy/v1", "PodDisruptionBudget", SYNC_WAVES.server, "with spec.server.replicas above 1 or spec.server.autoscaling"),
    serverKind("autoscaling/v2", "HorizontalPodAutoscaler", SYNC_WAVES.server, "with spec.server.autoscaling: scales the server on CPU"),
  ],
  build: buildServer,
};
