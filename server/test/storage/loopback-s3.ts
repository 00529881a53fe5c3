// A loopback S3-compatible server (s3rver) in a child process. The child runs with OpenSSL's
// legacy provider because s3rver encrypts list continuation tokens with DES, which Node 20's
// OpenSSL 3 refuses otherwise; the code under test keeps the default crypto.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

export interface LoopbackS3 {
  /** http://127.0.0.1:<port>, for S3_ENDPOINT. */
  endpoint: string;
  close(): Promise<void>;
}

const SERVER = `
const S3rver = require(process.env.S3RVER_PATH);
const server = new S3rver({
  address: "127.0.0.1", port: 0, silent: true, directory: process.env.S3RVER_DIR,
  configureBuckets: process.env.S3RVER_BUCKETS.split(",").map((name) => ({ name, configs: [] })),
});
server.run().then(({ port }) => console.log(JSON.stringify({ port })));
`;

export async function startLoopbackS3(buckets: string[]): Promise<LoopbackS3> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "s3rver-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", "-e", SERVER], {
    env: {
      ...process.env,
      S3RVER_PATH: createRequire(import.meta.url).resolve("s3rver"),
      S3RVER_DIR: directory,
      S3RVER_BUCKETS: buckets.join(","),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`s3rver exited (${code}) before listening`)));
    child.stdout.once("data", (chunk: Buffer) =>
      resolve((JSON.parse(String(chunk)) as { port: number }).port),
    );
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The STORAGE=s3 environment of a server that keeps its outputs in `bucket` of this server. */
export function s3Env(s3: LoopbackS3, bucket: string) {
  return {
    STORAGE: "s3",
    S3_BUCKET: bucket,
    S3_REGION: "us-east-1",
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
  } as const;
}
