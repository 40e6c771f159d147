// Reads a multipart form with one file (the imports' upload form): its text fields and the file's
// bytes, at most `maxBytes`. A file over the limit is not kept (only that it was too large), so a
// huge upload costs the limit in memory and no more.
// The type import brings request.parts() into FastifyRequest; the plugin is registered by the server.
import type {} from "@fastify/multipart";
import type { FastifyRequest } from "fastify";

export type UploadForm = {
  fields: Record<string, string>;
  file: { name: string; content: Buffer } | { name: string; tooLarge: true } | null;
};

/** Text fields are short (a CSRF token, a kind); anything longer is not this form. */
const FIELD_LIMITS = { fields: 8, fieldSize: 1024, files: 1, parts: 10 };

export async function readUploadForm(
  request: FastifyRequest,
  fileField: string,
  maxBytes: number,
): Promise<UploadForm> {
  const form: UploadForm = { fields: {}, file: null };
  for await (const part of request.parts({ limits: { ...FIELD_LIMITS, fileSize: maxBytes } })) {
    if (part.type === "field") {
      if (typeof part.value === "string") form.fields[part.fieldname] = part.value;
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of part.file) chunks.push(chunk as Buffer);
    if (part.fieldname !== fileField) continue;
    // A browser sends an empty part with no name when no file was chosen.
    if (part.filename === "" && chunks.length === 0) continue;
    const name = part.filename.split(/[\\/]/).pop()?.slice(0, 200) ?? "";
    form.file = part.file.truncated ? { name, tooLarge: true } : { name, content: Buffer.concat(chunks) };
  }
  return form;
}
