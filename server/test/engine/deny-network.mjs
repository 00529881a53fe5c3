// Preload (node --import) for the offline test: any attempt to reach a non-loopback address —
// TCP, TLS, UDP, DNS or fetch — throws, and is recorded for the test to see.

import dns from "node:dns";
import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/;
export const attempts = [];
globalThis.__networkAttempts = attempts;

function refuse(what, host) {
  attempts.push(`${what} ${host}`);
  throw new Error(`network disabled in this test: ${what} ${host}`);
}

function hostOf(args) {
  const [first] = args;
  if (typeof first === "object" && first !== null)
    return first.host ?? first.hostname ?? (first.path ? "unix" : "localhost");
  if (typeof first === "number") return typeof args[1] === "string" ? args[1] : "localhost";
  return String(first);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const normal = Array.isArray(args[0]) ? args[0] : args;
  const host = hostOf(normal);
  if (host !== "unix" && !LOOPBACK.test(host)) refuse("connect", host);
  return connect.apply(this, args);
};
const tlsConnect = tls.connect;
tls.connect = function guardedTlsConnect(...args) {
  const host = hostOf(args);
  if (!LOOPBACK.test(host)) refuse("tls", host);
  return tlsConnect.apply(this, args);
};
const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function guardedSend(...args) {
  const host = args.find((a, i) => i > 0 && typeof a === "string") ?? "unknown";
  if (!LOOPBACK.test(host)) refuse("udp", host);
  return send.apply(this, args);
};
for (const api of [dns, dns.promises]) {
  for (const name of ["lookup", "resolve", "resolve4", "resolve6", "resolveAny"]) {
    const original = api[name];
    api[name] = function guardedDns(host, ...rest) {
      if (!LOOPBACK.test(String(host))) refuse(`dns.${name}`, host);
      return original.call(this, host, ...rest);
    };
  }
}
const fetch = globalThis.fetch;
globalThis.fetch = function guardedFetch(input, init) {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  if (url.protocol !== "file:" && url.protocol !== "data:" && !LOOPBACK.test(url.hostname)) {
    try {
      refuse("fetch", url.hostname);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  return fetch(input, init);
};
