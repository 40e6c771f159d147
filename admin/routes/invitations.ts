// Invitation letters (core/invitations): /invitations chooses a selection of households and answers
// the PDF as a download; POST /households/:id/invitation prints one household's letter. Coordinators
// and admins, like the rest of a household's access in Telegram (routes/household-access.ts):
// operators get 403. Every query is limited to the households the person sees (visibleHouseholds): a
// household of another office answers 404, like a missing one, and no code is issued.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  type InvitationResult,
  invitationMunicipalities,
  issueInvitations,
  MAX_INVITATIONS,
} from "../../core/invitations/issue.ts";
import { canSeeHousehold } from "../../core/offices/scope.ts";
import { romeToday } from "../../core/time.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { type InvitationsForm, invitationsPage } from "../views/invitations.ts";

export type InvitationOptions = {
  /** BOT_USERNAME (or, in the demo, the sandbox bot's): without it no letter is printed. */
  botUsername: string | undefined;
  authorityContact: string | undefined;
};

function sendPdf(reply: FastifyReply, pdf: Buffer, filename: string): FastifyReply {
  return reply
    .code(200)
    .header("content-type", "application/pdf")
    .header("content-disposition", `attachment; filename="${filename}"`)
    .header("cache-control", "no-store")
    .send(pdf);
}

export function invitationRoutes(app: FastifyInstance, ctx: AdminContext, options: InvitationOptions): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");
  const today = () => romeToday(clock.now()).toISOString().slice(0, 10);

  async function showPage(
    request: FastifyRequest,
    reply: FastifyReply,
    chosen: Pick<InvitationsForm, "municipality" | "onlyUnlinked" | "problem">,
    status = 200,
  ): Promise<FastifyReply> {
    const municipalities = await invitationMunicipalities(db, sessionOf(request));
    return sendHtml(
      reply,
      invitationsPage(pageInfo(request, demo), {
        ...chosen,
        municipalities,
        max: MAX_INVITATIONS,
        botConfigured: options.botUsername !== undefined,
      }),
      status,
    );
  }

  app.get("/invitations", { preHandler: allowed }, async (request, reply) =>
    showPage(request, reply, { municipality: "", onlyUnlinked: true }),
  );

  app.post("/invitations", { preHandler: allowed }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const municipality = typeof body.municipality === "string" ? body.municipality : "";
    const onlyUnlinked = body.onlyUnlinked === "1";
    const chosen = { municipality, onlyUnlinked };
    const botUsername = options.botUsername;
    if (botUsername === undefined) return showPage(request, reply, chosen, 409);
    const scope = sessionOf(request);
    if (municipality !== "") {
      // Only a municipality of the households this person sees: anything else issues nothing.
      const known = await invitationMunicipalities(db, scope);
      if (!known.some((m) => m.municipality === municipality)) {
        return showPage(request, reply, { ...chosen, problem: { key: "unknownMunicipality" } }, 400);
      }
    }
    const result: InvitationResult = await issueInvitations(
      { db, clock },
      scope,
      { kind: "batch", municipality: municipality === "" ? null : municipality, onlyUnlinked },
      { botUsername, authorityContact: options.authorityContact },
    );
    if (result.status === "empty")
      return showPage(request, reply, { ...chosen, problem: { key: "empty" } }, 400);
    if (result.status === "tooMany") {
      return showPage(request, reply, { ...chosen, problem: { key: "tooMany", count: result.count } }, 400);
    }
    return sendPdf(reply, result.pdf, `bussola-inviti-${today()}.pdf`);
  });

  app.post("/households/:id/invitation", { preHandler: allowed }, async (request, reply) => {
    const householdId = idOf((request.params as { id?: string }).id);
    // Another office's household is not there at all, whatever the configuration.
    if (householdId === null || !(await canSeeHousehold(db, sessionOf(request), householdId))) {
      return sendNotFound(request, reply, demo);
    }
    const botUsername = options.botUsername;
    if (botUsername === undefined)
      return showPage(request, reply, { municipality: "", onlyUnlinked: true }, 409);
    const result = await issueInvitations(
      { db, clock },
      sessionOf(request),
      { kind: "one", householdId },
      { botUsername, authorityContact: options.authorityContact },
    );
    if (result.status !== "ready") return sendNotFound(request, reply, demo);
    return sendPdf(reply, result.pdf, `bussola-invito-${householdId}-${today()}.pdf`);
  });
}
