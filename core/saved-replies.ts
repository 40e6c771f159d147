// Saved replies: ready-made answers per household language, kept by coordinators and admins, that an
// operator picks on a case page. {{placeholders}} are filled with the household's own figures
// (core/debt.ts) as households read them (core/money.ts, core/time.ts); a figure the household does
// not have is left as its placeholder, for the operator to see and write by hand.
import { audit } from "./audit.ts";
import { MAX_REPLY_LENGTH } from "./cases.ts";
import { SAVED_REPLIES_NAMESPACE } from "./content/families.ts";
import type { Db } from "./db/client.ts";
import { currentArrears, planOverview } from "./debt.ts";
import { formatMoney } from "./money.ts";
import { formatCalendarDate, romeToday } from "./time.ts";

/** The households' languages a saved reply can be written in. */
export const SAVED_REPLY_LANGUAGES = ["it", "en", "ar", "fr", "es", "ro", "sq", "uk"] as const;
export type SavedReplyLanguage = (typeof SAVED_REPLY_LANGUAGES)[number];

export function isSavedReplyLanguage(value: unknown): value is SavedReplyLanguage {
  return typeof value === "string" && (SAVED_REPLY_LANGUAGES as readonly string[]).includes(value);
}

export const MAX_TITLE_LENGTH = 120;
export const PLACEHOLDERS = [
  "nextInstallmentAmount",
  "nextInstallmentDate",
  "arrears",
  "contractCode",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export type SavedReply = { id: number; language: string; title: string; body: string };

export type SavedReplyInput = { language?: unknown; title?: unknown; body?: unknown };
export type SavedReplyProblem = "language" | "titleEmpty" | "titleTooLong" | "bodyEmpty" | "bodyTooLong";

/** The input as it will be stored, or every problem with it. */
export function checkSavedReply(
  input: SavedReplyInput,
): { ok: true; value: Omit<SavedReply, "id"> } | { ok: false; problems: SavedReplyProblem[] } {
  const problems: SavedReplyProblem[] = [];
  const title = typeof input.title === "string" ? input.title.trim().replace(/\s+/g, " ") : "";
  const body = typeof input.body === "string" ? input.body.replace(/\r\n?/g, "\n").trim() : "";
  if (!isSavedReplyLanguage(input.language)) problems.push("language");
  if (title === "") problems.push("titleEmpty");
  else if (title.length > MAX_TITLE_LENGTH) problems.push("titleTooLong");
  if (body === "") problems.push("bodyEmpty");
  else if (body.length > MAX_REPLY_LENGTH) problems.push("bodyTooLong");
  if (problems.length > 0 || !isSavedReplyLanguage(input.language)) return { ok: false, problems };
  return { ok: true, value: { language: input.language, title, body } };
}

export async function listSavedReplies(db: Db, language?: string): Promise<SavedReply[]> {
  return db.savedReply.findMany({
    where: language === undefined ? {} : { language },
    orderBy: [{ language: "asc" }, { title: "asc" }, { id: "asc" }],
    select: { id: true, language: true, title: true, body: true },
  });
}

export async function getSavedReply(db: Db, id: number): Promise<SavedReply | null> {
  return db.savedReply.findUnique({
    where: { id },
    select: { id: true, language: true, title: true, body: true },
  });
}

type Tx = Pick<Db, "savedReply" | "contentVersion" | "auditLog">;

/** Keeps the reply as it is after a change (null: deleted) in the content history (ContentVersion). */
async function keepVersion(
  tx: Tx,
  staffId: number | null,
  id: number,
  value: Omit<SavedReply, "id"> | null,
  language: string,
): Promise<number> {
  const version = await tx.contentVersion.create({
    data: {
      namespace: SAVED_REPLIES_NAMESPACE,
      key: String(id),
      language: value?.language ?? language,
      title: value?.title ?? null,
      text: value?.body ?? null,
      staffId,
    },
    select: { id: true },
  });
  return version.id;
}

/** A reply saved before its history was kept gets its current text as a first version, so it can come back. */
async function keepFirstVersion(tx: Tx, id: number): Promise<void> {
  const kept = await tx.contentVersion.count({
    where: { namespace: SAVED_REPLIES_NAMESPACE, key: String(id) },
  });
  if (kept > 0) return;
  const current = await tx.savedReply.findUnique({
    where: { id },
    select: { language: true, title: true, body: true },
  });
  if (current) await keepVersion(tx, null, id, current, current.language);
}

export async function createSavedReply(
  db: Db,
  staffId: number,
  value: Omit<SavedReply, "id">,
): Promise<number> {
  return db.$transaction(async (tx) => {
    const created = await tx.savedReply.create({ data: value, select: { id: true } });
    const version = await keepVersion(tx, staffId, created.id, value, value.language);
    await audit(tx, {
      actorType: "staff",
      actorId: staffId,
      action: "savedReply.created",
      entityType: "savedReply",
      entityId: created.id,
      details: { version },
    });
    return created.id;
  });
}

export async function updateSavedReply(
  db: Db,
  staffId: number,
  id: number,
  value: Omit<SavedReply, "id">,
  action: "savedReply.updated" | "savedReply.restored" = "savedReply.updated",
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await keepFirstVersion(tx, id);
    const updated = await tx.savedReply.updateMany({ where: { id }, data: value });
    if (updated.count === 0) return false;
    const version = await keepVersion(tx, staffId, id, value, value.language);
    await audit(tx, {
      actorType: "staff",
      actorId: staffId,
      action,
      entityType: "savedReply",
      entityId: id,
      details: { version },
    });
    return true;
  });
}

export async function deleteSavedReply(db: Db, staffId: number, id: number): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await keepFirstVersion(tx, id);
    const deleted = await tx.savedReply.deleteMany({ where: { id } });
    if (deleted.count === 0) return false;
    const version = await keepVersion(tx, staffId, id, null, "it");
    await audit(tx, {
      actorType: "staff",
      actorId: staffId,
      action: "savedReply.deleted",
      entityType: "savedReply",
      entityId: id,
      details: { version },
    });
    return true;
  });
}

export type SavedReplyVersion = {
  id: number;
  language: string;
  title: string;
  body: string;
  staffId: number | null;
  at: Date;
};

/** The reply's earlier and current texts, newest first (deletions left out). */
export async function savedReplyHistory(db: Db, id: number): Promise<SavedReplyVersion[]> {
  const rows = await db.contentVersion.findMany({
    where: { namespace: SAVED_REPLIES_NAMESPACE, key: String(id), text: { not: null } },
    orderBy: { id: "desc" },
    take: 50,
    select: { id: true, language: true, title: true, text: true, staffId: true, at: true },
  });
  return rows.map((r) => ({
    id: r.id,
    language: r.language,
    title: r.title ?? "",
    body: r.text ?? "",
    staffId: r.staffId,
    at: r.at,
  }));
}

/** Puts an earlier version of the reply back, as a change of its own; false when it is not one of its versions. */
export async function restoreSavedReply(
  db: Db,
  staffId: number,
  id: number,
  versionId: number,
): Promise<boolean> {
  const version = (await savedReplyHistory(db, id)).find((v) => v.id === versionId);
  if (!version) return false;
  const checked = checkSavedReply(version);
  if (!checked.ok) return false;
  return updateSavedReply(db, staffId, id, checked.value, "savedReply.restored");
}

/** The household's figures for the placeholders it has (a household without a plan has no next installment). */
export async function householdFigures(
  db: Db,
  household: { id: number; contractCode: string },
  now: Date,
): Promise<Partial<Record<Placeholder, string>>> {
  const [plan, arrears] = await Promise.all([
    planOverview(db, household.id, romeToday(now)),
    currentArrears(db, household.id),
  ]);
  const figures: Partial<Record<Placeholder, string>> = { contractCode: household.contractCode };
  if (plan?.next) {
    figures.nextInstallmentAmount = formatMoney(plan.next.remainingCents);
    figures.nextInstallmentDate = formatCalendarDate(plan.next.dueDate);
  }
  if (arrears) figures.arrears = formatMoney(arrears.nowCents);
  return figures;
}

/** The body with every known {{placeholder}} filled; the ones left are listed in `missing`. */
export function fillPlaceholders(
  body: string,
  figures: Partial<Record<string, string>>,
): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const text = body.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) => {
    const value = Object.hasOwn(figures, name) ? figures[name] : undefined;
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return value;
  });
  return { text, missing: [...missing] };
}
