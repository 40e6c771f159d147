// Free text that asks for something ("quanto devo pagare?", "voglio parlare con qualcuno", "aiuto")
// is answered with the feature itself: the same function its command or button runs, never a copy.
// When two requests are about as likely, the person chooses ("Did you mean…?"); when nothing fits,
// the fallback offers the main actions and a person. Runs after every other free-text handler
// (flows, quick budget entries, link codes, the worry detector, an open case), just before the
// fallback, so it only ever sees text nobody else took.
//
// Callback data: "int:<intent>" (at most 14 bytes), pressed on a suggestion or the fallback's buttons.
import { Composer, InlineKeyboard } from "grammy";
import { type Intent, intentClassifier, isIntent, understand } from "../../core/intents.ts";
import { REMINDER_CALLBACKS } from "../../core/reminders/texts.ts";
import type { BotContext } from "../context.ts";
import { BALANCE_CALLBACK, showBalance } from "./balance.ts";
import { startEntry } from "./budget.ts";
import { showCourses } from "./courses.ts";
import { showDocuments } from "./documents.ts";
import { showHelp } from "./help.ts";
import { showChoice } from "./language.ts";
import { showOperator } from "./operator.ts";
import { showHowToPay, showPlan } from "./plan.ts";

export const INTENT_PREFIX = "int:";
/** Longer texts are not requests the assistant can act on (the fallback says so). */
export const MAX_REQUEST_LENGTH = 1000;

/** The button that stands for each request (the menu's own labels where there is one). */
const LABEL: Record<Intent, string> = {
  balance: "menu.balance",
  plan: "menu.plan",
  how_to_pay: "debt:buttons.howto",
  paid: "intents:buttons.paid",
  expense: "menu.expense",
  income: "menu.income",
  courses: "menu.courses",
  documents: "menu.documents",
  operator: "menu.operator",
  language: "menu.language",
  help: "menu.help",
  stop: "intents:buttons.stop",
};

/** What the fallback offers: the main actions, and always a person. */
export const MAIN_ACTIONS: readonly Intent[] = [
  "balance",
  "plan",
  "courses",
  "documents",
  "help",
  "operator",
];
/** Before a household is linked only these make sense. */
const UNLINKED_ACTIONS: readonly Intent[] = ["help", "language"];

function intentKeyboard(ctx: BotContext, intents: readonly Intent[], perRow: number): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  intents.forEach((intent, i) => {
    keyboard.text(ctx.t(LABEL[intent]), `${INTENT_PREFIX}${intent}`);
    if (i % perRow === perRow - 1) keyboard.row();
  });
  return keyboard;
}

/** The fallback's buttons: the main actions and a person, or what an unlinked person can do. */
export function mainActionsKeyboard(ctx: BotContext): InlineKeyboard {
  return intentKeyboard(ctx, ctx.member?.household ? MAIN_ACTIONS : UNLINKED_ACTIONS, 2);
}

/** "Ho pagato": thanks, and why the payment is not in the balance yet. */
async function acknowledgePayment(ctx: BotContext): Promise<void> {
  if (!ctx.member?.household) {
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  const keyboard = new InlineKeyboard()
    .text(ctx.t("debt:buttons.balance"), BALANCE_CALLBACK)
    .row()
    .text(ctx.t("menu.operator"), `${INTENT_PREFIX}operator`);
  await ctx.reply(ctx.t("intents:paid"), { reply_markup: keyboard });
}

/** "Basta messaggi": the reminders' own mute (or unmute) button, with what it does and does not stop. */
async function offerMute(ctx: BotContext): Promise<void> {
  const member = ctx.member;
  if (!member?.household) {
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  const muted = member.remindersMuted;
  const keyboard = new InlineKeyboard().text(
    ctx.t(muted ? "reminders:buttons.unmute" : "reminders:buttons.mute"),
    muted ? REMINDER_CALLBACKS.unmute : REMINDER_CALLBACKS.mute,
  );
  await ctx.reply(ctx.t(muted ? "intents:stop.already" : "intents:stop.ask"), { reply_markup: keyboard });
}

/** Each request answered by the function its command or button runs. */
const ANSWER: Record<Intent, (ctx: BotContext) => Promise<unknown>> = {
  balance: showBalance,
  plan: showPlan,
  how_to_pay: showHowToPay,
  paid: acknowledgePayment,
  expense: (ctx) => startEntry(ctx, "expense"),
  income: (ctx) => startEntry(ctx, "income"),
  courses: showCourses,
  documents: showDocuments,
  operator: showOperator,
  language: showChoice,
  help: showHelp,
  stop: offerMute,
};

export const intentsFeature = new Composer<BotContext>();

intentsFeature.chatType("private").on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/") || text.length > MAX_REQUEST_LENGTH) return next();
  const understood = understand(intentClassifier(), text);
  if (understood.kind === "none") return next();
  // The intent and how sure, never the words: they are the person's.
  ctx.logger.info(
    { kind: understood.kind, score: Number(understood.score.toFixed(2)) },
    "free text understood",
  );
  if (understood.kind === "sure") return ANSWER[understood.intent](ctx);
  // A person is always among the choices, and there are at least two.
  const offered = [...new Set<Intent>([...understood.intents, "operator", "help"])].slice(
    0,
    Math.max(2, understood.intents.length + 1),
  );
  return ctx.reply(ctx.t("intents:did_you_mean"), { reply_markup: intentKeyboard(ctx, offered, 1) });
});

intentsFeature.callbackQuery(/^int:([a-z_]{1,20})$/, async (ctx) => {
  const intent = ctx.match[1] ?? "";
  if (!isIntent(intent)) return ctx.answerCallbackQuery({ text: ctx.t("fallback.old_button") });
  await ctx.answerCallbackQuery();
  return ANSWER[intent](ctx);
});
