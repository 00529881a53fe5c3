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
 * wait at most until the current turn ends (setImmediate), so nothing is held back at rest; what
 * is left is written when the process exits, crash or not.
 */
export function turnBuffered(sink: { write(text: string): unknown }): DestinationStream {
  let lines: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    const text = lines.join("");
    lines = [];
    sink.write(text);
  };
  process.on("exit", flush);
  return {
    write(line: string) {
      if (lines.length === 0) setImmediate(flush);
      lines.push(line);
    },
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
