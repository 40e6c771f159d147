// Reminder wording tests: created by coordinators for one installment reminder kind, the text in force
// as control "A" and 1..3 alternative wordings "B".."D" per language (Italian required), each checked as
// content is (core/content/check.ts: the control's placeholders, Telegram HTML). Stopping keeps one
// wording: a variant kept is saved through core/content as the text in force (versioned, undoable).
import { audit } from "../audit.ts";
import type { Clock } from "../clock.ts";
import { type ContentProblem, checkContentText, normalizeText } from "../content/check.ts";
import { type ContentItem, findLocaleItem } from "../content/families.ts";
import { referenceText, saveContentText } from "../content/store.ts";
import type { Db, Prisma } from "../db/client.ts";
import { DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES } from "../i18n.ts";

/** Kinds whose outcome (installment paid within 3 days of its due date) follows the reminder. */
export const TESTABLE_KINDS = ["inst-before", "inst-due"] as const;
export type TestableKind = (typeof TESTABLE_KINDS)[number];
export const VARIANT_LABELS = ["B", "C", "D"] as const;
export const CONTROL = "A";

export type VariantTexts = Record<string, Record<string, string>>;

export type Experiment = {
  id: number;
  kind: TestableKind;
  status: "running" | "stopped";
  labels: string[];
  texts: VariantTexts;
  createdAt: Date;
  stoppedAt: Date | null;
  kept: string | null;
};

export function isTestableKind(value: unknown): value is TestableKind {
  return typeof value === "string" && (TESTABLE_KINDS as readonly string[]).includes(value);
}

export function itemOfKind(kind: TestableKind): ContentItem {
  const item = findLocaleItem(`reminders:text.${kind}`);
  if (!item) throw new Error(`no content item for ${kind}`);
  return item;
}

function textsOf(value: Prisma.JsonValue): VariantTexts {
  const out: VariantTexts = {};
  if (value && typeof value === "object" && !Array.isArray(value))
    for (const [label, byLanguage] of Object.entries(value)) {
      if (!byLanguage || typeof byLanguage !== "object" || Array.isArray(byLanguage)) continue;
      const texts: Record<string, string> = {};
      for (const [language, text] of Object.entries(byLanguage))
        if (typeof text === "string") texts[language] = text;
      out[label] = texts;
    }
  return out;
}

type Row = {
  id: number;
  kind: string;
  status: "running" | "stopped";
  labels: string[];
  texts: Prisma.JsonValue;
  createdAt: Date;
  stoppedAt: Date | null;
  kept: string | null;
};

function experimentOf(row: Row): Experiment | null {
  if (!isTestableKind(row.kind)) return null;
  return { ...row, kind: row.kind, texts: textsOf(row.texts) };
}

export async function listExperiments(db: Db): Promise<Experiment[]> {
  const rows = await db.reminderExperiment.findMany({ orderBy: { id: "desc" }, take: 100 });
  return rows.map(experimentOf).filter((e): e is Experiment => e !== null);
}

export async function findExperiment(db: Db, id: number): Promise<Experiment | null> {
  const row = await db.reminderExperiment.findUnique({ where: { id } });
  return row ? experimentOf(row) : null;
}

/** The running test of each kind (at most one per kind), for the reminder scan. */
export async function runningExperiments(db: Db): Promise<Map<string, Experiment>> {
  const rows = await db.reminderExperiment.findMany({ where: { status: "running" }, orderBy: { id: "asc" } });
  const out = new Map<string, Experiment>();
  for (const row of rows) {
    const experiment = experimentOf(row);
    if (experiment && !out.has(experiment.kind)) out.set(experiment.kind, experiment);
  }
  return out;
}

/**
 * Languages a member may be in the test with: those every variant has a text in. A member of another
 * language gets the text in force and is not counted, so every variant is compared on the same people.
 */
export function languagesOf(experiment: Pick<Experiment, "labels" | "texts">): string[] {
  const variants = experiment.labels.filter((l) => l !== CONTROL);
  return SUPPORTED_LANGUAGES.filter((language) =>
    variants.every((label) => (experiment.texts[label]?.[language] ?? "") !== ""),
  );
}

export type CreateProblem =
  | { code: "kind" }
  | { code: "running" }
  | { code: "noVariant" }
  | { code: "italianRequired"; label: string }
  | { code: "text"; label: string; language: string; problem: ContentProblem };

export type CreateResult = { ok: true; id: number } | { ok: false; problems: CreateProblem[] };

/**
 * A new running test. `texts[label][language]`: empty texts are dropped, a variant with no text at all is
 * left out; labels are renumbered B, C, D in the order given.
 */
export async function createExperiment(
  db: Db,
  staffId: number,
  kind: string,
  input: Record<string, string>[],
): Promise<CreateResult> {
  if (!isTestableKind(kind)) return { ok: false, problems: [{ code: "kind" }] };
  const item = itemOfKind(kind);
  const reference = referenceText(item);
  const problems: CreateProblem[] = [];
  const texts: VariantTexts = {};
  const given = input
    .slice(0, VARIANT_LABELS.length)
    .map((byLanguage) =>
      Object.fromEntries(
        Object.entries(byLanguage)
          .filter(([language]) => SUPPORTED_LANGUAGES.includes(language))
          .map(([language, text]) => [language, normalizeText(text)] as const)
          .filter(([, text]) => text !== ""),
      ),
    )
    .filter((byLanguage) => Object.keys(byLanguage).length > 0);
  if (given.length === 0) return { ok: false, problems: [{ code: "noVariant" }] };
  given.forEach((byLanguage, index) => {
    const label = VARIANT_LABELS[index] as string;
    if (!byLanguage[DEFAULT_LANGUAGE]) problems.push({ code: "italianRequired", label });
    for (const [language, text] of Object.entries(byLanguage))
      for (const problem of checkContentText(item, text, reference))
        problems.push({ code: "text", label, language, problem });
    texts[label] = byLanguage;
  });
  if (problems.length > 0) return { ok: false, problems };
  const labels = [CONTROL, ...Object.keys(texts)];
  const created = await db.$transaction(async (tx) => {
    // One running test per kind: an advisory lock per kind keeps two creators apart.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`reminder-experiment:${kind}`}))`;
    const running = await tx.reminderExperiment.count({ where: { kind, status: "running" } });
    if (running > 0) return null;
    const row = await tx.reminderExperiment.create({
      data: { kind, labels, texts, createdById: staffId },
      select: { id: true },
    });
    await audit(tx as unknown as Pick<Db, "auditLog">, {
      actorType: "staff",
      actorId: staffId,
      action: "variants.created",
      entityType: "reminderExperiment",
      entityId: row.id,
      details: { kind, variants: labels.length },
    });
    return row.id;
  });
  if (created === null) return { ok: false, problems: [{ code: "running" }] };
  return { ok: true, id: created };
}

export type StopResult = { ok: true } | { ok: false; reason: "notFound" | "stopped" | "label" | "invalid" };

/**
 * Stops a running test keeping `keep`: "A" leaves the text in force; another label saves that variant's
 * texts as the text in force in each of its languages (core/content: versioned, audited, undoable).
 */
export async function stopExperiment(
  db: Db,
  clock: Clock,
  staffId: number,
  id: number,
  keep: string,
): Promise<StopResult> {
  const experiment = await findExperiment(db, id);
  if (!experiment) return { ok: false, reason: "notFound" };
  if (!experiment.labels.includes(keep)) return { ok: false, reason: "label" };
  // Checked when the test began; checked again so a release that changed the default's placeholders
  // since cannot leave a test stopped with its wording half kept.
  const item = itemOfKind(experiment.kind);
  const kept = keep === CONTROL ? {} : (experiment.texts[keep] ?? {});
  if (Object.values(kept).some((text) => checkContentText(item, text, referenceText(item)).length > 0))
    return { ok: false, reason: "invalid" };
  const stopped = await db.reminderExperiment.updateMany({
    where: { id, status: "running" },
    data: { status: "stopped", stoppedAt: clock.now(), kept: keep },
  });
  if (stopped.count === 0) return { ok: false, reason: "stopped" };
  await audit(db, {
    actorType: "staff",
    actorId: staffId,
    action: "variants.stopped",
    entityType: "reminderExperiment",
    entityId: id,
    details: { kept: keep },
  });
  for (const [language, text] of Object.entries(kept))
    await saveContentText(db, staffId, item, language, text);
  return { ok: true };
}
