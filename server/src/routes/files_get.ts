// GET /files/:token: an output image by signed, expiring token — the URL handed to Canva's
// upload() and used as its thumbnail. Exact type and length, no redirect, CORS *, private cache;
// anything not genuine, expired or gone is 404 (SPEC §4).
import { and, eq, gt } from "drizzle-orm";
import { outputs } from "../db/schema";
import { ApiError } from "../http/api-error";
import type { App } from "../http/openapi";
import { verifyFileToken } from "../storage/file-tokens";

export function registerFilesGet(app: App) {
  app.get("/files/:token", async (c) => {
    const { db, storage, config, clock } = c.get("services");
    const now = clock.now();
    const claims = verifyFileToken(c.req.param("token"), config.fileUrlSecret, now.getTime());
    const gone = () => new ApiError("NOT_FOUND", "This image link has expired or does not exist.");
    if (!claims) throw gone();
    const [output] = await db
      .select()
      .from(outputs)
      .where(and(eq(outputs.id, claims.outputId), gt(outputs.expiresAt, now)));
    if (!output) throw gone();
    const object = await storage.get(claims.variant === "full" ? output.storageKey : output.thumbStorageKey);
    if (!object) throw gone();
    const maxAge = Math.max(
      0,
      Math.min(config.FILE_URL_TTL_S, claims.expiresAt - Math.floor(now.getTime() / 1000)),
    );
    return c.body(object.data as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": object.contentType,
      "Content-Length": String(object.data.byteLength),
      "Cache-Control": `private, max-age=${maxAge}`,
      "Content-Disposition": "inline",
    });
  });
}
