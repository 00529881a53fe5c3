// Constants the build bakes in (scripts/build.mjs `define`, and vitest.config.ts for tests).
declare const BACKEND_URL: string;
/** Where "Report a bad result" sends the user (opened through requestOpenExternalUrl). */
declare const REPORT_URL: string;
/** Images the build inlines as data URLs (scripts/build.mjs `loader`); tests get a file URL. */
declare module "*.jpg" {
  const url: string;
  export default url;
}
