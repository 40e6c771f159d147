// Uploaded spreadsheets kept while the admin panel checks them (a dry run, with its progress) and
// until the confirm, which applies the very bytes that were checked. A random token names one; only its hash is stored (as staff
// sessions do), it belongs to the staff member who uploaded it, and it expires.
import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import type { ImportKind } from "./kinds.ts";
import type { Tx } from "./transaction.ts";

/** Long enough to read the dry run and decide; short enough not to keep files around. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;
/** A check says how far it got about twice a second; silent this long, it is no longer running. */
export const CHECK_SILENT_MS = 2 * 60 * 1000;

const pack = promisify(gzip);
const unpack = promisify(gunzip);

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Keeps a file for its uploader while it is checked (core/imports/checks.ts), and after a good check
 * until it is confirmed; returns its id and the token the check's page and the confirm form carry.
 */
export async function keepUpload(
  db: Db,
  clock: Clock,
  upload: { staffId: number; kind: ImportKind; fileName: string; content: Uint8Array },
): Promise<{ id: number; token: string }> {
  const now = clock.now();
  // Files nobody confirmed go when the next one comes: no timer needed.
  await db.importUpload.deleteMany({ where: { expiresAt: { lte: now } } });
  const token = randomBytes(32).toString("base64url");
  // Straight through the pg pool, compressed (a CSV shrinks several times): through Prisma a 12 MB
  // file cost 2.3 s of CPU and 670 MB of memory to store.
  const content = await pack(upload.content, { level: 1 });
  const [row] = await sqlOf(db).query<{ id: number }>`
    INSERT INTO "ImportUpload" ("tokenHash", "staffId", kind, "fileName", content, "expiresAt", state, size,
      "progressAt")
    VALUES (${hashOf(token)}, ${upload.staffId}, ${upload.kind}, ${upload.fileName}, ${content},
      ${new Date(now.getTime() + UPLOAD_TTL_MS)}, 'checking', ${upload.content.length}, ${now})
    RETURNING id`;
  if (!row) throw new Error("the upload was not kept");
  return { id: row.id, token };
}

export type UploadCheck = {
  id: number;
  kind: string;
  fileName: string;
  state: "checking" | "checked" | "problems" | "failed";
  /** How much of the file the check has read, 0–100. */
  percent: number;
  report: unknown;
};

/**
 * A kept file's check, for the staff member who uploaded it: how far it got, or its answer. A check
 * silent for CHECK_SILENT_MS stopped with the process running it (a restart): it is "failed".
 */
export async function findCheck(
  db: Db,
  clock: Clock,
  token: unknown,
  staffId: number,
): Promise<UploadCheck | "gone" | "not_yours"> {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(token)) return "gone";
  const row = await db.importUpload.findUnique({
    where: { tokenHash: hashOf(token) },
    select: {
      id: true,
      staffId: true,
      kind: true,
      fileName: true,
      expiresAt: true,
      state: true,
      size: true,
      checkedBytes: true,
      progressAt: true,
      report: true,
    },
  });
  if (!row || row.expiresAt <= clock.now()) return "gone";
  if (row.staffId !== staffId) return "not_yours";
  const silent =
    row.state === "checking" && (row.progressAt?.getTime() ?? 0) < clock.now().getTime() - CHECK_SILENT_MS;
  const state = silent ? "failed" : (row.state as UploadCheck["state"]);
  const percent = row.size > 0 ? Math.min(100, Math.floor((row.checkedBytes / row.size) * 100)) : 0;
  return { id: row.id, kind: row.kind, fileName: row.fileName, state, percent, report: row.report };
}

export type KeptUpload = { id: number; kind: string; fileName: string; content: Uint8Array };

/**
 * The file a confirm names, for the staff member who uploaded it. "gone": no such token, expired or
 * already applied; "not_yours": another staff member's (both change nothing).
 */
export async function findUpload(
  db: Db,
  clock: Clock,
  token: unknown,
  staffId: number,
): Promise<KeptUpload | "gone" | "not_yours"> {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(token)) return "gone";
  const [row] = await sqlOf(db).query<{
    id: number;
    staffId: number;
    kind: string;
    fileName: string;
    content: Buffer;
    expiresAt: Date;
    state: string;
  }>`SELECT id, "staffId", kind, "fileName", content, "expiresAt", state FROM "ImportUpload" WHERE "tokenHash" = ${hashOf(token)}`;
  // Only a file whose check found nothing wrong can be applied.
  if (!row || row.expiresAt <= clock.now() || row.state !== "checked") return "gone";
  if (row.staffId !== staffId) return "not_yours";
  return { id: row.id, kind: row.kind, fileName: row.fileName, content: await unpack(row.content) };
}

/** Thrown in the import's transaction when another confirm already took the file: nothing is applied. */
export class UploadAlreadyTaken extends Error {
  constructor() {
    super("the upload was already applied");
  }
}

/**
 * Deletes the kept file inside the import's transaction. Two confirms at once: the second waits on
 * the row until the first commits, then finds it gone and rolls back; if the import is rejected, the
 * deletion is rolled back with it and the file stays.
 */
export function claimUpload(id: number, staffId: number): (tx: Tx) => Promise<void> {
  return async (tx) => {
    const { count } = await tx.importUpload.deleteMany({ where: { id, staffId } });
    if (count !== 1) throw new UploadAlreadyTaken();
  };
}
