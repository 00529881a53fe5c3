// Legal deadlines of privacy requests (SPEC §9, §10; seed 003): acknowledge within 5 working days;
// answer within one month (GDPR) or 45 days (CCPA); one extension of up to two months (GDPR) or
// 45 more days (CCPA), decided within the original period.
import type { Jurisdiction } from "@headshot/shared";

const DAY = 24 * 60 * 60_000;
export const ACK_WORKING_DAYS = 5;

/** The same day of the month `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb). */
export function addMonths(from: Date, months: number): Date {
  const d = new Date(from);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

export function dueDate(receivedAt: Date, jurisdiction: Jurisdiction): Date {
  return jurisdiction === "gdpr" ? addMonths(receivedAt, 1) : new Date(receivedAt.getTime() + 45 * DAY);
}

export function extendedDueDate(dueAt: Date, jurisdiction: Jurisdiction): Date {
  return jurisdiction === "gdpr" ? addMonths(dueAt, 2) : new Date(dueAt.getTime() + 45 * DAY);
}

/** Five working days (Monday to Friday, UTC) after receipt. */
export function acknowledgementDue(receivedAt: Date): Date {
  const d = new Date(receivedAt);
  let left = ACK_WORKING_DAYS;
  while (left > 0) {
    d.setTime(d.getTime() + DAY);
    const weekday = d.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return d;
}

/** Whole days until the due date, rounded up; zero or less means due today or overdue. */
export function daysLeft(dueAt: Date, now: Date): number {
  return Math.ceil((dueAt.getTime() - now.getTime()) / DAY);
}

/** Where an open request stands against its deadlines: what the queue shows. */
export function deadlineState(
  request: { dueAt: Date; receivedAt: Date; status: string },
  now: Date,
): { daysLeft: number; overdue: boolean; acknowledgementLate: boolean } {
  return {
    daysLeft: daysLeft(request.dueAt, now),
    overdue: request.dueAt <= now,
    acknowledgementLate: request.status === "received" && acknowledgementDue(request.receivedAt) <= now,
  };
}
