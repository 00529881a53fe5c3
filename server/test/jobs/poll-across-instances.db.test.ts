// Two instances on one database (issue 20): what instance A writes, a poll or a balance read on
// instance B shows at once — nothing an instance keeps between requests (verified tokens,
// prepared statements) may hold database state. Both verify the same Canva-style tokens (one
// JWKS), as instances behind a load balancer do.
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobResponse, MeResponse, STYLE_IDS, ASPECT_IDS } from "@headshot/shared";
import { createJob, recordProgress } from "../../src/jobs/jobs";
import { createHarness, type Harness } from "../support/harness";
import { consentRequest } from "./helpers";

const APP_ID = "AAFtwoInstances";
const JWKS_URL = "https://jwks.test/keys";

let a: Harness;
let b: Harness;
let sign: (claims: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }] };
  const fetchJwks = (async () => Response.json(jwks)) as unknown as typeof fetch;
  sign = (claims) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setAudience(APP_ID)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
  const env = { CANVA_APP_ID: APP_ID, CANVA_JWKS_URL: JWKS_URL, FILE_URL_SECRET: "s".repeat(32) };
  a = await createHarness(env, { services: { fetch: fetchJwks } });
  b = await createHarness(env, { database: a.database, services: { fetch: fetchJwks } });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe("a poll on instance B", () => {
  it("sees the status and balance instance A wrote, immediately", async () => {
    const token = await sign({ userId: "poller", brandId: "two-instances" });
    const headers = { Authorization: `Bearer ${token}` };
    const consent = consentRequest();
    const consented = await a.app.request("/v1/consent", {
      ...consent,
      headers: { ...(consent.headers as Record<string, string>), ...headers },
    });
    expect(consented.status).toBe(200);

    const readOnB = async () => {
      const me = MeResponse.parse(await (await b.app.request("/v1/me", { headers })).json());
      const poll = await b.app.request(`/v1/headshots/${jobId}`, { headers });
      expect(poll.status).toBe(200);
      return { balance: me.credits.balance, job: JobResponse.parse(await poll.json()).job };
    };

    // The job is charged and created through instance A's database handle.
    const userId = MeResponse.parse(await (await a.app.request("/v1/me", { headers })).json()).user.id;
    const [user] = await a.services.db.query.users.findMany({ where: (u, { eq }) => eq(u.id, userId) });
    const { job } = await createJob(
      a.services.db,
      {
        user: user!,
        styles: [...STYLE_IDS],
        aspects: [...ASPECT_IDS],
        engine: "studio",
        credits: 1,
        instanceId: a.services.instanceId,
      },
      a.clock.now(),
    );
    const jobId = job.id;

    // B has read everything once (its verified-token cache and prepared statements are warm).
    expect(await readOnB()).toMatchObject({ balance: 2, job: { status: "queued", progress: 0 } });

    await recordProgress(a.services.db, jobId, "rendering", 0.6);
    expect(await readOnB()).toMatchObject({
      balance: 2,
      job: { status: "processing", stage: "rendering", progress: expect.closeTo(0.6, 5) },
    });

    // A cancels over HTTP: B shows the cancel and the refunded credit on the very next read.
    expect((await a.app.request(`/v1/headshots/${jobId}/cancel`, { method: "POST", headers })).status).toBe(
      200,
    );
    expect(await readOnB()).toMatchObject({ balance: 3, job: { status: "canceled" } });
  });
});
