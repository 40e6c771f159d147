// Files the bot uploaded and the placeholder files users "sent", with Telegram-like identifiers.
// Bounded: the oldest files are forgotten past a count or a total size.

import { randomBytes } from "node:crypto";
import { extname } from "node:path";

export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size: number;
  /** The path of getFile, downloadable at /file/bot<token>/<file_path>. */
  file_path: string;
  data: Buffer;
}

export type FileKind = "document" | "photo" | "sticker" | "voice";

const ID_PREFIX: Record<FileKind, string> = {
  document: "BQACAgQAAxkBAAI",
  photo: "AgACAgQAAxkBAAI",
  sticker: "CAACAgQAAxkBAAI",
  voice: "AwACAgQAAxkBAAI",
};

const FOLDER: Record<FileKind, string> = {
  document: "documents",
  photo: "photos",
  sticker: "stickers",
  voice: "voice",
};

const MIME_BY_EXTENSION: Record<string, string> = {
  ".pdf": "application/pdf",
  ".csv": "text/csv",
  ".txt": "text/plain",
  ".json": "application/json",
  ".html": "text/html",
  ".xml": "application/xml",
  ".zip": "application/zip",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ogg": "audio/ogg",
  ".mp3": "audio/mpeg",
  ".mp4": "video/mp4",
  ".doc": "application/msword",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".xls": "application/vnd.ms-excel",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".odt": "application/vnd.oasis.opendocument.text",
  ".ics": "text/calendar",
};

/** Telegram derives the MIME type from the file name; a generic type sent by the client is ignored. */
export function guessMimeType(fileName: string | undefined, sent: string | undefined): string {
  const byName = fileName ? MIME_BY_EXTENSION[extname(fileName).toLowerCase()] : undefined;
  if (byName) return byName;
  if (sent && sent !== "application/octet-stream") return sent;
  return "application/octet-stream";
}

export class FileStore {
  readonly #files = new Map<string, StoredFile>();
  readonly #byPath = new Map<string, string>();
  readonly #maxFiles: number;
  readonly #maxBytes: number;
  #bytes = 0;
  #counter = 0;

  constructor(maxFiles = 1000, maxBytes = 256 * 1024 * 1024) {
    this.#maxFiles = maxFiles;
    this.#maxBytes = maxBytes;
  }

  add(kind: FileKind, data: Buffer, fileName?: string, mimeType?: string): StoredFile {
    this.#counter += 1;
    const extension = fileName
      ? extname(fileName)
      : kind === "photo"
        ? ".jpg"
        : kind === "voice"
          ? ".oga"
          : "";
    const file: StoredFile = {
      file_id: ID_PREFIX[kind] + randomBytes(36).toString("base64url"),
      file_unique_id: `AgAD${randomBytes(9).toString("base64url")}`,
      file_size: data.length,
      file_path: `${FOLDER[kind]}/file_${this.#counter}${extension}`,
      data,
    };
    if (fileName !== undefined) file.file_name = fileName;
    if (mimeType !== undefined) file.mime_type = mimeType;
    this.#files.set(file.file_id, file);
    this.#byPath.set(file.file_path, file.file_id);
    this.#bytes += data.length;
    this.#evict();
    return file;
  }

  #evict(): void {
    for (const [id, file] of this.#files) {
      if (this.#files.size <= this.#maxFiles && this.#bytes <= this.#maxBytes) break;
      if (this.#files.size === 1) break;
      this.#files.delete(id);
      this.#byPath.delete(file.file_path);
      this.#bytes -= file.data.length;
    }
  }

  get(fileId: string): StoredFile | undefined {
    return this.#files.get(fileId);
  }

  byPath(path: string): StoredFile | undefined {
    const id = this.#byPath.get(path);
    return id === undefined ? undefined : this.#files.get(id);
  }
}
