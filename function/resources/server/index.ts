/**
 * The tracking server (spec.server), in the order the objects are emitted: the
 * NetworkPolicy (wave 0), the migration hook (wave 2), then the server and what routes to it
 * and keeps it available (wave 3). Nothing when spec.server is absent.
 */
import type { ResolvedConfig } from "../../config/types.js";
import { buildAuthExternalSecret } from "./auth.js";
import { buildBackendConfig } from "./backend-config.js";
import { buildServerDeployment } from "./deployment.js";
import { buildGatewayExposure } from "./gateway.js";
import { buildServerIngress } from "./ingress.js";
import { buildMigrationJob } from "./migration.js";
import { buildPodMonitoring } from "./monitoring.js";
import { buildHorizontalPodAutoscaler, buildNetworkPolicy, buildPodDisruptionBudget } from "./policy.js";
import { buildServerService } from "./service.js";

export function buildServer(config: ResolvedConfig): object[] {
  if (!config.server) return [];
  const objects: (object | undefined)[] = [
    buildNetworkPolicy(config),
    buildAuthExternalSecret(config),
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
  // buildAll copies what this returns (resources/index.ts), so shared sub-objects are fine here.
  return objects.filter((o): o is object => o !== undefined);
}
