// The limits of SPEC §6.2 as ready-made pieces: per-user middleware to mount on writes (never on
// progress polling or other reads), the failed-authentication counter canvaAuth calls, and the
// support-login check per IP the console calls.
import ipaddr from "ipaddr.js";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import type { HonoEnv } from "../http/env";
import type { RateLimitDecision } from "./limiter";
import { rateLimit, rateLimitedError } from "./rate-limit";

// Per user: the internal user id currentUser put on the context of every /v1 route.
const byUser = (c: Context<HonoEnv>) => c.get("user").id;

export const limitGeneration = rateLimit({ name: "generation", key: byUser });
export const limitCheckout = rateLimit({ name: "checkout", key: byUser });
/** Consent, export (the one read SPEC §6.2 limits) and erasure requests. */
export const limitPrivacy = rateLimit({ name: "privacy", key: byUser });

/**
 * The caller's IP. With TRUST_PROXY_HOPS = 0 (default) only the socket's peer is trusted, since a
 * client can write any X-Forwarded-For it likes. Behind N trusted proxies (a load balancer), the
 * client is the N-th address from the right of X-Forwarded-For: each proxy appends its peer, so
 * the entries left of that are the client's own claims and are ignored. Without a socket
 * (in-process `app.request`, as tests do) the first hop is read. IPv6 addresses come back as
 * their /64 (`addressKey`).
 */
export function clientIp(c: Context<HonoEnv>): string | undefined {
  let socket: string | undefined;
  try {
    socket = getConnInfo(c).remote.address;
  } catch {
    // No Node.js socket bindings on c.env: the request did not come through @hono/node-server.
  }
  const forwarded = (c.req.header("X-Forwarded-For") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (socket === undefined) return forwarded[0] && addressKey(forwarded[0]);
  const hops = c.get("services").config.TRUST_PROXY_HOPS;
  // A chain shorter than the proxies we trust did not come through them all: its first entry is
  // whatever the client wrote, so the socket's peer is all we know.
  const ip = hops > 0 && forwarded.length >= hops ? forwarded[forwarded.length - hops]! : socket;
  return addressKey(ip);
}

/**
 * The address as a limiter's key: an IPv6 address stands for its /64, the block one subscriber
 * gets (an attacker with one has 2⁶⁴ addresses to rotate through); IPv4, including IPv4-mapped
 * IPv6, is itself.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip); // IPv4-mapped IPv6 becomes IPv4
  if (address.kind() === "ipv4") return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${prefix.join(":")}::/64`;
}

/**
 * canvaAuth's onFailure hook: a failed authentication spends one of the IP's `auth_failure`
 * requests; once they are spent the answer is 429 instead of 401.
 */
export async function countFailedAuthentication(c: Context<HonoEnv>): Promise<void> {
  const ip = clientIp(c);
  if (ip === undefined) return;
  const { config, rateLimiter } = c.get("services");
  const decision = await rateLimiter.take(`auth_failure:${ip}`, config.RATE_LIMITS.auth_failure);
  if (!decision.allowed) throw rateLimitedError(decision);
}

/**
 * Spends one support-login attempt of the caller's IP (SPEC §6.2: 5/min), whatever the account.
 * There is deliberately no per-account bucket: anyone could empty it and lock the real admin out;
 * support/login-throttle.ts slows guessing per (account, IP) pair instead. Without an IP
 * (in-process requests) nothing is spent.
 */
export async function limitSupportLogin(c: Context<HonoEnv>): Promise<RateLimitDecision | undefined> {
  const { config, rateLimiter } = c.get("services");
  const ip = clientIp(c);
  if (ip === undefined) return undefined;
  return rateLimiter.take(`support_login_ip:${ip}`, config.RATE_LIMITS.support_login_ip);
}
