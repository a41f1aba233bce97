/**
 * All builders, in the order the objects are emitted. Each builder is a pure function of
 * the resolved config.
 */
import type { ResolvedConfig } from "../config/types.js";
import type { KubeObject } from "../krm/resource-list.js";
import { buildApplication } from "./argocd.js";
import { buildNamespace, buildServiceAccount } from "./identity.js";
import { buildSecretReader, buildTokenRequester } from "./rbac.js";
import { buildDatabaseExternalSecret, buildSecretStore } from "./secrets.js";
import { buildServer } from "./server/index.js";

export function buildAll(config: ResolvedConfig): KubeObject[] {
  const objects: (object | undefined)[] = config.argocd?.applicationOnly
    ? [buildApplication(config)]
    : [
        buildNamespace(config),
        buildServiceAccount(config),
        ...buildSecretReader(config),
        ...buildTokenRequester(config),
        buildSecretStore(config),
        buildDatabaseExternalSecret(config),
        ...buildServer(config),
        buildApplication(config),
      ];
  return objects.filter((o): o is KubeObject => o !== undefined);
}
