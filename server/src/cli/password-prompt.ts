// Reads a new password for the CLI: typed twice without echo on a terminal, or the first line of
// standard input when it is not a terminal (scripts and tests pipe it in).
import type { CliIo } from "./support-commands";

export async function readPassword(io: CliIo): Promise<string> {
  if (!io.stdin.isTTY || !io.stdin.setRawMode) return firstLine(io.stdin);
  const first = await promptHidden(io, "Password: ");
  const again = await promptHidden(io, "Repeat the password: ");
  if (first !== again) throw new PasswordMismatch("The two passwords differ.");
  return first;
}

export class PasswordMismatch extends Error {}

async function firstLine(stream: CliIo["stdin"]): Promise<string> {
  let text = "";
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/)[0] ?? "";
}

function promptHidden(io: CliIo, question: string): Promise<string> {
  const { stdin } = io;
  io.stdout.write(question);
  return new Promise((resolve, reject) => {
    let value = "";
    const done = (error?: Error) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off("data", onData);
      io.stdout.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new PasswordMismatch("Cancelled."));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}
