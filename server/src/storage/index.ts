// The output storage this configuration asks for (STORAGE=fs today; S3 arrives with scale-out).
import path from "node:path";
import type { Config } from "../config/config";
import { createFsStorage } from "./fs-storage";
import type { Storage } from "./storage";

export function createStorage(config: Pick<Config, "STORAGE" | "dataDir">): Storage {
  if (config.STORAGE === "s3") {
    throw new Error("STORAGE=s3 is not available in this version; use STORAGE=fs");
  }
  return createFsStorage(path.join(config.dataDir, "files"));
}
