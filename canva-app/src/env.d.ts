// Constants the build bakes in (scripts/build.mjs `define`, and vitest.config.ts for tests).
declare const BACKEND_URL: string;
/** Where "Report a bad result" sends the user (opened through requestOpenExternalUrl). */
declare const REPORT_URL: string;
