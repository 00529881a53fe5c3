// Credit packs on sale (SPEC §8.1), configured by CREDIT_PACKS as a JSON array.
import { z } from "zod";

const CreditPack = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, "pack id must be lower-case letters, digits, dashes"),
  name: z.string().min(1).max(60),
  credits: z.number().int().positive().max(10_000),
  priceCents: z.number().int().positive(),
  currency: z
    .string()
    .regex(/^[a-z]{3}$/, "currency must be a lower-case ISO code such as usd")
    .default("usd"),
});
export type CreditPack = z.infer<typeof CreditPack>;

export const DEFAULT_CREDIT_PACKS: CreditPack[] = [
  { id: "starter", name: "Starter", credits: 10, priceCents: 900, currency: "usd" },
  { id: "pro", name: "Pro", credits: 30, priceCents: 1900, currency: "usd" },
  { id: "team", name: "Team", credits: 100, priceCents: 4900, currency: "usd" },
];

export function parseCreditPacks(raw: string): CreditPack[] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(
      'must be a JSON array such as [{"id":"starter","name":"Starter","credits":10,"priceCents":900}]',
    );
  }
  const packs = z.array(CreditPack).min(1).safeParse(json);
  if (!packs.success)
    throw new Error(packs.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const ids = new Set(packs.data.map((p) => p.id));
  if (ids.size !== packs.data.length) throw new Error("pack ids must be unique");
  return packs.data;
}
