// The support console (SPEC §10) mounted at /support: its own middleware (CSP nonce, staff
// session, CSRF), its pages, and errors rendered as HTML pages rather than the API's JSON body.
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { App } from "../http/openapi";
import { errorResponse, toApiError } from "../http/on-error";
import type { SupportEnv } from "../support/console-env";
import { consolePage, csrfProtection, plainInput, supportSession } from "../support/middleware";
import { renderPage } from "../support/views/layout";
import { registerSupportApi, SUPPORT_API_PREFIX } from "./support_api";
import { registerSupportLogin } from "./support_login";
import { registerSupportQueue } from "./support_queue";
import { registerSupportRequestActions } from "./support_request_actions";
import { registerSupportRequestDetail } from "./support_request_detail";
import { registerSupportRequestNew } from "./support_request_new";
import { registerSupportUserAccount } from "./support_user_account";
import { registerSupportUsers } from "./support_users";

export function registerSupportConsole(app: App) {
  const support = new Hono<SupportEnv>();
  support.use(consolePage(), plainInput(), supportSession(), csrfProtection());

  registerSupportLogin(support);
  registerSupportQueue(support);
  registerSupportRequestNew(support);
  registerSupportRequestDetail(support);
  registerSupportRequestActions(support);
  registerSupportUsers(support);
  registerSupportUserAccount(support);
  registerSupportApi(support);

  support.onError((err, c) => {
    const error = toApiError(err);
    if (error.status >= 500) {
      c.get("services").logger.error(
        { requestId: c.get("requestId"), err: error.cause ?? error },
        "console error",
      );
    }
    if (c.req.path.startsWith(SUPPORT_API_PREFIX)) return errorResponse(c, error);
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return renderPage(
      c,
      { title: "Something needs attention", status: error.status as ContentfulStatusCode, signedIn: false },
      <>
        <p class="error">{error.message}</p>
        <p>
          <a href="/support">Back to the requests</a>
        </p>
      </>,
    );
  });

  app.route("/support", support as unknown as App);
}
