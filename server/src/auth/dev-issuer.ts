// Development auth (SPEC §5.3): a throwaway RSA key that signs Canva-shaped user tokens for the
// local preview, the rule for when it may run, and the routes that hand tokens out.
//
// The verifier reads the issuer's key directly (`issuer.keys`) instead of fetching `/dev/jwks.json`
// from our own port: no start-up ordering or self-HTTP to go wrong. The JWKS route is still served
// so the preview and humans can see what Canva's would look like.
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
} from "jose";
import type { Env, Hono } from "hono";
import { ApiError } from "../http/api-error";
import type { KeySource } from "./canva-keys";
import { isCanvaId } from "./verify-canva-token";

/** The app id development tokens carry as `aud` when CANVA_APP_ID is unset. */
export const DEV_APP_ID = "dev-headshot-studio";

export interface AuthConfig {
  canvaAppId: string | undefined;
  nodeEnv: string | undefined;
}

export function isDevAuthAllowed({ canvaAppId, nodeEnv }: AuthConfig): boolean {
  return !canvaAppId && nodeEnv !== "production";
}

/** Stops start-up when production would otherwise fall back to development auth. */
export function assertAuthConfig({ canvaAppId, nodeEnv }: AuthConfig): void {
  if (nodeEnv === "production" && !canvaAppId) {
    throw new Error(
      "CANVA_APP_ID must be set when NODE_ENV=production: development auth is never used in production.",
    );
  }
}

export interface DevTokenClaims {
  userId: string;
  brandId: string;
  billableActions?: string[];
  ttlSeconds?: number;
}

export interface DevIssuer {
  appId: string;
  kid: string;
  /** The public key set, shaped like Canva's JWKS. */
  jwks(): JSONWebKeySet;
  issueToken(claims: DevTokenClaims): Promise<string>;
  /** Serves the issuer's public key to the verifier without HTTP. */
  keys: KeySource;
}

export interface DevIssuerOptions {
  appId: string;
  /** Clock in epoch milliseconds. */
  now?: () => number;
}

const DEFAULT_TTL_SECONDS = 10 * 60;

export async function createDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const { appId } = options;
  const now = options.now ?? Date.now;
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const exported = await exportJWK(publicKey);
  const kid = `dev-${await calculateJwkThumbprint(exported)}`;
  const publicJwk: JWK = { ...exported, kid, alg: "RS256", use: "sig" };

  return {
    appId,
    kid,
    jwks: () => ({ keys: [{ ...publicJwk }] }),
    async issueToken({ userId, brandId, billableActions, ttlSeconds = DEFAULT_TTL_SECONDS }) {
      const issuedAt = Math.floor(now() / 1000);
      return new SignJWT({ userId, brandId, ...(billableActions && { billableActions }) })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setAudience(appId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(privateKey);
    },
    keys: {
      async getKey(requestedKid) {
        if (requestedKid === kid) return publicKey;
        throw new ApiError("UNAUTHORIZED", "The token is signed by an unknown key.", {
          reason: "TOKEN_INVALID",
        });
      },
    },
  };
}

const DEV_USER_DEFAULTS = { userId: "dev-user", brandId: "dev-brand" };

/** `GET /dev/jwks.json` and `POST /dev/token`; mount only when isDevAuthAllowed(). */
export function registerDevAuthRoutes<E extends Env>(app: Hono<E>, issuer: DevIssuer): void {
  app.get("/dev/jwks.json", (c) => c.json(issuer.jwks()));

  app.post("/dev/token", async (c) => {
    const request = parseTokenRequest(await c.req.text());
    const token = await issuer.issueToken({ ...DEV_USER_DEFAULTS, ...request });
    return c.json({ token });
  });
}

function parseTokenRequest(text: string): Partial<DevTokenClaims> {
  let body: unknown = {};
  try {
    if (text.trim() !== "") body = JSON.parse(text);
  } catch {
    throw badRequest("The body must be JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The body must be a JSON object.");
  }
  const { userId, brandId, billableActions } = body as Record<string, unknown>;
  if (billableActions !== undefined && !isStringArray(billableActions)) {
    throw badRequest("billableActions must be an array of strings.");
  }
  return {
    ...(userId !== undefined && { userId: canvaId("userId", userId) }),
    ...(brandId !== undefined && { brandId: canvaId("brandId", brandId) }),
    ...(billableActions !== undefined && { billableActions }),
  };
}

// The verifier would refuse anything else, so it is refused here, where the mistake is made.
function canvaId(name: string, value: unknown): string {
  if (!isCanvaId(value))
    throw badRequest(`${name} must be 1 to 256 visible ASCII characters, like Canva's ids.`);
  return value;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function badRequest(message: string): ApiError {
  return new ApiError("BAD_REQUEST", message);
}
