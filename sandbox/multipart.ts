// multipart/form-data bodies, as bot libraries send them for uploads.
//
// A parser of our own rather than `Request.formData()`: grammY writes `filename=my file.pdf` without
// quotes, which the WHATWG parser cuts at the first space, while Telegram keeps the whole name.

export interface UploadedFile {
  filename: string;
  contentType: string | undefined;
  data: Buffer;
}

export interface MultipartBody {
  fields: Map<string, string>;
  files: Map<string, UploadedFile>;
}

/** The value of a header parameter such as `boundary` or `name`, quoted or not. */
function headerParameter(header: string, name: string): string | undefined {
  const extended = new RegExp(`(?:^|;)\\s*${name}\\*\\s*=\\s*([^;]*)`, "i").exec(header);
  if (extended?.[1]) {
    const value = extended[1].trim().replace(/^[^']*'[^']*'/, "");
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  const quoted = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`, "i").exec(header);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/\\(.)/g, "$1");
  const bare = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;]*)`, "i").exec(header);
  return bare?.[1]?.trim();
}

export function multipartBoundary(contentType: string): string | undefined {
  return headerParameter(contentType.replace(/^[^;]*/, ""), "boundary");
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** Parses a whole multipart body; throws an Error when it is malformed. */
export function parseMultipart(body: Buffer, boundary: string): MultipartBody {
  const fields = new Map<string, string>();
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);

  let position = body.indexOf(delimiter);
  if (position < 0) throw new Error("multipart boundary not found");
  position += delimiter.length;

  for (;;) {
    if (body.subarray(position, position + 2).toString() === "--") break;
    const lineEnd = body.indexOf("\r\n", position);
    if (lineEnd < 0) throw new Error("truncated multipart body");
    const headersEnd = body.indexOf("\r\n\r\n", lineEnd);
    if (headersEnd < 0) throw new Error("truncated multipart part headers");
    const headers = parseHeaders(body.subarray(lineEnd + 2, headersEnd).toString("utf8"));
    const contentStart = headersEnd + 4;
    const contentEnd = body.indexOf(nextDelimiter, contentStart);
    if (contentEnd < 0) throw new Error("truncated multipart part");
    position = contentEnd + nextDelimiter.length;

    const disposition = headers.get("content-disposition") ?? "";
    const name = headerParameter(disposition, "name");
    if (!name) continue;
    const content = body.subarray(contentStart, contentEnd);
    const filename = headerParameter(disposition, "filename");
    if (filename === undefined) {
      fields.set(name, content.toString("utf8"));
    } else {
      files.set(name, { filename, contentType: headers.get("content-type"), data: Buffer.from(content) });
    }
  }
  return { fields, files };
}
