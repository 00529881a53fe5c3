// Uploads being read on this instance (issue 18): each user may have UPLOADS_PER_USER photos
// arriving at once, so no one can hold many slow connections open; the total is a metric. An
// upload holds no engine capacity — that is reserved once its photo has fully arrived.

export interface UploadSlot {
  /** Idempotent: the route releases it however the upload ends. */
  release(): void;
}

export interface UploadSlots {
  /** A slot for one more upload by `userId`; undefined when they already have `perUser`. */
  take(userId: string): UploadSlot | undefined;
  /** Uploads being read now, all users together. */
  inFlight(): number;
}

export function createUploadSlots(perUser: number): UploadSlots {
  const byUser = new Map<string, number>();
  let total = 0;
  return {
    take(userId) {
      const held = byUser.get(userId) ?? 0;
      if (held >= perUser) return undefined;
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
