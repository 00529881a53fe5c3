// S3-compatible object storage (STORAGE=s3, SPEC §11): outputs shared by every instance, so any
// of them serves any file URL. A PUT is atomic (an object is visible only once complete), so
// there are no half-written objects to hide or clean up.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { Config } from "../config/config";
import { assertDirectoryPrefix, assertSafeKey, type Storage, type StoredObject } from "./storage";

/** DeleteObjects takes at most this many keys per call. */
const DELETE_BATCH = 1000;

export type S3Options = Pick<
  Config,
  "S3_BUCKET" | "S3_REGION" | "S3_ENDPOINT" | "S3_ACCESS_KEY_ID" | "S3_SECRET_ACCESS_KEY"
>;

export function createS3Storage(options: S3Options): Storage {
  const Bucket = options.S3_BUCKET;
  if (!Bucket) throw new Error("S3_BUCKET: required when STORAGE=s3");
  const client = new S3Client({
    region: options.S3_REGION ?? "us-east-1",
    // A custom endpoint (MinIO, R2, a test server) is addressed by path, not by bucket subdomain.
    ...(options.S3_ENDPOINT && { endpoint: options.S3_ENDPOINT, forcePathStyle: true }),
    ...(options.S3_ACCESS_KEY_ID &&
      options.S3_SECRET_ACCESS_KEY && {
        credentials: {
          accessKeyId: options.S3_ACCESS_KEY_ID,
          secretAccessKey: options.S3_SECRET_ACCESS_KEY,
        },
      }),
  });

  const list = async (prefix: string): Promise<string[]> => {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      // A partial list would leave files behind in deletePrefix (an erasure): fail instead.
      if (page.IsTruncated && !page.NextContinuationToken)
        throw new Error(`S3 listing of ${prefix} ended early`);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys.sort();
  };

  const remove = async (keys: string[]): Promise<void> => {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const Objects = keys.slice(i, i + DELETE_BATCH).map((Key) => ({ Key }));
      const result = await client.send(
        new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }),
      );
      // A missing key is not an error (S3 says so by not reporting it); anything reported is.
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        throw new Error(
          `S3 could not delete ${failed.length} objects, first ${failed[0]?.Key}: ${failed[0]?.Code}`,
        );
      }
    }
  };

  return {
    async put(key, data, contentType) {
      assertSafeKey(key);
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: data, ContentType: contentType }));
    },

    async get(key): Promise<StoredObject | undefined> {
      assertSafeKey(key);
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        const data = await object.Body?.transformToByteArray();
        if (!data) return undefined;
        return { data, contentType: object.ContentType ?? "application/octet-stream" };
      } catch (err) {
        // Some S3-compatible servers answer a plain 404 rather than NoSuchKey.
        if (
          err instanceof NoSuchKey ||
          (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
        ) {
          return undefined;
        }
        throw err;
      }
    },

    async delete(keys) {
      keys.forEach(assertSafeKey);
      await remove(keys);
    },

    list,

    async deletePrefix(prefix) {
      assertDirectoryPrefix(prefix);
      await remove(await list(prefix));
    },

    async deleteAbandonedWrites() {
      return 0; // single PUTs leave nothing behind when a process dies mid-write
    },
  };
}
