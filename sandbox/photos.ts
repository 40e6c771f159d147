// sendPhoto: a photo uploaded (multipart, as grammY sends an InputFile), given by the file_id of one
// sent before, or by URL. Telegram recompresses photos into several JPEG sizes; the sandbox keeps the
// image as sent, as one PhotoSize, so a test can download exactly what the bot sent
// (/control/files/:file_id) and read it back.
import { badRequest } from "./errors.ts";
import type { Params } from "./params.ts";

/** Telegram's limits for photos: 10 MB, width + height at most 10000, a side ratio at most 20. */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_SIDES = 10_000;
const MAX_RATIO = 20;

export type PhotoImage = { data: Buffer; mimeType: string; width: number; height: number };

/** Width and height of a PNG (its IHDR chunk) or a JPEG (its first start-of-frame marker). */
function dimensions(data: Buffer): { mimeType: string; width: number; height: number } | null {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length >= 24 && data.subarray(0, 8).equals(png) && data.toString("latin1", 12, 16) === "IHDR") {
    return { mimeType: "image/png", width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) {
    let at = 2;
    while (at + 9 < data.length) {
      if (data[at] !== 0xff) return null;
      const marker = data[at + 1] as number;
      const length = data.readUInt16BE(at + 2);
      // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return {
          mimeType: "image/jpeg",
          height: data.readUInt16BE(at + 5),
          width: data.readUInt16BE(at + 7),
        };
      }
      at += 2 + length;
    }
  }
  return null;
}

/** Checks an uploaded photo as Telegram does; 400 with Telegram's texts when it cannot be one. */
export function checkPhoto(data: Buffer): PhotoImage {
  if (data.length === 0) throw badRequest("file must be non-empty");
  if (data.length > MAX_PHOTO_BYTES) throw badRequest("PHOTO_INVALID_DIMENSIONS");
  const found = dimensions(data);
  if (!found || found.width === 0 || found.height === 0) throw badRequest("IMAGE_PROCESS_FAILED");
  const { width, height } = found;
  if (width + height > MAX_SIDES || Math.max(width, height) / Math.min(width, height) > MAX_RATIO)
    throw badRequest("PHOTO_INVALID_DIMENSIONS");
  return { data, ...found };
}

/** The photo parameter: an upload, or a string (file_id or URL) for the caller to resolve. */
export function photoParam(params: Params): ReturnType<Params["file"]> & {} {
  const input = params.file("photo");
  if (input === undefined) throw badRequest("there is no photo in the request");
  return input;
}
