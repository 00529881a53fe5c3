// The output storage this configuration asks for: local disk under DATA_DIR (the embedded
// default) or an S3-compatible bucket shared by every instance (SPEC §11).
import path from "node:path";
import type { Config } from "../config/config";
import { createFsStorage } from "./fs-storage";
import { createS3Storage, type S3Options } from "./s3-storage";
import type { Storage } from "./storage";

export function createStorage(config: Pick<Config, "STORAGE" | "dataDir"> & S3Options): Storage {
  if (config.STORAGE === "s3") return createS3Storage(config);
  return createFsStorage(path.join(config.dataDir, "files"));
}
