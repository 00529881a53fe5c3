// Object storage for generated outputs (SPEC §11): one small interface, implemented on local disk
// (the embedded default) and on S3-compatible buckets. Photos are never stored.

export interface StoredObject {
  data: Uint8Array;
  contentType: string;
}

export interface Storage {
  put(key: string, data: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<StoredObject | undefined>;
  /** Deletes the keys; missing keys are not an error. */
  delete(keys: string[]): Promise<void>;
  /** Every finished object under a prefix; writes still in progress are not listed. */
  list(prefix: string): Promise<string[]>;
  /**
   * Removes everything under a prefix: objects, writes in progress or abandoned, and (on disk) the
   * directories themselves, whose names are ids. Erasure needs all of it gone, not just the keys.
   */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * Deletes writes under a prefix abandoned before `before` (a crash between writing and
   * publishing an object leaves one behind that `list` never shows); returns how many went.
   */
  deleteAbandonedWrites(prefix: string, before: Date): Promise<number>;
}

/** Where an output's files live: grouped by user and job so a user's files share one prefix. */
export function outputKeys(userId: string, jobId: string, outputId: string) {
  const base = `outputs/${userId}/${jobId}/${outputId}`;
  return { image: `${base}.jpg`, thumbnail: `${base}.thumb.jpg` };
}

export const userPrefix = (userId: string) => `outputs/${userId}/`;

const KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** Only a whole directory may go at once: a partial name ("outputs/ab") must never take its
 * neighbours ("outputs/abc/…"). */
export function assertDirectoryPrefix(prefix: string): void {
  if (!prefix.endsWith("/")) throw new Error(`not a directory prefix: ${prefix}`);
}

/** Keys are ours, but a bad one must never escape the storage root. */
export function assertSafeKey(key: string): void {
  if (!KEY.test(key) || key.split("/").some((part) => part === ".." || part === "." || part === "")) {
    throw new Error(`unsafe storage key: ${key}`);
  }
}
