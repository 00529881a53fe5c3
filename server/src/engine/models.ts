import { fileURLToPath } from "node:url";

/** Directory holding our committed models (server/models), each with its licence notice. */
export const MODELS_DIR = fileURLToPath(new URL("../../models/", import.meta.url));
