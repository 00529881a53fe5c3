// The prediction provider the configuration names (REMOTE_ENGINE_KIND): one of the two
// deployments of the same predictions contract (SPEC §7.3).
import type { Config } from "../config/config";
import { createCogProvider } from "./cog";
import type { PredictionProvider } from "./provider";
import type { Fetch } from "./provider-http";
import { createReplicateProvider } from "./replicate";

type RemoteEngineConfig = Pick<
  Config,
  | "REMOTE_ENGINE_KIND"
  | "REMOTE_ENGINE_URL"
  | "REMOTE_ENGINE_TOKEN"
  | "REMOTE_ENGINE_MODEL"
  | "REMOTE_ENGINE_WEBHOOK_SECRET"
>;

/**
 * The configured provider. loadConfig has already checked that what the kind needs is set when
 * ENGINES includes generative; calling this without it is a programming error.
 */
export function createPredictionProvider(
  config: RemoteEngineConfig,
  options: { fetch?: Fetch } = {},
): PredictionProvider {
  const baseUrl = required(config, "REMOTE_ENGINE_URL");
  const secret = required(config, "REMOTE_ENGINE_WEBHOOK_SECRET");
  switch (required(config, "REMOTE_ENGINE_KIND")) {
    case "cog":
      return createCogProvider({ baseUrl, webhookToken: secret, fetch: options.fetch });
    case "replicate":
      return createReplicateProvider({
        baseUrl,
        token: required(config, "REMOTE_ENGINE_TOKEN"),
        model: required(config, "REMOTE_ENGINE_MODEL"),
        webhookSecret: secret,
        fetch: options.fetch,
      });
  }
}

function required<K extends keyof RemoteEngineConfig>(
  config: RemoteEngineConfig,
  name: K,
): NonNullable<RemoteEngineConfig[K]> {
  const value = config[name];
  if (!value) throw new Error(`${name} is not set: the generative engine is not configured`);
  return value as NonNullable<RemoteEngineConfig[K]>;
}
