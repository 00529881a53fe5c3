// Uploads being read on this instance (issue 18): each user may have UPLOADS_PER_USER photos
// arriving at once, so no one can hold many slow connections open, and the instance holds at most
// UPLOADS_IN_FLIGHT (each holds its photo in memory, generation-form.ts; fresh accounts each get
// their own per-user allowance). The total is a metric. An upload holds no engine capacity — that is
// reserved once its photo has fully arrived.

export interface UploadSlot {
  /** Idempotent: the route releases it however the upload ends. */
  release(): void;
}

/** Why no slot was given: the user already has their share, or the instance is full. */
export type UploadRefusal = "user" | "instance";

export interface UploadSlots {
  /** A slot for one more upload by `userId`, or why there is none. */
  take(userId: string): UploadSlot | UploadRefusal;
  /** Uploads being read now, all users together. */
  inFlight(): number;
}

export function createUploadSlots(perUser: number, perInstance: number): UploadSlots {
  const byUser = new Map<string, number>();
  let total = 0;
  return {
    take(userId) {
      const held = byUser.get(userId) ?? 0;
      if (held >= perUser) return "user";
      if (total >= perInstance) return "instance";
      byUser.set(userId, held + 1);
      total += 1;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          total -= 1;
          const left = (byUser.get(userId) ?? 1) - 1;
          if (left > 0) byUser.set(userId, left);
          else byUser.delete(userId);
        },
      };
    },
    inFlight: () => total,
  };
}
