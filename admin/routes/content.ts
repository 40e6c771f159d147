// The content area (core/content/): coordinators and admins edit the texts households read; operators
// have no access (the texts are the programme's, not a caseload's; they use saved replies on case
// pages). Texts are the programme's, so no office scope: every coordinator edits the same ones.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  type ContentProblem,
  placeholdersOf,
  renderForPreview,
  withSamples,
} from "../../core/content/check.ts";
import { CONTENT_FAMILIES, type ContentItem, isContentFamily } from "../../core/content/families.ts";
import {
  contentHistory,
  familyStates,
  findItem,
  itemState,
  missingTranslations,
  referenceText,
  restoreContentVersion,
  saveContentText,
} from "../../core/content/store.ts";
import { SUPPORTED_LANGUAGES } from "../../core/i18n.ts";
import { htmlProblemOf } from "../../core/telegram-html-problems.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import {
  contentEditPage,
  contentFamilyPage,
  contentHomePage,
  contentMissingPage,
  type EditView,
  editHref,
} from "../views/content.ts";

const NOTICES = ["saved", "reset", "restored"] as const;

export function contentRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");
  const notFound = (request: FastifyRequest, reply: FastifyReply) => sendNotFound(request, reply, demo);

  /** The item and language a request names (query or form), or null when either is not ours. */
  async function target(
    fields: Record<string, unknown>,
  ): Promise<{ item: ContentItem; language: string } | null> {
    const id = typeof fields.item === "string" ? fields.item : "";
    const language = typeof fields.language === "string" ? fields.language : "";
    if (!SUPPORTED_LANGUAGES.includes(language) || id.length > 200) return null;
    const item = await findItem(db, id);
    return item ? { item, language } : null;
  }

  async function editPage(
    request: FastifyRequest,
    reply: FastifyReply,
    item: ContentItem,
    language: string,
    over: Partial<EditView> & { text?: string },
    status = 200,
  ): Promise<FastifyReply> {
    const state = await itemState(db, item);
    const text = over.text ?? state.languages.find((l) => l.language === language)?.text ?? "";
    const view: EditView = {
      state,
      language,
      text,
      placeholders: placeholdersOf(referenceText(item) ?? ""),
      problems: [],
      preview: text === "" ? null : renderForPreview(item, text),
      history: await contentHistory(db, item, language),
      ...over,
    };
    return sendHtml(reply, contentEditPage(pageInfo(request, demo), view), status);
  }

  app.get("/content", { preHandler: allowed }, async (request, reply) => {
    const families = [];
    let missing = 0;
    for (const family of CONTENT_FAMILIES) {
      const states = await familyStates(db, family);
      const count = (status: string) =>
        states.reduce((n, s) => n + s.languages.filter((l) => l.status === status).length, 0);
      missing += count("missing");
      families.push({ family, texts: states.length, own: count("own"), missing: count("missing") });
    }
    return sendHtml(reply, contentHomePage(pageInfo(request, demo), { families, missing }));
  });

  app.get("/content/missing", { preHandler: allowed }, async (request, reply) => {
    return sendHtml(
      reply,
      contentMissingPage(pageInfo(request, demo), { missing: await missingTranslations(db) }),
    );
  });

  app.get("/content/edit", { preHandler: allowed }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const found = await target(query);
    if (!found) return notFound(request, reply);
    const notice = NOTICES.find((n) => n === query.notice);
    return editPage(request, reply, found.item, found.language, { notice });
  });

  app.get("/content/:family", { preHandler: allowed }, async (request, reply) => {
    const { family } = request.params as { family: string };
    if (!isContentFamily(family)) return notFound(request, reply);
    return sendHtml(
      reply,
      contentFamilyPage(pageInfo(request, demo), { family, states: await familyStates(db, family) }),
    );
  });

  app.post("/content/edit", { preHandler: allowed }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const found = await target(body);
    if (!found) return notFound(request, reply);
    const text = typeof body.text === "string" ? body.text : "";
    if (body.action === "preview") {
      // Shown, not saved; a text Telegram would refuse says why, as saving would.
      const preview = renderForPreview(found.item, text);
      const problems: ContentProblem[] = preview.ok
        ? []
        : [{ code: "html", problem: htmlProblemOf(withSamples(text), preview.reason) }];
      return editPage(request, reply, found.item, found.language, { text, preview, problems });
    }
    const saved = await saveContentText(db, sessionOf(request).staffId, found.item, found.language, text);
    if (!saved.ok) {
      const preview = renderForPreview(found.item, text);
      return editPage(
        request,
        reply,
        found.item,
        found.language,
        { text, problems: saved.problems, preview: preview.ok ? preview : null },
        400,
      );
    }
    return reply.redirect(`${editHref(found.item, found.language)}&notice=saved`, 303);
  });

  app.post("/content/reset", { preHandler: allowed }, async (request, reply) => {
    const found = await target((request.body ?? {}) as Record<string, unknown>);
    if (!found) return notFound(request, reply);
    await saveContentText(db, sessionOf(request).staffId, found.item, found.language, null);
    return reply.redirect(`${editHref(found.item, found.language)}&notice=reset`, 303);
  });

  app.post("/content/restore", { preHandler: allowed }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const found = await target(body);
    const version = idOf(body.version);
    if (!found || version === null) return notFound(request, reply);
    const restored = await restoreContentVersion(
      db,
      sessionOf(request).staffId,
      found.item,
      found.language,
      version,
    );
    if (!restored) return notFound(request, reply);
    if (!restored.ok) {
      return editPage(
        request,
        reply,
        found.item,
        found.language,
        { problems: restored.problems, restoring: true },
        400,
      );
    }
    return reply.redirect(`${editHref(found.item, found.language)}&notice=restored`, 303);
  });
}
