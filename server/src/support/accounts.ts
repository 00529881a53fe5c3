// Support accounts (SPEC §5.4): created from the CLI with an argon2id hash, roles support/admin;
// login checks the password and never says which half was wrong.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../db/client";
import { supportUsers } from "../db/schema";
import { writeAudit, type Actor } from "../privacy/audit";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords";
import type { SupportRole } from "./sessions";

export class AccountError extends Error {}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export async function createSupportUser(
  db: DbOrTx,
  input: { email: string; password: string; role: SupportRole },
  actor: Actor,
  now: Date,
): Promise<{ id: string; email: string; role: SupportRole }> {
  const email = normaliseEmail(input.email);
  if (!EMAIL.test(email)) throw new AccountError(`"${input.email}" is not an email address.`);
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AccountError(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(supportUsers)
      .values({ email, passwordHash, role: input.role, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: supportUsers.id, email: supportUsers.email, role: supportUsers.role });
    if (!created) throw new AccountError(`A support account for ${email} already exists.`);
    await writeAudit(tx, {
      actor,
      action: "support_user.created",
      at: now,
      details: { supportUserId: created.id, role: created.role },
    });
    return created;
  });
}

/** The account's id when the email and password match an enabled account. */
export async function authenticate(db: DbOrTx, email: string, password: string): Promise<string | undefined> {
  const [account] = await db
    .select()
    .from(supportUsers)
    .where(eq(supportUsers.email, normaliseEmail(email)));
  const ok = await verifyPassword(account?.passwordHash, password);
  return ok && account && !account.disabledAt ? account.id : undefined;
}
