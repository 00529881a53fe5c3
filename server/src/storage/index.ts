// The output storage this configuration asks for: local disk under DATA_DIR (the embedded
// default) or an S3-compatible bucket shared by every instance (SPEC §11). The S3 client is
// loaded only when configured (~0.15 s of a start-up otherwise).
import path from "node:path";
import type { Config } from "../config/config";
import { createFsStorage } from "./fs-storage";
import type { S3Options } from "./s3-storage";
import type { Storage } from "./storage";

export async function createStorage(
  config: Pick<Config, "STORAGE" | "dataDir"> & S3Options,
): Promise<Storage> {
  if (config.STORAGE === "s3") return (await import("./s3-storage")).createS3Storage(config);
  return createFsStorage(path.join(config.dataDir, "files"));
}
