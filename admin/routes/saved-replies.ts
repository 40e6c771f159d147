// Saved replies, kept by coordinators and admins (operators use them on case pages).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  checkSavedReply,
  createSavedReply,
  deleteSavedReply,
  getSavedReply,
  isSavedReplyLanguage,
  listSavedReplies,
  restoreSavedReply,
  savedReplyHistory,
  updateSavedReply,
} from "../../core/saved-replies.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, idParam, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { savedRepliesPage, savedReplyFormPage } from "../views/saved-replies.ts";

export function savedReplyRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");
  const notFound = (request: FastifyRequest, reply: FastifyReply) => sendNotFound(request, reply, demo);
  const NOTICES = ["created", "updated", "deleted"] as const;

  app.get("/saved-replies", { preHandler: allowed }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const language = isSavedReplyLanguage(query.language) ? query.language : undefined;
    const notice = NOTICES.find((n) => n === query.notice);
    const replies = await listSavedReplies(db, language);
    return sendHtml(reply, savedRepliesPage(pageInfo(request, demo), { replies, language, notice }));
  });

  app.get("/saved-replies/new", { preHandler: allowed }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const language = isSavedReplyLanguage(query.language) ? query.language : "it";
    return sendHtml(
      reply,
      savedReplyFormPage(pageInfo(request, demo), { value: { language, title: "", body: "" }, problems: [] }),
    );
  });

  app.post("/saved-replies", { preHandler: allowed }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const checked = checkSavedReply(body);
    if (!checked.ok) {
      return sendHtml(
        reply,
        savedReplyFormPage(pageInfo(request, demo), { value: typed(body), problems: checked.problems }),
        400,
      );
    }
    await createSavedReply(db, sessionOf(request).staffId, checked.value);
    return reply.redirect(`/saved-replies?language=${checked.value.language}&notice=created`, 303);
  });

  app.get("/saved-replies/:id", { preHandler: allowed }, async (request, reply) => {
    const id = idParam(request);
    const found = id === null ? null : await getSavedReply(db, id);
    if (!found) return notFound(request, reply);
    const restored = ((request.query ?? {}) as Record<string, unknown>).notice === "restored";
    return sendHtml(
      reply,
      savedReplyFormPage(pageInfo(request, demo), {
        id: found.id,
        value: found,
        problems: [],
        history: await savedReplyHistory(db, found.id),
        restored,
      }),
    );
  });

  app.post("/saved-replies/:id", { preHandler: allowed }, async (request, reply) => {
    const id = idParam(request);
    if (id === null || !(await getSavedReply(db, id))) return notFound(request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const checked = checkSavedReply(body);
    if (!checked.ok) {
      return sendHtml(
        reply,
        savedReplyFormPage(pageInfo(request, demo), {
          id,
          value: typed(body),
          problems: checked.problems,
          history: await savedReplyHistory(db, id),
        }),
        400,
      );
    }
    if (!(await updateSavedReply(db, sessionOf(request).staffId, id, checked.value)))
      return notFound(request, reply);
    return reply.redirect(`/saved-replies?language=${checked.value.language}&notice=updated`, 303);
  });

  // Undo: an earlier version comes back, as a change of its own (audited, kept in the history).
  app.post("/saved-replies/:id/restore", { preHandler: allowed }, async (request, reply) => {
    const id = idParam(request);
    const version = idOf(((request.body ?? {}) as Record<string, unknown>).version);
    if (
      id === null ||
      version === null ||
      !(await restoreSavedReply(db, sessionOf(request).staffId, id, version))
    ) {
      return notFound(request, reply);
    }
    return reply.redirect(`/saved-replies/${id}?notice=restored`, 303);
  });

  app.post("/saved-replies/:id/delete", { preHandler: allowed }, async (request, reply) => {
    const id = idParam(request);
    if (id === null || !(await deleteSavedReply(db, sessionOf(request).staffId, id))) {
      return notFound(request, reply);
    }
    return reply.redirect("/saved-replies?notice=deleted", 303);
  });
}

/** What was typed, kept for the form shown again. */
function typed(body: Record<string, unknown>): { language: string; title: string; body: string } {
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return { language: text(body.language), title: text(body.title), body: text(body.body) };
}
