// /broadcasts: coordinators (their office's households) and admins (every office) compose a message to
// a group of households, see it as Telegram will, send a test to their own Telegram, confirm with the
// count repeated, then follow its progress and cancel it. The same core as the CLI
// (core/broadcasts/broadcasts.ts) and the one delivery path. Operators get 403; a broadcast of another
// office answers 404, like one that does not exist.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeAudience } from "../../core/broadcasts/audience.ts";
import { cancelBroadcast, createBroadcast } from "../../core/broadcasts/broadcasts.ts";
import { courseButtons } from "../../core/broadcasts/buttons.ts";
import {
  type ComposeChoices,
  type ComposeProblem,
  type ComposeValue,
  checkCompose,
  composeChoices,
  composeCount,
  composeValue,
} from "../../core/broadcasts/compose.ts";
import { broadcastHistory, progressOf, visibleBroadcast } from "../../core/broadcasts/history.ts";
import { sendBroadcastTest } from "../../core/broadcasts/test-send.ts";
import { translator } from "../../core/i18n.ts";
import { type BroadcastQueue, queueFanOut } from "../../core/queues/broadcasts.ts";
import type { DeliveryQueue } from "../../core/queues/delivery.ts";
import type { QuietHours } from "../../core/quiet-hours.ts";
import { sessionOf } from "../auth.ts";
import type { BroadcastLive } from "../broadcast-live.ts";
import { type AdminContext, idParam, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import {
  audienceLabel,
  broadcastPage,
  type CourseNames,
  composePage,
  confirmPage,
  historyPage,
} from "../views/broadcasts.ts";

const NOTICES = ["created", "cancelled", "alreadyOver"];

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

const EMPTY: ComposeValue = {
  kind: "",
  municipality: "",
  course: "",
  amount: "",
  texts: {},
  when: "now",
  at: "",
  button: "",
};

export function broadcastRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  options: {
    deliveryQueue: DeliveryQueue | undefined;
    broadcastQueue: BroadcastQueue | undefined;
    quietHours: QuietHours;
    live: BroadcastLive;
  },
): void {
  const { db, clock, auth, logger } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");
  const quiet = options.quietHours
    ? `${hhmm(options.quietHours.startMinute)}–${hhmm(options.quietHours.endMinute)}`
    : null;
  const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
  const actor = (request: FastifyRequest) => ({
    actorType: "staff" as const,
    actorId: sessionOf(request).staffId,
  });

  async function courseNames(): Promise<CourseNames> {
    const courses = await db.course.findMany({ select: { code: true, title: true } });
    return new Map(courses.map((c) => [c.code, c.title]));
  }

  function showForm(
    request: FastifyRequest,
    reply: FastifyReply,
    value: ComposeValue,
    choices: ComposeChoices,
    problems: readonly ComposeProblem[],
  ) {
    return sendHtml(
      reply,
      composePage(pageInfo(request, demo), { value, choices, problems, quietHours: quiet }),
      problems.length > 0 ? 400 : 200,
    );
  }

  /** The confirm step: everything checked and counted again, nothing saved. */
  async function showConfirm(
    request: FastifyRequest,
    reply: FastifyReply,
    testNotice?: "sent" | "notLinked",
  ): Promise<FastifyReply> {
    const staff = sessionOf(request);
    const now = clock.now();
    const value = composeValue(body(request));
    const choices = await composeChoices(db, staff, now);
    const checked = await checkCompose(db, staff, value, { now, quietHours: options.quietHours, choices });
    if (!checked.ok) return showForm(request, reply, value, choices, checked.problems);
    const page = pageInfo(request, demo);
    const linked = await db.staff.findUnique({
      where: { id: staff.staffId },
      select: { telegramUserId: true },
    });
    const button = choices.sessions.find((s) => s.id === checked.ready.buttonSessionId) ?? null;
    return sendHtml(
      reply,
      confirmPage(page, {
        value,
        ready: checked.ready,
        plan: checked.plan,
        now,
        audience: audienceLabel(page, describeAudience(checked.ready.audience), await courseNames()),
        button,
        buttonLabel: (lang) => translator(lang, "broadcasts")("button.course"),
        quietHours: quiet,
        telegramLinked: linked?.telegramUserId != null,
        ...(testNotice ? { testNotice } : {}),
      }),
      testNotice === "notLinked" ? 400 : 200,
    );
  }

  app.get("/broadcasts", { preHandler: allowed }, async (request, reply) => {
    const rows = await broadcastHistory(db, sessionOf(request));
    return sendHtml(reply, historyPage(pageInfo(request, demo), { rows, courses: await courseNames() }));
  });

  app.get("/broadcasts/new", { preHandler: allowed }, async (request, reply) => {
    const choices = await composeChoices(db, sessionOf(request), clock.now());
    return showForm(request, reply, EMPTY, choices, []);
  });

  // "Edit" from the confirm step: the form again, filled.
  app.post("/broadcasts/new", { preHandler: allowed }, async (request, reply) => {
    const choices = await composeChoices(db, sessionOf(request), clock.now());
    return showForm(request, reply, composeValue(body(request)), choices, []);
  });

  // The live count of the compose form (its script asks as the audience changes).
  app.get("/broadcasts/count", { preHandler: allowed }, async (request, reply) => {
    const staff = sessionOf(request);
    const value = composeValue((request.query ?? {}) as Record<string, unknown>);
    const choices = await composeChoices(db, staff, clock.now());
    const counted = await composeCount(db, staff, value, choices);
    const t = translator(pageInfo(request, demo).lang, "broadcastsAdmin");
    if (!counted.ok) return reply.send({ ok: false, text: t("count.choose") });
    const parts = counted.counts.map((c) => `${c.language}: ${c.recipients}`).join(", ");
    return reply.send({
      ok: true,
      total: counted.total,
      byLanguage: Object.fromEntries(counted.counts.map((c) => [c.language, c.recipients])),
      text:
        counted.total === 0 ? t("count.none") : `${t("count.total", { count: counted.total })} (${parts})`,
    });
  });

  app.post("/broadcasts/preview", { preHandler: allowed }, async (request, reply) =>
    showConfirm(request, reply),
  );

  app.post("/broadcasts/test", { preHandler: allowed }, async (request, reply) => {
    const staff = sessionOf(request);
    const now = clock.now();
    const value = composeValue(body(request));
    const choices = await composeChoices(db, staff, now);
    const checked = await checkCompose(db, staff, value, { now, quietHours: options.quietHours, choices });
    if (!checked.ok) return showForm(request, reply, value, choices, checked.problems);
    if (!options.deliveryQueue) throw new Error("the admin server was started without the delivery queue");
    const wanted =
      typeof body(request).test_language === "string" ? String(body(request).test_language) : "it";
    const language = checked.ready.texts[wanted] === undefined ? "it" : wanted;
    const result = await sendBroadcastTest(
      { db, deliveryQueue: options.deliveryQueue },
      {
        staffId: staff.staffId,
        language,
        text: checked.ready.texts[language] as string,
        ...(checked.ready.buttonSessionId === null
          ? {}
          : { replyMarkup: courseButtons(checked.ready.buttonSessionId)[language] }),
      },
    );
    return showConfirm(request, reply, result.ok ? "sent" : "notLinked");
  });

  app.post("/broadcasts", { preHandler: allowed }, async (request, reply) => {
    const staff = sessionOf(request);
    const now = clock.now();
    const value = composeValue(body(request));
    const choices = await composeChoices(db, staff, now);
    const checked = await checkCompose(db, staff, value, { now, quietHours: options.quietHours, choices });
    if (!checked.ok) return showForm(request, reply, value, choices, checked.problems);
    const { ready } = checked;
    const created = await createBroadcast(db, {
      audience: ready.audience,
      texts: ready.texts,
      at: ready.at,
      now,
      quietHours: options.quietHours,
      actor: actor(request),
      createdByStaffId: staff.staffId,
      officeId: ready.officeId,
      parseMode: "HTML",
      ...(ready.buttonSessionId === null ? {} : { buttons: courseButtons(ready.buttonSessionId) }),
    });
    // Emptied between the confirm step and now (the last member unlinked): said as at the first step.
    if (!created.ok || created.broadcastId === null)
      return showForm(request, reply, value, choices, [{ field: "kind", code: "empty" }]);
    if (options.broadcastQueue) {
      // Redis down: the broadcast is recorded, and the workers' sweep queues it within a minute.
      await queueFanOut(options.broadcastQueue, created.broadcastId, created.plan.sendAt, now).catch(
        (error) =>
          logger.warn({ err: error, broadcastId: created.broadcastId }, "broadcast fan-out not queued"),
      );
    }
    return reply.redirect(`/broadcasts/${created.broadcastId}?notice=created`, 303);
  });

  app.get("/broadcasts/:id", { preHandler: allowed }, async (request, reply) => {
    const id = idParam(request);
    const view = id === null ? null : await visibleBroadcast(db, sessionOf(request), id);
    if (!view) return sendNotFound(request, reply, demo);
    const page = pageInfo(request, demo);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const notice = NOTICES.find((n) => n === query.notice);
    const count = typeof query.n === "string" && /^\d{1,7}$/.test(query.n) ? Number(query.n) : undefined;
    const row = await db.broadcast.findUnique({
      where: { id: view.id },
      select: { createdBy: { select: { email: true } } },
    });
    return sendHtml(
      reply,
      broadcastPage(page, {
        broadcast: view,
        progress: progressOf(view),
        audience: audienceLabel(page, view.audience, await courseNames()),
        createdBy: row?.createdBy?.email ?? null,
        ...(notice ? { notice } : {}),
        ...(count === undefined ? {} : { count }),
      }),
    );
  });

  app.get("/broadcasts/:id/progress", { preHandler: allowed }, async (request, reply) => {
    const id = idParam(request);
    const view = id === null ? null : await visibleBroadcast(db, sessionOf(request), id);
    if (!view) return reply.code(404).send({ ok: false });
    return reply.header("Cache-Control", "no-store").send(progressOf(view));
  });

  app.get("/broadcasts/:id/events", { preHandler: allowed }, async (request, reply) => {
    const id = idParam(request);
    const staff = sessionOf(request);
    const view = id === null ? null : await visibleBroadcast(db, staff, id);
    if (!view || id === null) return sendNotFound(request, reply, demo);
    const t = translator(pageInfo(request, demo).lang, "broadcastsAdmin");
    return options.live.stream(request, reply, async () => {
      const now = await visibleBroadcast(db, staff, id);
      return now ? { ...progressOf(now), label: t(`status.${now.status}`) } : null;
    });
  });

  app.post("/broadcasts/:id/cancel", { preHandler: allowed }, async (request, reply) => {
    const id = idParam(request);
    const view = id === null ? null : await visibleBroadcast(db, sessionOf(request), id);
    if (!view) return sendNotFound(request, reply, demo);
    const result = await cancelBroadcast(db, view.id, { now: clock.now(), actor: actor(request) });
    return reply.redirect(
      result.ok
        ? `/broadcasts/${view.id}?notice=cancelled&n=${result.cancelledMessages}`
        : `/broadcasts/${view.id}?notice=alreadyOver`,
      303,
    );
  });
}
