// Types for message-ids.mjs, imported by vitest.config.ts.
export function addMessageIds(source: string, fileName: string): string;
export const APP_SOURCE: RegExp;
