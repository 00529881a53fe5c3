// The JSON logger (pino). Request logs carry method, route pattern, status, time and request id
// only: never the Authorization header, a token, a request body or photo bytes (SPEC §9).
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ["authorization", "headers.authorization", "req.headers.authorization", "token", "photo"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
