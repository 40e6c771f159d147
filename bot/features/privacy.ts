// /privacy: what is stored about the person, a download of it, erasure of what they wrote
// themselves, and unlinking their Telegram. Erasing and unlinking ask for confirmation first (a
// small flow, so Cancel and /cancel work); the confirmation button carries the moment it was asked,
// so an old or double-pressed one deletes nothing more and says why.
import { Composer, InlineKeyboard, InputFile, type SessionFlavor } from "grammy";
import { setBudgetShared } from "../../core/privacy/budget-sharing.ts";
import { renderReadableExport } from "../../core/privacy/readable-export.ts";
import {
  EXPORT_README_KEYS,
  type ExportReadme,
  eraseOwnContent,
  exportMemberData,
  storedCounts,
  unlinkMember,
} from "../../core/privacy.ts";
import { REMINDER_CALLBACKS } from "../../core/reminders/texts.ts";
import { escapeHtml } from "../../core/telegram-html.ts";
import { formatCalendarDate, romeToday } from "../../core/time.ts";
import type { BotContext } from "../context.ts";
import { endFlow, flowOf, startFlow, withCancel } from "../flows.ts";
import type { SessionData } from "../session.ts";

export const privacyFeature = new Composer<BotContext>();

export const EXPORT_FILE_NAME = "bussola-dati.json";
export const READABLE_EXPORT_FILE_NAME = "bussola-dati.html";
export const PRIVACY_CALLBACKS = {
  export: "privacy:export",
  erase: "privacy:erase",
  unlink: "privacy:unlink",
  /** Followed by ":" and the moment the confirmation was asked (epoch ms, base 36). */
  eraseYes: "privacy:erase_ok",
  unlinkYes: "privacy:unlink_ok",
  shareBudget: "privacy:budget_on",
  unshareBudget: "privacy:budget_off",
} as const;

const FLOW = "privacy";
const ERASE_STEP = "confirm_erase";
const UNLINK_STEP = "confirm_unlink";

const romeDate = (instant: Date) => formatCalendarDate(romeToday(instant));

type ConsentedMember = NonNullable<BotContext["member"]>;

/** The member who may use these buttons: someone who accepted the notice. */
function consented(ctx: BotContext): ConsentedMember | null {
  return ctx.member?.consentAt ? ctx.member : null;
}

async function showOverview(ctx: BotContext): Promise<void> {
  const member = consented(ctx);
  if (!member?.consentAt) {
    await ctx.reply(ctx.t("privacy:before_consent"));
    return;
  }
  const counts = await storedCounts(ctx.deps.db, member.id);
  const household = member.household;
  const lines = [
    ctx.t("privacy:overview.title"),
    "",
    ctx.t("privacy:overview.stored_title"),
    ctx.t("privacy:overview.telegram_id", { id: member.telegramUserId.toString() }),
    ctx.t("privacy:overview.language", { language: ctx.t("language.name") }),
    ctx.t("privacy:overview.consent", { date: romeDate(member.consentAt) }),
    household
      ? ctx.t("privacy:overview.linked", {
          household: escapeHtml(household.name),
          contract: escapeHtml(household.contractCode),
        })
      : ctx.t("privacy:overview.not_linked"),
    ctx.t("privacy:overview.budget_entries", { count: counts.budgetEntries }),
    ctx.t("privacy:overview.case_messages", { count: counts.caseMessages }),
    ctx.t("privacy:overview.enrolments", { count: counts.enrolments }),
    ...(counts.checkupAnswers > 0
      ? [ctx.t("privacy:overview.checkups", { count: counts.checkupAnswers })]
      : []),
  ];
  // Reminders go to linked members only: the toggle is shown to them.
  if (household) lines.push(ctx.t(member.remindersMuted ? "reminders:privacy.off" : "reminders:privacy.on"));
  if (household) {
    lines.push(
      ctx.t(
        household.budgetSharedAt ? "privacy:overview.budget_shared_on" : "privacy:overview.budget_shared_off",
      ),
    );
  }
  if (member.erasureRequestedAt) {
    lines.push(ctx.t("privacy:overview.erased", { date: romeDate(member.erasureRequestedAt) }));
  }
  if (household) {
    lines.push("", ctx.t("privacy:overview.authority_title"), ctx.t("privacy:overview.authority"));
  }
  lines.push("", ctx.t("privacy:overview.actions"));
  const keyboard = new InlineKeyboard()
    .text(ctx.t("privacy:buttons.export"), PRIVACY_CALLBACKS.export)
    .row()
    .text(ctx.t("privacy:buttons.erase"), PRIVACY_CALLBACKS.erase);
  if (household) {
    keyboard.row().text(ctx.t("privacy:buttons.unlink"), PRIVACY_CALLBACKS.unlink);
    keyboard
      .row()
      .text(
        ctx.t(member.remindersMuted ? "reminders:buttons.unmute" : "reminders:buttons.mute"),
        member.remindersMuted ? REMINDER_CALLBACKS.unmute : REMINDER_CALLBACKS.mute,
      );
    keyboard
      .row()
      .text(
        ctx.t(household.budgetSharedAt ? "privacy:buttons.unshare_budget" : "privacy:buttons.share_budget"),
        household.budgetSharedAt ? PRIVACY_CALLBACKS.unshareBudget : PRIVACY_CALLBACKS.shareBudget,
      );
  }
  await ctx.reply(lines.join("\n"), { reply_markup: keyboard });
}

privacyFeature.chatType("private").command("privacy", showOverview);

/** Buttons on a message from before the person accepted (or after their record went): explain. */
async function oldButton(ctx: BotContext): Promise<void> {
  await ctx.answerCallbackQuery({ text: ctx.t("fallback.old_button") });
}

// ─── Export ─────────────────────────────────────────────────────────────────

privacyFeature.callbackQuery(PRIVACY_CALLBACKS.export, async (ctx) => {
  const member = consented(ctx);
  if (!member) return oldButton(ctx);
  await ctx.answerCallbackQuery({ text: ctx.t("privacy:export.preparing") });
  const readme = Object.fromEntries(
    EXPORT_README_KEYS.map((key) => [key, ctx.t(`privacy:export.readme.${key}`)]),
  ) as ExportReadme;
  const data = await exportMemberData(ctx.deps.db, member.id, { clock: ctx.deps.clock, readme });
  // The page to read first, then the same data for a computer (GDPR art. 15 and art. 20).
  const page = renderReadableExport(data, ctx.t, data.member.language);
  await ctx.replyWithDocument(new InputFile(Buffer.from(page, "utf8"), READABLE_EXPORT_FILE_NAME), {
    caption: ctx.t("privacy:export.readable_caption"),
    parse_mode: "HTML",
  });
  const file = new InputFile(Buffer.from(`${JSON.stringify(data, null, 2)}\n`, "utf8"), EXPORT_FILE_NAME);
  await ctx.replyWithDocument(file, { caption: ctx.t("privacy:export.caption"), parse_mode: "HTML" });
});

// ─── Erasure ────────────────────────────────────────────────────────────────

/** The confirmation's moment, carried in its button; null when the data is not ours. */
function askedAt(ctx: BotContext): number | null {
  const match = /^privacy:(?:erase|unlink)_ok:([0-9a-z]{1,11})$/.exec(ctx.callbackQuery?.data ?? "");
  const value = match?.[1] ? Number.parseInt(match[1], 36) : Number.NaN;
  return Number.isSafeInteger(value) ? value : null;
}

/** True when this button belongs to the confirmation still waiting for an answer. */
function isCurrentConfirmation(ctx: BotContext, step: string, asked: number): boolean {
  return flowOf(ctx, FLOW, step)?.data.askedAt === asked;
}

privacyFeature.callbackQuery(PRIVACY_CALLBACKS.erase, async (ctx) => {
  const member = consented(ctx);
  if (!member) return oldButton(ctx);
  await ctx.answerCallbackQuery();
  const counts = await storedCounts(ctx.deps.db, member.id);
  if (counts.budgetEntries + counts.caseMessages + counts.checkupAnswers === 0)
    return ctx.reply(ctx.t("privacy:erase.nothing"));
  const asked = ctx.deps.clock.now().getTime();
  startFlow(ctx, FLOW, ERASE_STEP, { askedAt: asked });
  const keyboard = new InlineKeyboard().text(
    ctx.t("privacy:buttons.erase_yes"),
    `${PRIVACY_CALLBACKS.eraseYes}:${asked.toString(36)}`,
  );
  const confirm = ctx.t("privacy:erase.confirm", {
    entries: counts.budgetEntries,
    messages: counts.caseMessages,
  });
  const checkups =
    counts.checkupAnswers > 0 ? ctx.t("privacy:erase.checkups", { count: counts.checkupAnswers }) : null;
  return ctx.reply(checkups ? `${confirm}\n\n${checkups}` : confirm, {
    reply_markup: withCancel(ctx, keyboard),
  });
});

privacyFeature.callbackQuery(/^privacy:erase_ok:/, async (ctx) => {
  const member = consented(ctx);
  const asked = askedAt(ctx);
  if (!member || asked === null) return oldButton(ctx);
  if (!isCurrentConfirmation(ctx, ERASE_STEP, asked)) {
    // Pressed twice, or an older confirmation: if an erasure happened since it was asked, say so.
    const erasedAt = member.erasureRequestedAt;
    return ctx.answerCallbackQuery({
      text:
        erasedAt && erasedAt.getTime() >= asked
          ? ctx.t("privacy:erase.already_done", { date: romeDate(erasedAt) })
          : ctx.t("privacy:erase.expired"),
    });
  }
  endFlow(ctx);
  const result = await eraseOwnContent(ctx.deps.db, member.id, ctx.deps.clock);
  ctx.logger.info(
    { budgetEntries: result.budgetEntries, caseMessages: result.caseMessages },
    "member erased own content",
  );
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  const linked = Boolean(member.householdId);
  const text = [
    ctx.t("privacy:erase.done", { entries: result.budgetEntries, messages: result.caseMessages }),
    ...(result.checkupAnswers > 0
      ? [ctx.t("privacy:erase.checkups_done", { count: result.checkupAnswers })]
      : []),
    ctx.t("privacy:remains"),
    linked ? ctx.t("privacy:stop") : ctx.t("privacy:menu_hint"),
  ].join("\n\n");
  const keyboard = linked
    ? new InlineKeyboard().text(ctx.t("privacy:buttons.unlink"), PRIVACY_CALLBACKS.unlink)
    : undefined;
  return ctx.reply(text, keyboard ? { reply_markup: keyboard } : {});
});

// ─── Unlinking ──────────────────────────────────────────────────────────────

privacyFeature.callbackQuery(PRIVACY_CALLBACKS.unlink, async (ctx) => {
  const member = consented(ctx);
  if (!member) return oldButton(ctx);
  const household = member.household;
  if (!household) return ctx.answerCallbackQuery({ text: ctx.t("privacy:unlink.not_linked") });
  await ctx.answerCallbackQuery();
  const asked = ctx.deps.clock.now().getTime();
  startFlow(ctx, FLOW, UNLINK_STEP, { askedAt: asked });
  const keyboard = new InlineKeyboard().text(
    ctx.t("privacy:buttons.unlink_yes"),
    `${PRIVACY_CALLBACKS.unlinkYes}:${asked.toString(36)}`,
  );
  return ctx.reply(ctx.t("privacy:unlink.confirm", { household: escapeHtml(household.name) }), {
    reply_markup: withCancel(ctx, keyboard),
  });
});

privacyFeature.callbackQuery(/^privacy:unlink_ok:/, async (ctx) => {
  const member = consented(ctx);
  const asked = askedAt(ctx);
  if (!member || asked === null) return oldButton(ctx);
  if (!member.householdId) return ctx.answerCallbackQuery({ text: ctx.t("privacy:unlink.not_linked") });
  if (!isCurrentConfirmation(ctx, UNLINK_STEP, asked)) {
    return ctx.answerCallbackQuery({ text: ctx.t("privacy:unlink.expired") });
  }
  endFlow(ctx);
  const householdId = await unlinkMember(ctx.deps.db, member.id);
  if (householdId !== null) ctx.logger.info({ householdId }, "member unlinked");
  // The chat's session goes too (flow state, anything pending): nothing of this chat stays but the
  // member record. grammY deletes the stored session when it is set to null.
  (ctx as SessionFlavor<SessionData>).session = null;
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  // The main menu's buttons no longer lead anywhere useful: take the keyboard away.
  return ctx.reply(ctx.t("privacy:unlink.done"), { reply_markup: { remove_keyboard: true } });
});

/** Anything else with our prefix (a button from an older version of the bot): explain, never crash. */
// ─── Sharing the budget summary with the case worker ────────────────────────

/** Sets the state the button names (not a flip), so an old or double-pressed button repeats it. */
async function setShared(ctx: BotContext, shared: boolean): Promise<void> {
  const member = consented(ctx);
  const household = member?.household;
  if (!member || !household) {
    await oldButton(ctx);
    return;
  }
  const changed = await setBudgetShared(ctx.deps.db, ctx.deps.clock, {
    memberId: member.id,
    householdId: household.id,
    shared,
  });
  household.budgetSharedAt = shared ? (household.budgetSharedAt ?? ctx.deps.clock.now()) : null;
  ctx.logger.info({ memberId: member.id, shared, changed }, "budget sharing set");
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t(shared ? "privacy:budget_share.on" : "privacy:budget_share.off"));
}

privacyFeature.callbackQuery(PRIVACY_CALLBACKS.shareBudget, (ctx) => setShared(ctx, true));
privacyFeature.callbackQuery(PRIVACY_CALLBACKS.unshareBudget, (ctx) => setShared(ctx, false));

privacyFeature.callbackQuery(/^privacy:/, oldButton);
