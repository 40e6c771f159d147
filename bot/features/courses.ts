// /courses: upcoming sessions (the household's municipality first), a session's details, enrol and
// cancel, "my schedule" and a calendar file. Everything is buttons on one message that changes in place;
// the buttons carry all they need, so a button on an old message still works or explains itself.
import { Composer, GrammyError, InlineKeyboard, InputFile } from "grammy";
import { buildCalendar, enrolmentUid } from "../../core/courses/ics.ts";
import {
  acceptOffer,
  joinWaitingList,
  tellOffers,
  type WaitingState,
  waitingState,
} from "../../core/courses/waiting.ts";
import {
  cancelEnrolment,
  enrol,
  findSession,
  memberSchedule,
  type SessionView,
  sameMunicipality,
  upcomingSessions,
} from "../../core/courses.ts";
import { escapeHtml } from "../../core/telegram-html.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import type { BotContext } from "../context.ts";

export const coursesFeature = new Composer<BotContext>();

export const COURSES_PREFIX = "courses:";
export const PAGE_SIZE = 5;
/** "My schedule" shows this many sessions; the calendar file has them all. */
const SCHEDULE_SHOWN = 10;
const BUTTON_LABEL_MAX = 48;
export const ICS_FILE_NAME = "bussola-corsi.ics";

/** Where "back" leads from a session's details: a page of the list, or "my schedule". */
type Back = number | "m";

const data = {
  list: (page: number) => `courses:list:${page}`,
  show: (id: number, back: Back) => `courses:show:${id}:${back}`,
  enrol: (id: number, back: Back) => `courses:enrol:${id}:${back}`,
  drop: (id: number, back: Back) => `courses:drop:${id}:${back}`,
  dropYes: (id: number, back: Back) => `courses:dropyes:${id}:${back}`,
  wait: (id: number, back: Back) => `courses:wait:${id}:${back}`,
  accept: (id: number, back: Back) => `courses:accept:${id}:${back}`,
  mine: () => "courses:mine",
  ics: () => "courses:ics",
};

const CALLBACK =
  /^courses:(list|show|enrol|drop|dropyes|wait|accept|mine|ics)(?::(\d{1,9}))?(?::(\d{1,4}|m))?$/;

type View = { text: string; keyboard: InlineKeyboard };

const now = (ctx: BotContext) => ctx.deps.clock.now();

function shorten(text: string, max = BUTTON_LABEL_MAX): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}

/** "09/12/2026 09:30" → "09/12 09:30": short enough for a button; the message has the year. */
function shortWhen(instant: Date): string {
  const [date = "", time = ""] = formatRomeDateTime(instant).split(" ");
  return `${date.slice(0, 5)} ${time}`;
}

function started(ctx: BotContext, session: SessionView): boolean {
  return session.startsAt.getTime() <= now(ctx).getTime();
}

function marker(session: SessionView): string {
  if (session.mine) return "✅ ";
  if (session.placesLeft === 0) return "⛔ ";
  return "";
}

function sessionButton(session: SessionView): string {
  return shorten(`${marker(session)}${shortWhen(session.startsAt)} · ${session.title}`);
}

/** "09/12/2026, 09:30–12:30", or both date-times when it spans days. */
function when(ctx: BotContext, session: SessionView): string {
  const [startDate, startTime] = formatRomeDateTime(session.startsAt).split(" ");
  const [endDate, endTime] = formatRomeDateTime(session.endsAt).split(" ");
  if (startDate === endDate) {
    return ctx.t("courses:when_day", { date: startDate, start: startTime, end: endTime });
  }
  return ctx.t("courses:when_span", {
    start: formatRomeDateTime(session.startsAt),
    end: formatRomeDateTime(session.endsAt),
  });
}

function place(session: SessionView): string {
  return `${escapeHtml(session.location)} (${escapeHtml(session.municipality)})`;
}

async function listView(ctx: BotContext, requestedPage: number): Promise<View> {
  const municipality = ctx.member?.household?.municipality ?? null;
  const sessions = await upcomingSessions(ctx.deps.db, {
    now: now(ctx),
    municipality,
    memberId: ctx.member?.id ?? null,
    language: ctx.language,
  });
  const keyboard = new InlineKeyboard();
  if (sessions.length === 0) {
    keyboard.text(ctx.t("courses:button_schedule"), data.mine());
    return { text: `${ctx.t("courses:title")}\n\n${ctx.t("courses:none")}`, keyboard };
  }
  const pages = Math.ceil(sessions.length / PAGE_SIZE);
  const page = Math.min(Math.max(0, requestedPage), pages - 1);
  const shown = sessions.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const isHome = (s: SessionView) => sameMunicipality(s.municipality, municipality);
  const lines = [ctx.t("courses:title"), ctx.t("courses:intro")];
  if (page === 0 && municipality && !sessions.some(isHome)) {
    lines.push("", ctx.t("courses:none_here", { municipality: escapeHtml(municipality) }));
  }
  let group: boolean | undefined;
  for (const session of shown) {
    const home = isHome(session);
    if (home !== group) {
      group = home;
      lines.push(
        "",
        home
          ? ctx.t("courses:group_here", { municipality: escapeHtml(session.municipality) })
          : ctx.t("courses:group_elsewhere"),
      );
    }
    const line = ctx.t(home ? "courses:line" : "courses:line_elsewhere", {
      when: formatRomeDateTime(session.startsAt),
      title: escapeHtml(session.title),
      municipality: escapeHtml(session.municipality),
    });
    lines.push(`${line}${session.mine ? " ✅" : session.placesLeft === 0 ? " ⛔" : ""}`);
    keyboard.text(sessionButton(session), data.show(session.id, page)).row();
  }
  if (shown.some((s) => s.mine || s.placesLeft === 0)) lines.push("", ctx.t("courses:legend"));
  if (pages > 1) {
    lines.push("", ctx.t("courses:page", { page: page + 1, pages }));
    if (page > 0) keyboard.text(ctx.t("courses:button_previous"), data.list(page - 1));
    if (page < pages - 1) keyboard.text(ctx.t("courses:button_next"), data.list(page + 1));
    keyboard.row();
  }
  keyboard.text(ctx.t("courses:button_schedule"), data.mine());
  return { text: lines.join("\n"), keyboard };
}

function backButton(ctx: BotContext, keyboard: InlineKeyboard, back: Back): InlineKeyboard {
  return back === "m"
    ? keyboard.text(ctx.t("courses:button_back_schedule"), data.mine())
    : keyboard.text(ctx.t("courses:button_back_list"), data.list(back));
}

function detailView(ctx: BotContext, session: SessionView, back: Back, wait: WaitingState = null): View {
  const lines = [`🎓 <b>${escapeHtml(session.title)}</b>`];
  if (session.description) lines.push(escapeHtml(session.description));
  lines.push(
    "",
    `📅 ${when(ctx, session)}`,
    `📍 ${place(session)}`,
    ctx.t("courses:places", { left: session.placesLeft, capacity: session.capacity }),
    "",
  );
  const keyboard = new InlineKeyboard();
  if (started(ctx, session)) {
    lines.push(ctx.t(session.mine ? "courses:state_started_mine" : "courses:state_started"));
  } else if (session.mine) {
    lines.push(ctx.t("courses:state_enrolled"));
    keyboard.text(ctx.t("courses:button_drop"), data.drop(session.id, back)).row();
  } else if (wait?.status === "offered") {
    lines.push(ctx.t("courses:state_offered", { deadline: formatRomeDateTime(wait.expiresAt) }));
    keyboard.text(ctx.t("courses:button_accept"), data.accept(session.id, back)).row();
    keyboard.text(ctx.t("courses:button_decline"), data.drop(session.id, back)).row();
  } else if (wait?.status === "waiting") {
    lines.push(ctx.t("courses:state_waiting", { position: wait.position }));
    keyboard.text(ctx.t("courses:button_leave_wait"), data.drop(session.id, back)).row();
  } else if (session.placesLeft === 0) {
    lines.push(ctx.t("courses:state_full"), ctx.t("courses:state_full_wait"));
    keyboard.text(ctx.t("courses:button_wait"), data.wait(session.id, back)).row();
  } else {
    lines.push(ctx.t("courses:state_open"));
    keyboard.text(ctx.t("courses:button_enrol"), data.enrol(session.id, back)).row();
  }
  backButton(ctx, keyboard, back);
  if (back !== "m") keyboard.text(ctx.t("courses:button_schedule"), data.mine());
  return { text: lines.join("\n"), keyboard };
}

function confirmDropView(ctx: BotContext, session: SessionView, back: Back): View {
  return {
    text: ctx.t("courses:drop_confirm", { title: escapeHtml(session.title), when: when(ctx, session) }),
    keyboard: new InlineKeyboard()
      .text(ctx.t("courses:button_drop_yes"), data.dropYes(session.id, back))
      .row()
      .text(ctx.t("courses:button_drop_no"), data.show(session.id, back)),
  };
}

async function scheduleView(ctx: BotContext, memberId: number): Promise<View> {
  const items = await memberSchedule(ctx.deps.db, memberId, now(ctx), ctx.language);
  const keyboard = new InlineKeyboard();
  if (items.length === 0) {
    keyboard.text(ctx.t("courses:button_see_courses"), data.list(0));
    return { text: ctx.t("courses:schedule_empty"), keyboard };
  }
  const lines = [ctx.t("courses:schedule_title")];
  for (const item of items.slice(0, SCHEDULE_SHOWN)) {
    lines.push(
      "",
      ctx.t("courses:schedule_line", {
        when: formatRomeDateTime(item.startsAt),
        title: escapeHtml(item.title),
      }),
      `📍 ${place(item)}`,
    );
    keyboard.text(sessionButton(item), data.show(item.id, "m")).row();
  }
  if (items.length > SCHEDULE_SHOWN) {
    lines.push("", ctx.t("courses:schedule_more", { count: items.length - SCHEDULE_SHOWN }));
  }
  lines.push("", ctx.t("courses:schedule_hint"));
  keyboard.text(ctx.t("courses:button_ics"), data.ics()).row();
  keyboard.text(ctx.t("courses:button_back_list"), data.list(0));
  return { text: lines.join("\n"), keyboard };
}

/**
 * Shows a view in place of the message whose button was pressed. Pressing the same button twice
 * quickly asks for the same content twice; Telegram refuses that edit, and nothing is lost.
 */
async function showInPlace(ctx: BotContext, view: View): Promise<void> {
  if (!ctx.callbackQuery?.message) {
    await ctx.reply(view.text, { reply_markup: view.keyboard });
    return;
  }
  try {
    await ctx.editMessageText(view.text, { reply_markup: view.keyboard });
  } catch (error) {
    if (error instanceof GrammyError && error.description.includes("message is not modified")) return;
    throw error;
  }
}

async function sendCalendar(ctx: BotContext, memberId: number): Promise<void> {
  const items = await memberSchedule(ctx.deps.db, memberId, now(ctx), ctx.language);
  if (items.length === 0) {
    await ctx.answerCallbackQuery({ text: ctx.t("courses:toast_no_schedule") });
    return;
  }
  await ctx.answerCallbackQuery();
  const ics = buildCalendar({
    name: ctx.t("courses:ics_name"),
    now: now(ctx),
    events: items.map((item) => ({
      uid: enrolmentUid(item.enrolmentId),
      start: item.startsAt,
      end: item.endsAt,
      summary: item.title,
      description: item.description,
      location: `${item.location}, ${item.municipality}`,
      alarm: ctx.t("courses:ics_alarm", { title: item.title }),
    })),
  });
  await ctx.replyWithDocument(new InputFile(Buffer.from(ics, "utf8"), ICS_FILE_NAME), {
    caption: ctx.t("courses:ics_caption"),
  });
}

/** A session's details as this member sees them now (place, waiting list, offer), or null when gone. */
async function freshDetail(
  ctx: BotContext,
  sessionId: number,
  memberId: number,
  back: Back,
): Promise<View | null> {
  const session = await findSession(ctx.deps.db, sessionId, memberId, ctx.language);
  if (!session) return null;
  const wait = session.mine ? null : await waitingState(ctx.deps.db, sessionId, memberId, now(ctx));
  return detailView(ctx, session, back, wait);
}

/** /courses: the courses on offer, first page (also what "quando c'è il corso?" gets). */
export async function showCourses(ctx: BotContext): Promise<void> {
  if (!ctx.member?.household) {
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  const view = await listView(ctx, 0);
  await ctx.reply(view.text, { reply_markup: view.keyboard });
}

coursesFeature.chatType("private").command("courses", showCourses);

coursesFeature.callbackQuery(/^courses:/, async (ctx) => {
  const match = CALLBACK.exec(ctx.callbackQuery.data);
  const action = match?.[1];
  const id = match?.[2] === undefined ? undefined : Number(match[2]);
  const backRaw = match?.[3];
  const back: Back | undefined = backRaw === undefined ? undefined : backRaw === "m" ? "m" : Number(backRaw);
  const needsSession =
    action === "show" ||
    action === "enrol" ||
    action === "drop" ||
    action === "dropyes" ||
    action === "wait" ||
    action === "accept";
  const member = ctx.member;
  if (!action || (needsSession && (id === undefined || back === undefined))) {
    await ctx.answerCallbackQuery({ text: ctx.t("fallback.old_button") });
    return;
  }
  if (!member?.household) {
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  const { db } = ctx.deps;

  if (action === "list") {
    await ctx.answerCallbackQuery();
    await showInPlace(ctx, await listView(ctx, id ?? 0));
    return;
  }
  if (action === "mine") {
    await ctx.answerCallbackQuery();
    await showInPlace(ctx, await scheduleView(ctx, member.id));
    return;
  }
  if (action === "ics") {
    await sendCalendar(ctx, member.id);
    return;
  }

  // The rest act on one session (id and back were checked above).
  const sessionId = id as number;
  const from = back as Back;
  const session = await findSession(db, sessionId, member.id, ctx.language);
  if (!session) {
    await ctx.answerCallbackQuery({ text: ctx.t("courses:toast_gone") });
    return;
  }

  switch (action) {
    case "show": {
      // Made before answering the press, so the message changes as soon as the press is answered.
      const view = await freshDetail(ctx, sessionId, member.id, from);
      await ctx.answerCallbackQuery();
      if (view) await showInPlace(ctx, view);
      return;
    }
    case "wait": {
      const result = await joinWaitingList(db, { sessionId, memberId: member.id, now: now(ctx) });
      ctx.logger.info({ sessionId, result: result.status }, "course waiting list");
      const toast = {
        waiting: "courses:toast_waiting",
        already_waiting: "courses:toast_waiting_already",
        enrolled: "courses:toast_already",
        offered: "courses:toast_offered",
        has_places: "courses:toast_places_free",
        started: "courses:toast_started",
        not_found: "courses:toast_gone",
      }[result.status];
      const view =
        result.status === "already_waiting" || result.status === "not_found"
          ? null
          : await freshDetail(ctx, sessionId, member.id, from);
      await ctx.answerCallbackQuery({ text: ctx.t(toast) });
      if (view) await showInPlace(ctx, view);
      return;
    }
    case "accept": {
      const result = await acceptOffer(db, { sessionId, memberId: member.id, now: now(ctx) });
      ctx.logger.info({ sessionId, result: result.status }, "course place offered: answer");
      const toast = {
        enrolled: "courses:toast_enrolled",
        already: "courses:toast_already",
        expired: "courses:toast_offer_expired",
        not_offered: "courses:toast_offer_expired",
        not_found: "courses:toast_gone",
      }[result.status];
      const view = result.status === "not_found" ? null : await freshDetail(ctx, sessionId, member.id, from);
      await ctx.answerCallbackQuery({ text: ctx.t(toast), show_alert: result.status !== "enrolled" });
      if (view) await showInPlace(ctx, view);
      return;
    }
    case "enrol": {
      const result = await enrol(db, { sessionId, memberId: member.id, now: now(ctx) });
      ctx.logger.info({ sessionId, result: result.status }, "course enrolment");
      const toast = {
        enrolled: "courses:toast_enrolled",
        already: "courses:toast_already",
        full: "courses:toast_full",
        started: "courses:toast_started",
        not_found: "courses:toast_gone",
      }[result.status];
      // "Already" is a second press on the same button: the first one has updated the message.
      const view =
        result.status === "already" || result.status === "not_found"
          ? null
          : await freshDetail(ctx, sessionId, member.id, from);
      await ctx.answerCallbackQuery({ text: ctx.t(toast), show_alert: result.status === "full" });
      if (view) await showInPlace(ctx, view);
      return;
    }
    case "drop": {
      if (started(ctx, session)) {
        await ctx.answerCallbackQuery({ text: ctx.t("courses:toast_started") });
        return;
      }
      if (!session.mine) {
        // On the waiting list, or a place offered: leaving needs no confirmation.
        const wait = await waitingState(db, sessionId, member.id, now(ctx));
        if (!wait) {
          await ctx.answerCallbackQuery({ text: ctx.t("courses:toast_not_enrolled") });
          return;
        }
        const left = await cancelEnrolment(db, { sessionId, memberId: member.id, now: now(ctx) });
        await tellOffers(ctx.deps, left.offers ?? []);
        const view = await freshDetail(ctx, sessionId, member.id, from);
        await ctx.answerCallbackQuery({ text: ctx.t("courses:toast_left_wait") });
        if (view) await showInPlace(ctx, view);
        return;
      }
      await ctx.answerCallbackQuery();
      await showInPlace(ctx, confirmDropView(ctx, session, from));
      return;
    }
    case "dropyes": {
      const result = await cancelEnrolment(db, { sessionId, memberId: member.id, now: now(ctx) });
      ctx.logger.info({ sessionId, result: result.status }, "course enrolment cancelled");
      const toast = {
        cancelled: "courses:toast_cancelled",
        not_enrolled: "courses:toast_not_enrolled",
        started: "courses:toast_started",
        not_found: "courses:toast_gone",
      }[result.status];
      // The place given back goes at once to the first one waiting, told in the bot.
      await tellOffers(ctx.deps, result.offers ?? []);
      const view =
        result.status === "not_enrolled" || result.status === "not_found"
          ? null
          : await freshDetail(ctx, sessionId, member.id, from);
      await ctx.answerCallbackQuery({ text: ctx.t(toast) });
      if (view) await showInPlace(ctx, view);
      return;
    }
  }
});
