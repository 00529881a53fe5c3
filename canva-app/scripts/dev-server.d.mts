// Types for dev-server.mjs, imported by its test.
export function startDevServer(options?: {
  port?: number;
  backendUrl?: string;
  outDir?: string;
  watch?: boolean;
  log?: (line: string) => void;
}): Promise<{ url: string; close(): Promise<void> }>;
