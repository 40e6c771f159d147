// What users send through the control API, shaped as Telegram delivers it: text with bot_command
// entities, and stickers, photos, voice notes, documents, locations and contacts with placeholder files.

import { detectEntities } from "./entities.ts";
import { ControlError } from "./errors.ts";
import type { FileStore } from "./files.ts";
import { guessMimeType } from "./files.ts";
import { MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH } from "./formatting.ts";
import type { MessageContent, MessageKind, PhotoSize, User } from "./types.ts";

export const USER_KINDS: readonly MessageKind[] = [
  "text",
  "sticker",
  "photo",
  "voice",
  "document",
  "location",
  "contact",
];

/** The optional fields of `POST /control/users/:id/send` that shape a non-text message. */
export interface MediaOptions {
  caption?: string;
  emoji?: string;
  file_name?: string;
  mime_type?: string;
  /** The document's bytes, base64 (default: a small placeholder PDF). */
  content_base64?: string;
  duration?: number;
  latitude?: number;
  longitude?: number;
  phone_number?: string;
}

/** Brescia, piazza della Loggia. */
const DEFAULT_LOCATION = { latitude: 45.5395, longitude: 10.2196 };

const PLACEHOLDER_PDF = Buffer.from("%PDF-1.4\n% Bussola sandbox placeholder document\n%%EOF\n");

/** Deterministic filler bytes standing in for an image or audio file. */
const filler = (size: number, seed: number): Buffer => Buffer.alloc(size, seed);

export function textContent(text: string): MessageContent {
  if (text.trim() === "") throw new ControlError(400, "text is empty");
  if (text.length > MAX_TEXT_LENGTH)
    throw new ControlError(400, `text is longer than ${MAX_TEXT_LENGTH} characters`);
  const entities = detectEntities(text);
  return entities.length > 0 ? { text, entities } : { text };
}

function captionContent(caption: string | undefined): MessageContent {
  if (caption === undefined || caption === "") return {};
  if (caption.length > MAX_CAPTION_LENGTH) {
    throw new ControlError(400, `caption is longer than ${MAX_CAPTION_LENGTH} characters`);
  }
  const entities = detectEntities(caption);
  return entities.length > 0 ? { caption, caption_entities: entities } : { caption };
}

function photoSizes(files: FileStore): PhotoSize[] {
  return [
    [90, 68, 1200],
    [320, 240, 9800],
    [800, 600, 41000],
  ].map(([width = 0, height = 0, size = 0]) => {
    const file = files.add("photo", filler(size, width % 256));
    return {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width,
      height,
      file_size: file.file_size,
    };
  });
}

/** The content of a non-text message of `kind` from `user`. */
export function mediaContent(
  kind: Exclude<MessageKind, "text">,
  user: User,
  options: MediaOptions,
  files: FileStore,
): MessageContent {
  switch (kind) {
    case "sticker": {
      const file = files.add("sticker", filler(2048, 0x52));
      return {
        sticker: {
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          type: "regular",
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
          emoji: options.emoji ?? "👍",
          set_name: "SandboxStickers",
          file_size: file.file_size,
        },
      };
    }
    case "photo":
      return { photo: photoSizes(files), ...captionContent(options.caption) };
    case "voice": {
      const duration = options.duration ?? 3;
      const file = files.add("voice", filler(Math.max(1, Math.round(duration)) * 2000, 0x4f));
      return {
        voice: {
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          duration,
          mime_type: "audio/ogg",
          file_size: file.file_size,
        },
      };
    }
    case "document": {
      const data =
        options.content_base64 !== undefined
          ? Buffer.from(options.content_base64, "base64")
          : PLACEHOLDER_PDF;
      if (data.length === 0) throw new ControlError(400, "content_base64 is empty");
      const fileName = options.file_name ?? "documento.pdf";
      const mimeType = options.mime_type ?? guessMimeType(fileName, undefined);
      const file = files.add("document", data, fileName, mimeType);
      return {
        document: {
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          file_name: fileName,
          mime_type: mimeType,
          file_size: file.file_size,
        },
        ...captionContent(options.caption),
      };
    }
    case "location":
      return {
        location: {
          latitude: options.latitude ?? DEFAULT_LOCATION.latitude,
          longitude: options.longitude ?? DEFAULT_LOCATION.longitude,
        },
      };
    case "contact": {
      const contact: NonNullable<MessageContent["contact"]> = {
        phone_number: options.phone_number ?? `+39333${String(user.id % 10_000_000).padStart(7, "0")}`,
        first_name: user.first_name,
        user_id: user.id,
      };
      if (user.last_name !== undefined) contact.last_name = user.last_name;
      return { contact };
    }
  }
}
