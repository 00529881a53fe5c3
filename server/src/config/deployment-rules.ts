// What a real deployment requires of the configuration (SPEC §5.3, §12). Development fills some
// variables in with values that are public in this repository or point at test fakes; production
// must set its own and may use none of those: with the development FILE_URL_SECRET anyone could
// forge file and export links, with the development app id or a plain-HTTP JWKS URL anyone could
// forge users, and a loopback Stripe base sends payments to a fake.
import { DEV_APP_ID } from "../auth/dev-issuer";

/** The HMAC key of links signed under development auth; public, so never valid elsewhere. */
export const DEV_FILE_URL_SECRET = "development-only-file-url-secret-never-in-production";

export interface DeploymentSettings {
  NODE_ENV: string;
  CANVA_APP_ID?: string | undefined;
  CANVA_JWKS_URL?: string | undefined;
  FILE_URL_SECRET?: string | undefined;
  PUBLIC_BASE_URL?: string | undefined;
  STRIPE_API_BASE?: string | undefined;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d+){3}|\[::1\]|0\.0\.0\.0)$/;

/** Every problem, each naming its variable. */
export function deploymentProblems(e: DeploymentSettings): string[] {
  const problems: string[] = [];
  const production = e.NODE_ENV === "production";
  // Outside development auth the links we sign are real: never sign them with the public default.
  if ((production || e.CANVA_APP_ID) && !e.FILE_URL_SECRET) {
    problems.push("FILE_URL_SECRET: required in production and whenever CANVA_APP_ID is set");
  }
  if ((production || e.CANVA_APP_ID) && e.FILE_URL_SECRET === DEV_FILE_URL_SECRET) {
    problems.push(
      "FILE_URL_SECRET: is the development value, public in this repository; set a secret of your own",
    );
  }
  if (!production) return problems;

  if (!e.CANVA_APP_ID) problems.push("CANVA_APP_ID: required in production");
  if (e.CANVA_APP_ID === DEV_APP_ID) {
    problems.push(`CANVA_APP_ID: "${DEV_APP_ID}" is the development app id; set your app's id`);
  }
  if (e.CANVA_JWKS_URL && !e.CANVA_JWKS_URL.startsWith("https://")) {
    problems.push(
      "CANVA_JWKS_URL: must be an https:// URL in production (the keys every token is checked with)",
    );
  }
  if (!e.PUBLIC_BASE_URL) {
    problems.push("PUBLIC_BASE_URL: required in production");
  } else if (
    !e.PUBLIC_BASE_URL.startsWith("https://") ||
    LOOPBACK_HOST.test(new URL(e.PUBLIC_BASE_URL).hostname)
  ) {
    problems.push(
      "PUBLIC_BASE_URL: must be a public https:// URL in production (Canva fetches file links from it)",
    );
  }
  if (e.STRIPE_API_BASE) {
    problems.push("STRIPE_API_BASE: points the Stripe client at a test fake; unset it in production");
  }
  return problems;
}
