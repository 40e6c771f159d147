// A broadcast's optional button: "see the course and enrol", opening a coming session of a course in
// the bot, where the member enrols (or joins its waiting list) as from /courses. The markup is made
// here, per member language, and kept on the Broadcast row: the fan-out copies it to each message, so
// the delivery job carries nothing but the message's id.
import type { Db, Prisma } from "../db/client.ts";
import { SUPPORTED_LANGUAGES, translator } from "../i18n.ts";

export type ButtonSession = { id: number; courseId: number; title: string; startsAt: Date; location: string };

/** The coming sessions (not cancelled) of these courses, soonest first: what a button may open. */
export async function buttonSessions(db: Db, courseIds: number[], now: Date): Promise<ButtonSession[]> {
  if (courseIds.length === 0) return [];
  const sessions = await db.courseSession.findMany({
    where: { courseId: { in: courseIds }, cancelledAt: null, startsAt: { gt: now } },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    select: { id: true, courseId: true, startsAt: true, location: true, course: { select: { title: true } } },
    take: 200,
  });
  return sessions.map((s) => ({
    id: s.id,
    courseId: s.courseId,
    title: s.course.title,
    startsAt: s.startsAt,
    location: s.location,
  }));
}

/**
 * The bot's own button data for a session's details (bot/features/courses.ts: `courses:show:ID:BACK`,
 * back to the list's first page). Written out here because core does not import the bot; the
 * end-to-end test presses it in the sandbox.
 */
export function courseCallbackData(sessionId: number): string {
  return `courses:show:${sessionId}:0`;
}

export type ReplyMarkup = { inline_keyboard: { text: string; callback_data: string }[][] };

/** reply_markup per supported language: one button, worded in the member's language. */
export function courseButtons(sessionId: number): Record<string, ReplyMarkup> & Prisma.InputJsonObject {
  const markups: Record<string, ReplyMarkup> = {};
  for (const lang of SUPPORTED_LANGUAGES) {
    markups[lang] = {
      inline_keyboard: [
        [
          {
            text: translator(lang, "broadcasts")("button.course"),
            callback_data: courseCallbackData(sessionId),
          },
        ],
      ],
    };
  }
  return markups as Record<string, ReplyMarkup> & Prisma.InputJsonObject;
}
