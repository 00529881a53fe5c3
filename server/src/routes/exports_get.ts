// GET /exports/:token: the user's export as a downloadable JSON file, by the signed ten-minute
// link `GET /v1/me/export` returns as `downloadUrl`. A forged or expired token is 404. The file
// carries no link of its own: downloading must not mint a fresh one each time.
import { ApiError } from "../http/api-error";
import type { App } from "../http/openapi";
import { exportUser } from "../privacy/export";
import { verifyExportToken } from "../privacy/export-links";

export function registerExportsGet(app: App) {
  app.get("/exports/:token", async (c) => {
    const { config, db, clock } = c.get("services");
    const now = clock.now();
    const userId = verifyExportToken(c.req.param("token"), config.fileUrlSecret, now.getTime());
    const gone = () =>
      new ApiError("NOT_FOUND", "This download link has expired. Open Headshot Studio and ask again.");
    if (!userId) throw gone();
    let document;
    try {
      document = await exportUser({ db, config }, userId, now);
    } catch (err) {
      if (err instanceof ApiError && err.code === "NOT_FOUND") throw gone(); // erased meanwhile
      throw err;
    }
    c.header("Content-Disposition", 'attachment; filename="headshot-studio-export.json"');
    return c.json(document, 200);
  });
}
