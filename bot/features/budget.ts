// The family budget: /expense and /income, guided (category buttons, amount, optional note) or quick
// ("12,50 spesa", "income 800", "/expense 12,50", or a bare "12,50"), then Undo / Correct on the
// member's own last entry. Domain logic lives in core/budget.ts; this file only talks.
//
// Callback data (all under "bud:", at most ~35 bytes). <f> is the flow's id (the update that started it,
// base 36), so a button of an earlier question never answers a newer one:
//   bud:k:<f>:<kind>      expense or income, for a bare amount
//   bud:c:<f>:<category>  category (new entry, or a correction)
//   bud:s:<f>             skip the note (new entry) / remove the note (correction)
//   bud:f:<f>:<field>     what to correct: amount, category or note
//   bud:u:<entryId>       undo that entry (only if it is still the member's last)
//   bud:x:<entryId>       correct that entry (only if it is still the member's last)
import { Composer, InlineKeyboard } from "grammy";
import {
  addEntry,
  type BudgetKindName,
  categoriesOf,
  checkLastEntry,
  cleanNote,
  correctLastEntry,
  currentMonth,
  type EntryAmount,
  type EntryCorrection,
  isCategory,
  isKind,
  type LastEntryCheck,
  looksLikeBareAmount,
  MAX_ENTRY_CENTS,
  MAX_NOTE_LENGTH,
  monthKindTotal,
  parseEntryAmount,
  parseQuickEntry,
  quickWords,
  splitAmountAndNote,
  undoLastEntry,
} from "../../core/budget.ts";
import { findActiveCase } from "../../core/cases.ts";
import type { BudgetEntry, Household } from "../../core/db/client.ts";
import { SUPPORTED_LANGUAGES, translator } from "../../core/i18n.ts";
import { normalizeCode } from "../../core/linking.ts";
import { formatMoney, formatTypedAmount } from "../../core/money.ts";
import { escapeHtml } from "../../core/telegram-html.ts";
import type { BotContext } from "../context.ts";
import { answering, endFlow, flowOf, startFlow, withCancel } from "../flows.ts";

export const BUDGET_FLOW = "budget";
export const BUDGET_FIX_FLOW = "budget_fix";

/** Trigger words of every language we speak: people change language, their habits do not. */
const WORDS = quickWords(
  SUPPORTED_LANGUAGES.map((language) => {
    const t = translator(language, "budget");
    return { expense: t("words.expense"), income: t("words.income") };
  }),
);

// ─── Flow data (kept in the session as JSON, so read back defensively) ─────

type EntryDraft = {
  id: string;
  kind?: BudgetKindName;
  category?: string;
  cents?: number;
  note?: string | null;
  /** The update that carried the amount. */
  sourceUpdateId?: number;
};

type FixDraft = { id: string; entryId: number; kind: BudgetKindName; hasNote: boolean };

function draftOf(data: Record<string, unknown>): EntryDraft | null {
  if (typeof data.id !== "string") return null;
  const draft: EntryDraft = { id: data.id };
  if (isKind(data.kind)) draft.kind = data.kind;
  if (typeof data.category === "string" && draft.kind && isCategory(draft.kind, data.category))
    draft.category = data.category;
  if (typeof data.cents === "number" && Number.isInteger(data.cents)) draft.cents = data.cents;
  if (typeof data.note === "string") draft.note = data.note;
  if (typeof data.sourceUpdateId === "number") draft.sourceUpdateId = data.sourceUpdateId;
  return draft;
}

function fixDraftOf(data: Record<string, unknown>): FixDraft | null {
  if (typeof data.id !== "string" || typeof data.entryId !== "number" || !isKind(data.kind)) return null;
  return { id: data.id, entryId: data.entryId, kind: data.kind, hasNote: data.hasNote === true };
}

function flowId(ctx: BotContext): string {
  return ctx.update.update_id.toString(36);
}

// ─── Texts and keyboards ────────────────────────────────────────────────────

function categoryLabel(ctx: BotContext, kind: BudgetKindName, category: string): string {
  return ctx.t(`budget:categories.${kind}.${category}`);
}

function categoryKeyboard(ctx: BotContext, kind: BudgetKindName, id: string): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  categoriesOf(kind).forEach((category, i) => {
    if (i > 0 && i % 2 === 0) keyboard.row();
    keyboard.text(categoryLabel(ctx, kind, category), `bud:c:${id}:${category}`);
  });
  return withCancel(ctx, keyboard);
}

function amountRefusal(ctx: BotContext, amount: Exclude<EntryAmount, { ok: true }>): string {
  if (amount.reason === "spaced") return spacedRefusal(ctx, amount.readings);
  return ctx.t(`budget:amount.${amount.reason}`, { max: formatMoney(MAX_ENTRY_CENTS) });
}

/** "12 50": ask which amount was meant, and show how to write each, rather than guess. */
function spacedRefusal(ctx: BotContext, readings: readonly number[]): string {
  const [first, second] = readings;
  if (first !== undefined && second !== undefined) {
    return ctx.t("budget:amount.spaced_choice", {
      first: formatMoney(first),
      second: formatMoney(second),
      firstTyped: formatTypedAmount(first),
      secondTyped: formatTypedAmount(second),
    });
  }
  if (first !== undefined) {
    return ctx.t("budget:amount.spaced_single", {
      amount: formatMoney(first),
      typed: formatTypedAmount(first),
    });
  }
  return ctx.t("budget:amount.spaced");
}

function entryLines(ctx: BotContext, entry: BudgetEntry): string[] {
  const kind = entry.kind;
  const lines = [
    ctx.t("budget:saved.line", {
      category: categoryLabel(ctx, kind, entry.category),
      amount: formatMoney(entry.amountCents),
    }),
  ];
  if (entry.note) lines.push(ctx.t("budget:saved.note", { note: escapeHtml(entry.note) }));
  return lines;
}

function entryKeyboard(ctx: BotContext, entry: BudgetEntry): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("budget:buttons.undo"), `bud:u:${entry.id}`)
    .text(ctx.t("budget:buttons.correct"), `bud:x:${entry.id}`);
}

async function showEntry(
  ctx: BotContext,
  household: Household,
  entry: BudgetEntry,
  title: "expense" | "income" | "corrected",
): Promise<void> {
  const monthTotal = await monthKindTotal(
    ctx.deps.db,
    household.id,
    entry.kind,
    currentMonth(ctx.deps.clock),
  );
  const lines = [
    ctx.t(`budget:saved.${title}`),
    ...entryLines(ctx, entry),
    "",
    ctx.t(`budget:saved.month_${entry.kind}`, { amount: formatMoney(monthTotal) }),
    ctx.t("budget:saved.next"),
  ];
  await ctx.reply(lines.join("\n"), { reply_markup: entryKeyboard(ctx, entry) });
}

/** The buttons of the message pressed go (it had some, since it was pressed); never fails the update. */
async function clearButtons(ctx: BotContext): Promise<void> {
  await ctx.editMessageReplyMarkup().catch(() => undefined);
}

function linkedHousehold(ctx: BotContext): Household | null {
  return ctx.member?.household ?? null;
}

// ─── Starting an entry ──────────────────────────────────────────────────────

/**
 * Starts an entry of this kind. With an amount (quick entry) only the category is asked; without, the
 * guided questions follow. A wrong amount or note is refused and nothing starts.
 */
async function beginEntry(
  ctx: BotContext,
  kind: BudgetKindName,
  amountText: string | null,
  noteText: string | null,
): Promise<void> {
  const household = linkedHousehold(ctx);
  if (!household || !ctx.member) {
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  const id = flowId(ctx);
  if (amountText === null) {
    startFlow(ctx, BUDGET_FLOW, "category", { id, kind });
    await ctx.reply(ctx.t(`budget:ask.category_${kind}`), { reply_markup: categoryKeyboard(ctx, kind, id) });
    return;
  }
  const amount = parseEntryAmount(amountText);
  if (!amount.ok) {
    await ctx.reply(amountRefusal(ctx, amount));
    return;
  }
  const note = cleanNote(noteText);
  if (note !== null && note.length > MAX_NOTE_LENGTH) {
    await ctx.reply(ctx.t("budget:quick_note_too_long", { max: MAX_NOTE_LENGTH }));
    return;
  }
  startFlow(ctx, BUDGET_FLOW, "category", {
    id,
    kind,
    cents: amount.cents,
    note,
    sourceUpdateId: ctx.update.update_id,
  });
  await ctx.reply(ctx.t(`budget:ask.category_${kind}_amount`, { amount: formatMoney(amount.cents) }), {
    reply_markup: categoryKeyboard(ctx, kind, id),
  });
}

/** A bare amount ("12,50"): expense or income? */
async function beginBareAmount(ctx: BotContext, text: string): Promise<void> {
  if (!linkedHousehold(ctx)) {
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  const amount = parseEntryAmount(text);
  if (!amount.ok) {
    await ctx.reply(amountRefusal(ctx, amount));
    return;
  }
  const id = flowId(ctx);
  startFlow(ctx, BUDGET_FLOW, "kind", { id, cents: amount.cents, sourceUpdateId: ctx.update.update_id });
  const keyboard = new InlineKeyboard()
    .text(ctx.t("budget:buttons.expense"), `bud:k:${id}:expense`)
    .text(ctx.t("budget:buttons.income"), `bud:k:${id}:income`);
  await ctx.reply(ctx.t("budget:ask.kind", { amount: formatMoney(amount.cents) }), {
    reply_markup: withCancel(ctx, keyboard),
  });
}

/**
 * "1E234567" is a number to us but may be someone's link code: those are left to the link feature, as
 * are codes of digits only typed in two groups of four as they are given ("2345 6789").
 */
function mightBeLinkCode(text: string): boolean {
  const code = normalizeCode(text);
  return code !== null && (/[A-Z]/.test(code) || /^\S{4}[\s-]+\S{4}$/.test(text.trim()));
}

/** Handles a text if it is a quick entry or a bare amount; false if it is neither. */
async function tryQuickEntry(ctx: BotContext, text: string): Promise<boolean> {
  if (text.startsWith("/")) return false;
  const quick = parseQuickEntry(text, WORDS);
  if (quick) {
    await beginEntry(ctx, quick.kind, quick.amountText, quick.note);
    return true;
  }
  if (looksLikeBareAmount(text) && !mightBeLinkCode(text)) {
    // While a conversation with an operator is open, a bare number is most likely an answer to them.
    const household = linkedHousehold(ctx);
    if (household && (await findActiveCase(ctx.deps.db, household.id))) return false;
    await beginBareAmount(ctx, text);
    return true;
  }
  return false;
}

async function saveDraft(ctx: BotContext, draft: EntryDraft, note: string | null): Promise<void> {
  const household = linkedHousehold(ctx);
  const member = ctx.member;
  if (!household || !member) {
    endFlow(ctx);
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  if (!draft.kind || !draft.category || draft.cents === undefined) {
    // Cannot happen through the questions; a damaged session ends quietly with a way back.
    endFlow(ctx);
    await ctx.reply(ctx.t("budget:old.question"));
    return;
  }
  const { entry } = await addEntry(ctx.deps.db, ctx.deps.clock, {
    householdId: household.id,
    memberId: member.id,
    kind: draft.kind,
    category: draft.category,
    amountCents: draft.cents,
    note,
    sourceUpdateId: draft.sourceUpdateId ?? ctx.update.update_id,
  });
  endFlow(ctx);
  ctx.logger.info({ entryId: entry.id }, "budget entry logged");
  await showEntry(ctx, household, entry, draft.kind);
}

// ─── Corrections ────────────────────────────────────────────────────────────

function explainNotLast(ctx: BotContext, check: Exclude<LastEntryCheck, { status: "ok" }>): string {
  return ctx.t(check.status === "gone" ? "budget:old.gone" : "budget:old.not_last");
}

async function applyCorrection(ctx: BotContext, fix: FixDraft, correction: EntryCorrection): Promise<void> {
  const household = linkedHousehold(ctx);
  const member = ctx.member;
  endFlow(ctx);
  if (!household || !member) {
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  const result = await correctLastEntry(ctx.deps.db, member.id, fix.entryId, correction);
  if (result.status !== "ok") {
    await ctx.reply(explainNotLast(ctx, result));
    return;
  }
  ctx.logger.info({ entryId: result.entry.id }, "budget entry corrected");
  await showEntry(ctx, household, result.entry, "corrected");
}

// ─── Handlers ───────────────────────────────────────────────────────────────

export const budgetFeature = new Composer<BotContext>();

const privateChats = budgetFeature.chatType("private");

privateChats.command("expense", (ctx) => startFromCommand(ctx, "expense", ctx.match));
privateChats.command("income", (ctx) => startFromCommand(ctx, "income", ctx.match));

/** "/expense", "/expense 12,50", "/expense 12,50 pane" (the menu button arrives as "/expense"). */
/** The guided entry from its first question, as /expense and /income without an amount start it. */
export const startEntry = (ctx: BotContext, kind: BudgetKindName) => startFromCommand(ctx, kind, "");

async function startFromCommand(ctx: BotContext, kind: BudgetKindName, args: string): Promise<void> {
  const text = args.trim();
  if (!text) return beginEntry(ctx, kind, null, null);
  const split = splitAmountAndNote(text);
  // Something that is not an amount ("/expense bread") is refused as an amount, with an example.
  return beginEntry(ctx, kind, split?.amountText ?? text, split?.note ?? null);
}

// Answers to the questions in progress.

budgetFeature.filter(answering(BUDGET_FLOW, "amount"), async (ctx) => {
  const flow = flowOf(ctx, BUDGET_FLOW, "amount");
  const draft = flow && draftOf(flow.data);
  if (!draft?.kind || !draft.category) {
    endFlow(ctx);
    return ctx.reply(ctx.t("budget:old.question"));
  }
  const text = ctx.message.text;
  let amount = parseEntryAmount(text);
  if (!amount.ok && amount.reason === "format") {
    // "12,50 spesa" typed as the answer: the amount is in there.
    const quick = parseQuickEntry(text, WORDS);
    if (quick?.amountText) amount = parseEntryAmount(quick.amountText);
  }
  if (!amount.ok) return ctx.reply(amountRefusal(ctx, amount), { reply_markup: withCancel(ctx) });
  startFlow(ctx, BUDGET_FLOW, "note", {
    ...draft,
    cents: amount.cents,
    sourceUpdateId: ctx.update.update_id,
  });
  const keyboard = new InlineKeyboard().text(ctx.t("budget:buttons.skip"), `bud:s:${draft.id}`);
  return ctx.reply(
    ctx.t("budget:ask.note", {
      category: categoryLabel(ctx, draft.kind, draft.category),
      amount: formatMoney(amount.cents),
    }),
    { reply_markup: withCancel(ctx, keyboard) },
  );
});

budgetFeature.filter(answering(BUDGET_FLOW, "note"), async (ctx) => {
  const flow = flowOf(ctx, BUDGET_FLOW, "note");
  const draft = flow && draftOf(flow.data);
  if (!draft) {
    endFlow(ctx);
    return ctx.reply(ctx.t("budget:old.question"));
  }
  const note = cleanNote(ctx.message.text);
  if (note !== null && note.length > MAX_NOTE_LENGTH) {
    const keyboard = new InlineKeyboard().text(ctx.t("budget:buttons.skip"), `bud:s:${draft.id}`);
    return ctx.reply(ctx.t("budget:note_too_long", { max: MAX_NOTE_LENGTH }), {
      reply_markup: withCancel(ctx, keyboard),
    });
  }
  return saveDraft(ctx, draft, note);
});

// A question that wants a button. An amount typed before the category is taken; a new quick entry
// starts over; anything else gets the buttons again.
budgetFeature.filter(answering(BUDGET_FLOW), async (ctx) => {
  const text = ctx.message.text;
  const flow = flowOf(ctx, BUDGET_FLOW);
  const draft = flow && draftOf(flow.data);
  if (draft?.kind && draft.cents === undefined && looksLikeBareAmount(text)) {
    const amount = parseEntryAmount(text);
    if (!amount.ok) return ctx.reply(amountRefusal(ctx, amount));
    startFlow(ctx, BUDGET_FLOW, "category", {
      ...draft,
      cents: amount.cents,
      sourceUpdateId: ctx.update.update_id,
    });
    return ctx.reply(
      ctx.t(`budget:ask.category_${draft.kind}_amount`, { amount: formatMoney(amount.cents) }),
      {
        reply_markup: categoryKeyboard(ctx, draft.kind, draft.id),
      },
    );
  }
  if (await tryQuickEntry(ctx, text)) return;
  if (!draft) {
    endFlow(ctx);
    return ctx.reply(ctx.t("budget:old.question"));
  }
  if (draft.kind) {
    return ctx.reply(ctx.t("budget:ask.use_buttons"), {
      reply_markup: categoryKeyboard(ctx, draft.kind, draft.id),
    });
  }
  const keyboard = new InlineKeyboard()
    .text(ctx.t("budget:buttons.expense"), `bud:k:${draft.id}:expense`)
    .text(ctx.t("budget:buttons.income"), `bud:k:${draft.id}:income`);
  return ctx.reply(ctx.t("budget:ask.use_buttons"), { reply_markup: withCancel(ctx, keyboard) });
});

budgetFeature.filter(answering(BUDGET_FIX_FLOW, "amount"), async (ctx) => {
  const flow = flowOf(ctx, BUDGET_FIX_FLOW, "amount");
  const fix = flow && fixDraftOf(flow.data);
  if (!fix) {
    endFlow(ctx);
    return ctx.reply(ctx.t("budget:old.question"));
  }
  const amount = parseEntryAmount(ctx.message.text);
  if (!amount.ok) return ctx.reply(amountRefusal(ctx, amount), { reply_markup: withCancel(ctx) });
  return applyCorrection(ctx, fix, { amountCents: amount.cents });
});

budgetFeature.filter(answering(BUDGET_FIX_FLOW, "note"), async (ctx) => {
  const flow = flowOf(ctx, BUDGET_FIX_FLOW, "note");
  const fix = flow && fixDraftOf(flow.data);
  if (!fix) {
    endFlow(ctx);
    return ctx.reply(ctx.t("budget:old.question"));
  }
  const note = cleanNote(ctx.message.text);
  if (note !== null && note.length > MAX_NOTE_LENGTH) {
    return ctx.reply(ctx.t("budget:note_too_long", { max: MAX_NOTE_LENGTH }), {
      reply_markup: noteFixKeyboard(ctx, fix),
    });
  }
  return applyCorrection(ctx, fix, { note });
});

budgetFeature.filter(answering(BUDGET_FIX_FLOW), async (ctx) => {
  const flow = flowOf(ctx, BUDGET_FIX_FLOW);
  const fix = flow && fixDraftOf(flow.data);
  if (!flow || !fix) {
    endFlow(ctx);
    return ctx.reply(ctx.t("budget:old.question"));
  }
  const keyboard =
    flow.step === "category" ? categoryKeyboard(ctx, fix.kind, fix.id) : fixChoiceKeyboard(ctx, fix);
  return ctx.reply(ctx.t("budget:ask.use_buttons"), { reply_markup: keyboard });
});

// Quick entries and bare amounts, only when no question of any feature is waiting for an answer.
privateChats.on("message:text").filter(
  (ctx) => !ctx.session.flow,
  async (ctx, next) => {
    if (!(await tryQuickEntry(ctx, ctx.message.text))) await next();
  },
);

// ─── Buttons ────────────────────────────────────────────────────────────────

function noteFixKeyboard(ctx: BotContext, fix: FixDraft): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  if (fix.hasNote) keyboard.text(ctx.t("budget:buttons.remove_note"), `bud:s:${fix.id}`);
  return withCancel(ctx, keyboard);
}

function fixChoiceKeyboard(ctx: BotContext, fix: FixDraft): InlineKeyboard {
  const keyboard = new InlineKeyboard()
    .text(ctx.t("budget:buttons.fix_amount"), `bud:f:${fix.id}:amount`)
    .text(ctx.t("budget:buttons.fix_category"), `bud:f:${fix.id}:category`)
    .row()
    .text(ctx.t("budget:buttons.fix_note"), `bud:f:${fix.id}:note`);
  return withCancel(ctx, keyboard);
}

/** A button of a question that is no longer asked: say so, and take its buttons away. */
async function oldQuestion(ctx: BotContext): Promise<void> {
  await ctx.answerCallbackQuery({ text: ctx.t("budget:old.question") });
  await clearButtons(ctx);
}

/** The flow the button belongs to, when it is the one in progress (same id, same step). */
function pressedFlow(ctx: BotContext, name: string, step: string, id: string) {
  const flow = flowOf(ctx, name, step);
  return flow && flow.data.id === id ? flow : undefined;
}

budgetFeature.callbackQuery(/^bud:k:([0-9a-z]+):(expense|income)$/, async (ctx) => {
  const [, id = "", kind = ""] = ctx.match;
  const flow = pressedFlow(ctx, BUDGET_FLOW, "kind", id);
  const draft = flow && draftOf(flow.data);
  if (!draft || !isKind(kind)) return oldQuestion(ctx);
  if (!linkedHousehold(ctx)) return ctx.answerCallbackQuery({ text: ctx.t("budget:old.need_link") });
  await ctx.answerCallbackQuery();
  await clearButtons(ctx);
  startFlow(ctx, BUDGET_FLOW, "category", { ...draft, kind });
  await ctx.reply(ctx.t(`budget:ask.category_${kind}_amount`, { amount: formatMoney(draft.cents ?? 0) }), {
    reply_markup: categoryKeyboard(ctx, kind, id),
  });
});

budgetFeature.callbackQuery(/^bud:c:([0-9a-z]+):([a-z_]+)$/, async (ctx) => {
  const [, id = "", category = ""] = ctx.match;
  if (!linkedHousehold(ctx)) return ctx.answerCallbackQuery({ text: ctx.t("budget:old.need_link") });

  const entryFlow = pressedFlow(ctx, BUDGET_FLOW, "category", id);
  const draft = entryFlow && draftOf(entryFlow.data);
  if (draft?.kind && isCategory(draft.kind, category)) {
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    const chosen = { ...draft, category };
    // A quick entry already has its amount (and note, if any): one tap and it is saved.
    if (draft.cents !== undefined) return saveDraft(ctx, chosen, draft.note ?? null);
    startFlow(ctx, BUDGET_FLOW, "amount", chosen);
    return ctx.reply(
      ctx.t(`budget:ask.amount_${draft.kind}`, { category: categoryLabel(ctx, draft.kind, category) }),
      { reply_markup: withCancel(ctx) },
    );
  }

  const fixFlow = pressedFlow(ctx, BUDGET_FIX_FLOW, "category", id);
  const fix = fixFlow && fixDraftOf(fixFlow.data);
  if (fix && isCategory(fix.kind, category)) {
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    return applyCorrection(ctx, fix, { category });
  }
  return oldQuestion(ctx);
});

budgetFeature.callbackQuery(/^bud:s:([0-9a-z]+)$/, async (ctx) => {
  const [, id = ""] = ctx.match;
  if (!linkedHousehold(ctx)) return ctx.answerCallbackQuery({ text: ctx.t("budget:old.need_link") });
  const entryFlow = pressedFlow(ctx, BUDGET_FLOW, "note", id);
  const draft = entryFlow && draftOf(entryFlow.data);
  if (draft) {
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    return saveDraft(ctx, draft, null);
  }
  const fixFlow = pressedFlow(ctx, BUDGET_FIX_FLOW, "note", id);
  const fix = fixFlow && fixDraftOf(fixFlow.data);
  if (fix) {
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    return applyCorrection(ctx, fix, { note: null });
  }
  return oldQuestion(ctx);
});

budgetFeature.callbackQuery(/^bud:f:([0-9a-z]+):(amount|category|note)$/, async (ctx) => {
  const [, id = "", field = ""] = ctx.match;
  if (!linkedHousehold(ctx)) return ctx.answerCallbackQuery({ text: ctx.t("budget:old.need_link") });
  const flow = pressedFlow(ctx, BUDGET_FIX_FLOW, "choose", id);
  const fix = flow && fixDraftOf(flow.data);
  if (!fix) return oldQuestion(ctx);
  await ctx.answerCallbackQuery();
  await clearButtons(ctx);
  startFlow(ctx, BUDGET_FIX_FLOW, field, { ...fix });
  if (field === "amount") return ctx.reply(ctx.t("budget:fix.amount"), { reply_markup: withCancel(ctx) });
  if (field === "category")
    return ctx.reply(ctx.t("budget:fix.category"), { reply_markup: categoryKeyboard(ctx, fix.kind, id) });
  return ctx.reply(ctx.t(fix.hasNote ? "budget:fix.note_or_remove" : "budget:fix.note"), {
    reply_markup: noteFixKeyboard(ctx, fix),
  });
});

budgetFeature.callbackQuery(/^bud:u:(\d{1,10})$/, async (ctx) => {
  const member = ctx.member;
  if (!member || !linkedHousehold(ctx))
    return ctx.answerCallbackQuery({ text: ctx.t("budget:old.need_link") });
  const entryId = Number(ctx.match[1]);
  const result = await undoLastEntry(ctx.deps.db, member.id, entryId);
  if (result.status !== "ok") {
    await ctx.answerCallbackQuery({ text: explainNotLast(ctx, result) });
    if (result.status === "gone") await clearButtons(ctx);
    return;
  }
  // A correction of this entry in progress has nothing left to correct.
  const fixFlow = flowOf(ctx, BUDGET_FIX_FLOW);
  if (fixFlow && fixFlow.data.entryId === entryId) endFlow(ctx);
  ctx.logger.info({ entryId }, "budget entry undone");
  await ctx.answerCallbackQuery({ text: ctx.t("budget:undone_short") });
  const entry = result.entry;
  await ctx
    .editMessageText(
      ctx.t("budget:undone", {
        category: categoryLabel(ctx, entry.kind, entry.category),
        amount: formatMoney(entry.amountCents),
      }),
    )
    .catch(() => undefined);
});

budgetFeature.callbackQuery(/^bud:x:(\d{1,10})$/, async (ctx) => {
  const member = ctx.member;
  if (!member || !linkedHousehold(ctx))
    return ctx.answerCallbackQuery({ text: ctx.t("budget:old.need_link") });
  const check = await checkLastEntry(ctx.deps.db, member.id, Number(ctx.match[1]));
  if (check.status !== "ok") {
    await ctx.answerCallbackQuery({ text: explainNotLast(ctx, check) });
    if (check.status === "gone") await clearButtons(ctx);
    return;
  }
  await ctx.answerCallbackQuery();
  const entry = check.entry;
  const fix: FixDraft = {
    id: flowId(ctx),
    entryId: entry.id,
    kind: entry.kind,
    hasNote: Boolean(entry.note),
  };
  startFlow(ctx, BUDGET_FIX_FLOW, "choose", fix);
  await ctx.reply(ctx.t("budget:fix.choose", { entry: entryLines(ctx, entry).join("\n") }), {
    reply_markup: fixChoiceKeyboard(ctx, fix),
  });
});

// Any other "bud:" button (from an older version of these questions): explain instead of silence.
budgetFeature.callbackQuery(/^bud:/, (ctx) => oldQuestion(ctx));
