// Bot API parameters from the query string and a JSON, urlencoded or multipart body. In JSON, values
// keep their types; elsewhere every value is a string and objects are JSON-encoded strings.

import { badRequest } from "./errors.ts";
import { multipartBoundary, parseMultipart, type UploadedFile } from "./multipart.ts";

export class Params {
  readonly #values: Map<string, unknown>;
  readonly #files: Map<string, UploadedFile>;

  constructor(values: Map<string, unknown>, files: Map<string, UploadedFile> = new Map()) {
    this.#values = values;
    this.#files = files;
  }

  /** A parameter is absent when missing, null or (outside JSON) an empty string. */
  #raw(name: string): unknown {
    const value = this.#values.get(name);
    return value === null || value === "" ? undefined : value;
  }

  has(name: string): boolean {
    return this.#raw(name) !== undefined || this.#files.has(name);
  }

  string(name: string): string | undefined {
    const value = this.#values.get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw badRequest(`invalid ${name} specified`);
  }

  integer(name: string): number | undefined {
    const value = this.#raw(name);
    if (value === undefined) return undefined;
    if (typeof value === "number" && Number.isSafeInteger(value)) return value;
    if (typeof value === "string" && /^\s*-?\d{1,16}\s*$/.test(value)) return Number.parseInt(value, 10);
    throw badRequest(`invalid ${name} specified`);
  }

  number(name: string): number | undefined {
    const value = this.#raw(name);
    if (value === undefined) return undefined;
    const number = typeof value === "string" ? Number(value) : value;
    if (typeof number === "number" && Number.isFinite(number)) return number;
    throw badRequest(`invalid ${name} specified`);
  }

  boolean(name: string): boolean | undefined {
    const value = this.#raw(name);
    if (value === undefined) return undefined;
    if (value === true || value === "true" || value === "1" || value === 1) return true;
    if (value === false || value === "false" || value === "0" || value === 0) return false;
    throw badRequest(`invalid ${name} specified`);
  }

  /** An object or array parameter, JSON-decoded when it came as a string. */
  json(name: string): unknown {
    const value = this.#raw(name);
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw badRequest(`can't parse ${name} JSON object`);
    }
  }

  /** A file parameter: an upload (directly or through "attach://name"), else the string (file_id or URL). */
  file(name: string): UploadedFile | string | undefined {
    const direct = this.#files.get(name);
    if (direct) return direct;
    const value = this.string(name);
    if (value?.startsWith("attach://")) {
      const attached = this.#files.get(value.slice("attach://".length));
      if (!attached) throw badRequest(`can't find ${name} in the request`);
      return attached;
    }
    return value === "" ? undefined : value;
  }
}

/** Builds the parameters of a call; throws an ApiError 400 on a malformed body. */
export function readParams(contentType: string | undefined, body: Buffer, query: URLSearchParams): Params {
  const values = new Map<string, unknown>(query);
  const files = new Map<string, UploadedFile>();
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

  if (body.length > 0 && type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw badRequest("can't parse JSON encoded request");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw badRequest("can't parse JSON encoded request");
    }
    for (const [key, value] of Object.entries(parsed)) values.set(key, value);
  } else if (body.length > 0 && type === "application/x-www-form-urlencoded") {
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) values.set(key, value);
  } else if (type === "multipart/form-data") {
    const boundary = multipartBoundary(contentType ?? "");
    if (!boundary) throw badRequest("can't parse multipart/form-data request: boundary not specified");
    try {
      const parts = parseMultipart(body, boundary);
      for (const [key, value] of parts.fields) values.set(key, value);
      for (const [key, file] of parts.files) files.set(key, file);
    } catch (error) {
      throw badRequest(`can't parse multipart/form-data request: ${(error as Error).message}`);
    }
  }
  return new Params(values, files);
}
