// The server process (`npm run serve`, what production runs; `npm start` runs it from source):
// configuration, then the database opens — for PGlite, compiling and starting PostgreSQL's
// WebAssembly, most of a start-up — while the rest of the server loads (run-server.ts).
import { loadConfigOrExit } from "./config/config";
import { openConfiguredDatabase } from "./db/client";

const config = loadConfigOrExit();
const database = openConfiguredDatabase(config);
const { runServer } = await import("./run-server");
await runServer(config, database);
