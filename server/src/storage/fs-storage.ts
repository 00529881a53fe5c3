// Local-disk storage under DATA_DIR/files: each object is its bytes plus the content type in the
// file name's extension map below; writes go through a temp file and rename, so a reader never
// sees half an image.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { assertSafeKey, type Storage, type StoredObject } from "./storage";

const CONTENT_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".json": "application/json",
};

export function createFsStorage(root: string): Storage {
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(root, ...key.split("/"));
  };

  return {
    async put(key, data, contentType) {
      const file = fileOf(key);
      if (CONTENT_TYPES[path.extname(file)] !== contentType) {
        throw new Error(`key ${key} does not match content type ${contentType}`);
      }
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${randomUUID()}.tmp`;
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
      const dir = path.join(root, ...prefix.split("/").filter(Boolean));
      let entries;
      try {
        entries = await readdir(dir, { recursive: true, withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
      }
      return entries
        .filter((e) => e.isFile() && !e.name.endsWith(".tmp"))
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
        .filter((key) => key.startsWith(prefix))
        .sort();
    },
  };
}
