// Support-account passwords: argon2id (the library's default algorithm, asserted by the tests)
// with OWASP's minimum parameters; verification of an unknown account still costs one hash.
// The native addon is loaded on the first sign-in or new account, not at every start-up.
const argon2 = () => import("@node-rs/argon2");

const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
export const MIN_PASSWORD_LENGTH = 12;

export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, PARAMS);
}

// Verified against when the email is unknown, so response times don't reveal which emails exist.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword("not-a-real-account-password");
  const { verify } = await argon2();
  const ok = await verify(passwordHash ?? (await dummyHash), password).catch(() => false);
  return ok && passwordHash !== undefined;
}
