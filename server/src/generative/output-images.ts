// A generated image becomes our outputs (SPEC §7.3): the provider draws one 4:5 picture per
// style; we write it at 1024×1280 and crop the 1:1 from it, each with a thumbnail, into our own
// storage — the provider's copy is deleted within the hour, ours lives for OUTPUT_RETENTION_DAYS.
import { randomUUID } from "node:crypto";
import { ASPECTS, type Aspect, type StyleId } from "@headshot/shared";
import type { JobRow } from "../jobs/jobs";
import type { Storage } from "../storage/storage";
import { outputKeys } from "../storage/storage";
import type { outputs } from "../db/schema";

const JPEG_QUALITY = 88;
const THUMBNAIL_QUALITY = 80;
const THUMBNAIL_WIDTH = 256;
/**
 * Where the 1:1 window starts in the 4:5 picture, as a fraction of its height. A studio 4:5
 * headshot has its eye line near 40 % from the top (§7.2.1); starting the square 8 % down keeps
 * the eyes at about 40 % of the square and the shoulders running off its bottom edge.
 */
const SQUARE_TOP = 0.08;
/** A generated image larger than this is not a headshot we asked for. */
export const MAX_OUTPUT_BYTES = 25 * 1024 * 1024;
const MAX_OUTPUT_PIXELS = 40_000_000;

type OutputInsert = typeof outputs.$inferInsert;

/** The outputs of one style from the provider's image, written to storage; rows not yet inserted. */
export async function storeStyleImages(
  deps: { storage: Storage; retentionDays: number },
  job: JobRow,
  style: StyleId,
  image: Uint8Array,
  now: Date,
): Promise<OutputInsert[]> {
  // Loaded on first use, as in jobs/photo-input.ts: a start-up need not wait for libvips.
  const { default: sharp } = await import("sharp");
  const portraitSize = ASPECTS["4:5"];
  const portrait = await sharp(image, { failOn: "error", limitInputPixels: MAX_OUTPUT_PIXELS })
    .autoOrient()
    .resize(portraitSize.width, portraitSize.height, { fit: "cover", position: "centre" })
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer();
  const expiresAt = new Date(now.getTime() + deps.retentionDays * 24 * 60 * 60 * 1000);
  const rows: OutputInsert[] = [];
  try {
    for (const aspect of job.aspects as Aspect[]) {
      const { width, height } = ASPECTS[aspect];
      const top = aspect === "4:5" ? 0 : Math.round(portraitSize.height * SQUARE_TOP);
      const window = () =>
        sharp(portrait, { raw: { ...portraitSize, channels: 3 } }).extract({ left: 0, top, width, height });
      const thumbHeight = Math.round((THUMBNAIL_WIDTH * height) / width);
      const [data, thumb] = await Promise.all([
        window().jpeg({ quality: JPEG_QUALITY }).toBuffer(),
        window().resize(THUMBNAIL_WIDTH, thumbHeight).jpeg({ quality: THUMBNAIL_QUALITY }).toBuffer(),
      ]);
      const id = randomUUID();
      const keys = outputKeys(job.userId, job.id, id);
      rows.push({
        id,
        jobId: job.id,
        userId: job.userId,
        style,
        aspect,
        width,
        height,
        mimeType: "image/jpeg",
        byteSize: data.byteLength,
        storageKey: keys.image,
        thumbStorageKey: keys.thumbnail,
        thumbWidth: THUMBNAIL_WIDTH,
        thumbHeight,
        thumbByteSize: thumb.byteLength,
        createdAt: now,
        expiresAt,
      });
      await deps.storage.put(keys.image, data, "image/jpeg");
      await deps.storage.put(keys.thumbnail, thumb, "image/jpeg");
    }
  } catch (err) {
    await deps.storage.delete(rows.flatMap((r) => [r.storageKey, r.thumbStorageKey]));
    throw err;
  }
  return rows;
}
