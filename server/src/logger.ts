// The JSON logger (pino). Request logs carry method, route pattern, status, time and request id
// only: never the Authorization header, a token, a request body or photo bytes (SPEC §9). Errors
// are logged without the values of the query that failed (they can be emails or Canva ids).
import { pino, stdSerializers, type DestinationStream, type Logger } from "pino";

export type { Logger };

// drizzle's DrizzleQueryError puts "params: <values>" into its message and keeps them as
// `params`; drivers keep them as `parameters`.
const VALUE_KEYS = new Set(["params", "parameters"]);

function withoutValues(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(/\nparams: .*/g, "\nparams: [redacted]");
  if (!value || typeof value !== "object" || depth > 4) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      VALUE_KEYS.has(key) ? [key, "[redacted]"] : [key, withoutValues(inner, depth + 1)],
    ),
  );
}

export function serializeError(err: unknown): unknown {
  return withoutValues(err instanceof Error ? stdSerializers.errWithCause(err) : err);
}

/**
 * A destination written once per turn of the event loop: a busy server logs a line per request,
 * and a write each cost the request path more than building the line (issue 20's bench). Lines
 * wait at most until the current turn ends (setImmediate), so nothing is held back at rest. What
 * is left is written when the process exits, an uncaught error included, and at once when pino
 * is asked to flush (`logger.flush()`); only a kill or an abort loses the current turn's lines.
 */
export function turnBuffered(sink: { write(text: string): unknown }): DestinationStream & {
  flush(done?: () => void): void;
} {
  let lines: string[] = [];
  const flush = (done?: () => void) => {
    if (lines.length > 0) {
      const text = lines.join("");
      lines = [];
      sink.write(text);
    }
    done?.();
  };
  process.on("exit", () => flush());
  return {
    write(line: string) {
      if (lines.length === 0) setImmediate(flush);
      lines.push(line);
    },
    flush,
  };
}

let processStdout: DestinationStream | undefined;

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: serializeError },
      redact: {
        paths: ["authorization", "headers.authorization", "req.headers.authorization", "token", "photo"],
        censor: "[redacted]",
      },
    },
    // Standard output through pino's synchronous destination, which waits out a full pipe.
    destination ?? (processStdout ??= turnBuffered(pino.destination({ dest: 1, sync: true }))),
  );
}
