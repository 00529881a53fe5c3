// Local-disk storage under DATA_DIR/files: each object is its bytes plus the content type in the
// file name's extension map below; writes go through a temp file and rename, so a reader never
// sees half an image.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { assertDirectoryPrefix, assertSafeKey, type Storage, type StoredObject } from "./storage";

const CONTENT_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".json": "application/json",
};

const TEMP_SUFFIX = ".tmp";

export function createFsStorage(root: string): Storage {
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(root, ...key.split("/"));
  };

  /** Every file under a prefix, temp files included, as keys (with the file's path). */
  const filesUnder = async (prefix: string) => {
    const dir = path.join(root, ...prefix.split("/").filter(Boolean));
    let entries;
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    return entries
      .filter((e) => e.isFile())
      .map((e) => {
        const file = path.join(e.parentPath, e.name);
        return { file, key: path.relative(root, file).split(path.sep).join("/") };
      })
      .filter((f) => f.key.startsWith(prefix));
  };

  return {
    async put(key, data, contentType) {
      const file = fileOf(key);
      if (CONTENT_TYPES[path.extname(file)] !== contentType) {
        throw new Error(`key ${key} does not match content type ${contentType}`);
      }
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${randomUUID()}${TEMP_SUFFIX}`;
      await writeFile(temp, data);
      await rename(temp, file);
    },

    async get(key): Promise<StoredObject | undefined> {
      const file = fileOf(key);
      try {
        const data = await readFile(file);
        return { data, contentType: CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream" };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
    },

    async delete(keys) {
      await Promise.all(keys.map((key) => rm(fileOf(key), { force: true })));
    },

    async list(prefix) {
      return (await filesUnder(prefix))
        .map((f) => f.key)
        .filter((key) => !key.endsWith(TEMP_SUFFIX))
        .sort();
    },

    async deletePrefix(prefix) {
      assertDirectoryPrefix(prefix);
      await rm(fileOf(prefix.slice(0, -1)), { recursive: true, force: true });
    },

    async deleteAbandonedWrites(prefix, before) {
      const temps = (await filesUnder(prefix)).filter((f) => f.key.endsWith(TEMP_SUFFIX));
      let deleted = 0;
      for (const { file } of temps) {
        try {
          // A write in progress renames its temp file away; only an old one is abandoned.
          if ((await stat(file)).mtime < before) {
            await rm(file, { force: true });
            deleted++;
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        }
      }
      return deleted;
    },
  };
}
