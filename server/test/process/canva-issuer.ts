// A stand-in for Canva's token issuer, for tests that run the real server process with
// CANVA_APP_ID: an RS256 key, its JWKS served on loopback (for CANVA_JWKS_URL), and tokens signed
// with it the way Canva signs user tokens.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";

export interface CanvaIssuer {
  /** http://127.0.0.1:<port>/jwks, for CANVA_JWKS_URL. */
  jwksUrl: string;
  /** A token with these claims and header fields (kid k1, RS256, 5 minutes by default). */
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startCanvaIssuer(): Promise<CanvaIssuer> {
  const pair = await generateKeyPair("RS256", { extractable: true });
  const privateKey: CryptoKey = pair.privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const server: Server = createServer((_req, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    sign: (claims, header = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: "k1", ...header })
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
