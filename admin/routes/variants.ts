// Reminder wording tests (core/variants/): coordinators and admins create, follow and stop them;
// operators have no access (the texts are the programme's, as in the content area). No office scope:
// a test runs on every household's reminders, and its figures are counts only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { placeholdersOf } from "../../core/content/check.ts";
import { referenceText } from "../../core/content/store.ts";
import { defaultText, SUPPORTED_LANGUAGES } from "../../core/i18n.ts";
import {
  CONTROL,
  createExperiment,
  findExperiment,
  itemOfKind,
  listExperiments,
  stopExperiment,
  TESTABLE_KINDS,
  type TestableKind,
  VARIANT_LABELS,
} from "../../core/variants/experiments.ts";
import { experimentResults } from "../../core/variants/results.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { type NewView, variantsDetailPage, variantsListPage, variantsNewPage } from "../views/variants.ts";

function placeholders(): Record<TestableKind, string[]> {
  return Object.fromEntries(
    TESTABLE_KINDS.map((kind) => [kind, placeholdersOf(referenceText(itemOfKind(kind)) ?? "")]),
  ) as Record<TestableKind, string[]>;
}

/** The form's texts: fields "text.<variant index>.<language>", only known indexes and languages. */
function textsOf(body: Record<string, unknown>): Record<string, string>[] {
  return VARIANT_LABELS.map((_, index) => {
    const out: Record<string, string> = {};
    for (const language of SUPPORTED_LANGUAGES) {
      const value = body[`text.${index}.${language}`];
      if (typeof value === "string" && value.length <= 20_000) out[language] = value;
    }
    return out;
  });
}

export function variantRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, auth, clock } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");
  const notFound = (request: FastifyRequest, reply: FastifyReply) => sendNotFound(request, reply, demo);

  const newPage = (request: FastifyRequest, reply: FastifyReply, over: Partial<NewView>, status = 200) =>
    sendHtml(
      reply,
      variantsNewPage(pageInfo(request, demo), {
        kind: "inst-due",
        texts: [],
        problems: [],
        placeholders: placeholders(),
        languages: SUPPORTED_LANGUAGES,
        ...over,
      }),
      status,
    );

  async function detail(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    over: { notice?: "created" | "stopped"; error?: "stopped" | "label" | "invalid" },
    status = 200,
  ): Promise<FastifyReply> {
    const experiment = await findExperiment(db, id);
    if (!experiment) return notFound(request, reply);
    const results = await experimentResults(db, experiment.id, experiment.labels, clock.now());
    // The control as households read it now: staff's Italian text if any, else the shipped one.
    const own = await db.contentText.findUnique({
      where: {
        namespace_key_language: { namespace: "reminders", key: `text.${experiment.kind}`, language: "it" },
      },
      select: { text: true },
    });
    const control = own?.text ?? defaultText("it", "reminders", `text.${experiment.kind}`) ?? null;
    return sendHtml(
      reply,
      variantsDetailPage(pageInfo(request, demo), {
        experiment,
        results: results.variants,
        mixed: results.mixed,
        control,
        ...over,
      }),
      status,
    );
  }

  app.get("/variants", { preHandler: allowed }, async (request, reply) =>
    sendHtml(reply, variantsListPage(pageInfo(request, demo), { experiments: await listExperiments(db) })),
  );

  app.get("/variants/new", { preHandler: allowed }, async (request, reply) => newPage(request, reply, {}));

  app.post("/variants", { preHandler: allowed }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const kind = typeof body.kind === "string" ? body.kind : "";
    const texts = textsOf(body);
    const created = await createExperiment(db, sessionOf(request).staffId, kind, texts);
    if (!created.ok) return newPage(request, reply, { kind, texts, problems: created.problems }, 400);
    return reply.redirect(`/variants/${created.id}?notice=created`, 303);
  });

  app.get("/variants/:id", { preHandler: allowed }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    if (id === null) return notFound(request, reply);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const notice = query.notice === "created" || query.notice === "stopped" ? query.notice : undefined;
    return detail(request, reply, id, notice ? { notice } : {});
  });

  app.post("/variants/:id/stop", { preHandler: allowed }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    if (id === null) return notFound(request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const keep = typeof body.keep === "string" ? body.keep : CONTROL;
    const stopped = await stopExperiment(db, clock, sessionOf(request).staffId, id, keep);
    if (!stopped.ok) {
      if (stopped.reason === "notFound") return notFound(request, reply);
      return detail(request, reply, id, { error: stopped.reason }, stopped.reason === "label" ? 400 : 409);
    }
    return reply.redirect(`/variants/${id}?notice=stopped`, 303);
  });
}
