// Reading and changing the texts staff own: the text in force per language (staff's own, the shipped
// default, or none, when the household reads the Italian one), every change kept as a version
// (ContentVersion) and audited, a version restored as a new change (audited too). Locale texts are
// overrides in ContentText; budget tips are the BudgetTip rows' texts.
import { audit } from "../audit.ts";
import { SEED_TIPS } from "../budget/tips.ts";
import { ensureBudgetTips } from "../budget.ts";
import type { Db, Prisma } from "../db/client.ts";
import { DEFAULT_LANGUAGE, defaultText, SUPPORTED_LANGUAGES } from "../i18n.ts";
import { type ContentProblem, checkContentText, normalizeText } from "./check.ts";
import {
  allLocaleItems,
  type ContentFamily,
  type ContentItem,
  findLocaleItem,
  localeItemsOf,
  TIPS_NAMESPACE,
  tipItem,
} from "./families.ts";
import { reloadContent } from "./sync.ts";

/** own: written by staff; default: as shipped; missing: the household reads the Italian text. */
export type TextStatus = "own" | "default" | "missing";

export type TextState = {
  language: string;
  status: TextStatus;
  text: string | null;
  defaultText: string | null;
};

export type ItemState = { item: ContentItem; languages: TextState[] };

export type ContentVersionRow = { id: number; text: string | null; staffId: number | null; at: Date };

function seedTip(key: string): Record<string, string> | undefined {
  return SEED_TIPS.find((tip) => tip.key === key)?.texts;
}

/** The item with this id (tips: only keys the BudgetTip table has), or null. */
export async function findItem(db: Db, id: string): Promise<ContentItem | null> {
  if (id.startsWith(`${TIPS_NAMESPACE}:`)) {
    await ensureBudgetTips(db);
    const key = id.slice(TIPS_NAMESPACE.length + 1);
    const found = await db.budgetTip.findUnique({ where: { key }, select: { key: true } });
    return found ? tipItem(found.key) : null;
  }
  return findLocaleItem(id);
}

function tipTexts(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === "object")
    for (const [language, text] of Object.entries(value))
      if (typeof text === "string" && text.trim() !== "") out[language] = text;
  return out;
}

/** A tip's state: the bot reads the table only, so a language the row lacks is missing (the seed is its default). */
function tipStateOf(language: string, own: string | undefined, seed: string | undefined): TextState {
  if (own === undefined) return { language, status: "missing", text: null, defaultText: seed ?? null };
  return { language, status: own === seed ? "default" : "own", text: own, defaultText: seed ?? null };
}

function stateOf(language: string, own: string | undefined, shipped: string | undefined): TextState {
  const text = own ?? shipped ?? null;
  const status: TextStatus =
    own !== undefined && own !== shipped ? "own" : text !== null ? "default" : "missing";
  return { language, status, text, defaultText: shipped ?? null };
}

/** Every item of the family with its state in each language, Italian first. */
export async function familyStates(db: Db, family: ContentFamily): Promise<ItemState[]> {
  if (family === "tips") {
    await ensureBudgetTips(db);
    const tips = await db.budgetTip.findMany({
      orderBy: [{ category: "asc" }, { key: "asc" }],
      select: { key: true, texts: true },
    });
    return tips.map((tip) => {
      const texts = tipTexts(tip.texts);
      const seed = seedTip(tip.key);
      return {
        item: tipItem(tip.key),
        languages: SUPPORTED_LANGUAGES.map((l) => tipStateOf(l, texts[l], seed?.[l as keyof typeof seed])),
      };
    });
  }
  const items = localeItemsOf(family);
  const rows = await db.contentText.findMany({
    where: { OR: items.map((i) => ({ namespace: i.namespace, key: i.key })) },
    select: { namespace: true, key: true, language: true, text: true },
  });
  return items.map((item) => ({
    item,
    languages: SUPPORTED_LANGUAGES.map((language) =>
      stateOf(
        language,
        rows.find((r) => r.namespace === item.namespace && r.key === item.key && r.language === language)
          ?.text,
        defaultText(language, item.namespace, item.key),
      ),
    ),
  }));
}

export async function itemState(db: Db, item: ContentItem): Promise<ItemState> {
  if (item.family === "tips") {
    const tip = await db.budgetTip.findUniqueOrThrow({ where: { key: item.key }, select: { texts: true } });
    const texts = tipTexts(tip.texts);
    const seed = seedTip(item.key);
    return {
      item,
      languages: SUPPORTED_LANGUAGES.map((l) => tipStateOf(l, texts[l], seed?.[l as keyof typeof seed])),
    };
  }
  const rows = await db.contentText.findMany({
    where: { namespace: item.namespace, key: item.key },
    select: { language: true, text: true },
  });
  return {
    item,
    languages: SUPPORTED_LANGUAGES.map((language) =>
      stateOf(
        language,
        rows.find((r) => r.language === language)?.text,
        defaultText(language, item.namespace, item.key),
      ),
    ),
  };
}

/** The Italian text shipped with the item: its placeholders are the ones every language must keep. */
export function referenceText(item: ContentItem): string | undefined {
  if (item.family === "tips") return seedTip(item.key)?.it;
  return defaultText(DEFAULT_LANGUAGE, item.namespace, item.key);
}

/** Languages with no text of their own in any family: what the household reads in Italian instead. */
export async function missingTranslations(db: Db): Promise<{ item: ContentItem; language: string }[]> {
  const out: { item: ContentItem; language: string }[] = [];
  for (const family of ["tips", ...new Set(allLocaleItems().map((i) => i.family))] as ContentFamily[]) {
    for (const state of await familyStates(db, family)) {
      for (const l of state.languages)
        if (l.status === "missing") out.push({ item: state.item, language: l.language });
    }
  }
  return out;
}

/**
 * The wording test running on this reminder text, if any: its control "A" is the text in force, so
 * changing it mid-test would compare the variants with two texts at once. Stopping the test frees it.
 */
async function runningTestOn(db: Db, item: ContentItem): Promise<number | null> {
  if (item.namespace !== "reminders" || !item.key.startsWith("text.")) return null;
  const test = await db.reminderExperiment.findFirst({
    where: { kind: item.key.slice("text.".length), status: "running" },
    select: { id: true },
  });
  return test?.id ?? null;
}

export type SaveResult = { ok: true; versionId: number } | { ok: false; problems: ContentProblem[] };

/**
 * Puts `text` in force for the item in `language` (null: back to the shipped default), keeping it as a
 * version, and audits it. A text with problems changes nothing.
 */
export async function saveContentText(
  db: Db,
  staffId: number,
  item: ContentItem,
  language: string,
  input: string | null,
  action: "content.changed" | "content.reset" | "content.restored" = input === null
    ? "content.reset"
    : "content.changed",
): Promise<SaveResult> {
  if (!SUPPORTED_LANGUAGES.includes(language)) throw new Error(`unsupported language ${language}`);
  const text = input === null ? null : normalizeText(input);
  const test = await runningTestOn(db, item);
  if (test !== null) return { ok: false, problems: [{ code: "testRunning", experimentId: test }] };
  if (text !== null) {
    const problems = checkContentText(item, text, referenceText(item));
    if (problems.length > 0) return { ok: false, problems };
  }
  const versionId = await db.$transaction(async (tx) => {
    if (item.family === "tips") {
      // One statement on the row, so two editors of two languages of one tip do not undo each other.
      const shipped = seedTip(item.key)?.[language as keyof ReturnType<typeof seedTip> & string];
      const value = text ?? shipped ?? null;
      await tx.$executeRaw`UPDATE "BudgetTip" SET "texts" = CASE WHEN ${value}::text IS NULL
        THEN "texts" - ${language}::text ELSE jsonb_set("texts", ARRAY[${language}::text], to_jsonb(${value}::text)) END,
        "updatedAt" = now() WHERE "key" = ${item.key}`;
    } else if (text === null) {
      await tx.contentText.deleteMany({ where: { namespace: item.namespace, key: item.key, language } });
    } else {
      await tx.contentText.upsert({
        where: { namespace_key_language: { namespace: item.namespace, key: item.key, language } },
        create: { namespace: item.namespace, key: item.key, language, text, updatedById: staffId },
        update: { text, updatedById: staffId },
      });
    }
    const version = await tx.contentVersion.create({
      data: { namespace: item.namespace, key: item.key, language, text, staffId },
      select: { id: true },
    });
    await audit(tx as unknown as Pick<Db, "auditLog">, {
      actorType: "staff",
      actorId: staffId,
      action,
      entityType: "content",
      entityId: item.id,
      details: { language, version: version.id } satisfies Prisma.InputJsonValue,
    });
    return version.id;
  });
  // This process at once; the others within CONTENT_CHECK_MS (core/content/sync.ts).
  await reloadContent(db);
  return { ok: true, versionId };
}

/** The item's versions in a language, newest first. */
export async function contentHistory(
  db: Db,
  item: ContentItem,
  language: string,
): Promise<ContentVersionRow[]> {
  return db.contentVersion.findMany({
    where: { namespace: item.namespace, key: item.key, language },
    orderBy: { id: "desc" },
    take: 50,
    select: { id: true, text: true, staffId: true, at: true },
  });
}

/** Puts an earlier version back in force, as a new change; null when it is not one of the item's. */
export async function restoreContentVersion(
  db: Db,
  staffId: number,
  item: ContentItem,
  language: string,
  versionId: number,
): Promise<SaveResult | null> {
  const version = await db.contentVersion.findFirst({
    where: { id: versionId, namespace: item.namespace, key: item.key, language },
    select: { text: true },
  });
  if (!version) return null;
  return saveContentText(db, staffId, item, language, version.text, "content.restored");
}
