// Types for message-ids.mjs, imported by vitest.config.ts and its test.
export const APP_SOURCE: RegExp;
export function hasMessages(source: string): boolean;
export function addMessageIds(source: string, fileName: string): string;
export function cachedMessageIds(source: string, fileName: string, cacheDir?: string): string;
