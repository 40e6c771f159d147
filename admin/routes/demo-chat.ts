// Demo mode only: admins chat with the bot as one of the demo households, through the Telegram
// sandbox's control API (over HTTP; production code never imports sandbox/). Linking is done here,
// server-side: the link code is issued and sent as the sandbox user's /start, and the page masks it
// (views/demo-chat.ts), so no code is ever shown to anyone.
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import { issueLinkCode } from "../../core/linking.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { createSandboxClient, SandboxError } from "../demo/sandbox-client.ts";
import {
  chatStatus,
  demoChatPage,
  demoListPage,
  replyKeyboardFragment,
  transcriptFragment,
} from "../views/demo-chat.ts";
import { householdSearch, listQuery } from "./households.ts";

/** The sandbox user this browser chats as, so returning to the demo continues the same chat. */
const DEMO_USER_COOKIE = "bussola_demo_user";
const DEMO_USER_MAX_AGE_S = 7 * 24 * 60 * 60;
const LIST_SIZE = 50;
const PROBLEMS = ["send", "press", "unreachable"] as const;
type Problem = (typeof PROBLEMS)[number];

type UserParams = { Params: { userId: string } };

function userIdOf(request: FastifyRequest<UserParams>): number | null {
  const raw = request.params.userId;
  return /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : null;
}

function problemOf(query: unknown): Problem | undefined {
  const value = (query as Record<string, unknown> | undefined)?.problem;
  return PROBLEMS.find((p) => p === value);
}

export function demoChatRoutes(app: FastifyInstance, ctx: AdminContext, sandboxUrl: string): void {
  const { db, clock, cookies, auth } = ctx;
  const sandbox = createSandboxClient(sandboxUrl);
  // Admins only: it issues link codes (operators and coordinators get 403).
  const staffOnly = { preHandler: auth.requireRole("admin") };

  const linkedHousehold = async (userId: number) =>
    (
      await db.member.findUnique({
        where: { telegramUserId: BigInt(userId) },
        select: { household: { select: { name: true, contractCode: true } } },
      })
    )?.household ?? null;

  const cookieUser = (request: FastifyRequest): number | null => {
    const value = cookies.read(request, DEMO_USER_COOKIE);
    return value && /^[1-9]\d{0,14}$/.test(value) ? Number(value) : null;
  };

  app.get("/demo/chat", staffOnly, async (request, reply) => {
    const { q } = listQuery(request.query);
    const households = await db.household.findMany({
      where: householdSearch(q),
      orderBy: { contractCode: "asc" },
      take: LIST_SIZE,
      select: { contractCode: true, name: true, municipality: true },
    });
    const problem = problemOf(request.query) === "unreachable" ? "unreachable" : undefined;
    const page = demoListPage(pageInfo(request, true), {
      households,
      query: q,
      currentUserId: cookieUser(request),
      ...(problem ? { problem } : {}),
    });
    return sendHtml(reply, page);
  });

  app.post("/demo/chat/start", staffOnly, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const contractCode = typeof body.contractCode === "string" ? body.contractCode.trim() : "";
    const household = contractCode
      ? await db.household.findUnique({ where: { contractCode }, select: { id: true, language: true } })
      : null;
    if (!household) {
      return sendNotFound(request, reply, true);
    }

    const newUser = async () =>
      (await sandbox.createUser({ firstName: "Demo", languageCode: household.language })).id;
    let userId = cookieUser(request);
    if (userId !== null) {
      // Another household gets a phone of its own: the remembered user, linked elsewhere, would be
      // asked whether to move (as a real member sending a second household's code is).
      const known = await db.member.findUnique({
        where: { telegramUserId: BigInt(userId) },
        select: { householdId: true },
      });
      if (known?.householdId != null && known.householdId !== household.id) userId = null;
    }
    try {
      userId ??= await newUser();
      const issued = await issueLinkCode(db, contractCode, clock);
      if (!issued) throw new Error("household disappeared while issuing a link code");
      const command = `/start ${issued.code.replace("-", "")}`;
      try {
        await sandbox.send(userId, command);
      } catch (error) {
        // The sandbox keeps users in memory: after a restart the remembered user is gone.
        if (!(error instanceof SandboxError) || error.status < 400 || error.status >= 500) throw error;
        userId = await newUser();
        await sandbox.send(userId, command);
      }
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      request.log.warn({ err: error }, "demo chat: sandbox call failed");
      return reply.redirect("/demo/chat?problem=unreachable", 303);
    }

    cookies.write(request, reply, DEMO_USER_COOKIE, String(userId), {
      path: "/demo",
      maxAgeSeconds: DEMO_USER_MAX_AGE_S,
    });
    await audit(db, {
      actorType: "staff",
      actorId: sessionOf(request).staffId,
      action: "link_code.issued",
      entityType: "household",
      entityId: household.id,
      details: { via: "demo_chat" },
    });
    return reply.redirect(`/demo/chat/${userId}`, 303);
  });

  app.get<UserParams>("/demo/chat/:userId", staffOnly, async (request, reply) => {
    const userId = userIdOf(request);
    if (userId === null) return reply.callNotFound();
    const page = pageInfo(request, true);
    const linkedTo = await linkedHousehold(userId);
    let entries = null;
    let problem = problemOf(request.query);
    try {
      entries = await sandbox.transcript(userId);
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      request.log.warn({ err: error }, "demo chat: transcript unavailable");
      problem = "unreachable";
    }
    const markup = demoChatPage(page, {
      userId,
      linkedTo,
      entries,
      version: entries
        ? versionOf(
            transcriptFragment(page.t, entries, userId, page.staff?.csrfToken ?? "").value,
            chatStatus(page.t, linkedTo),
          )
        : "",
      ...(problem ? { problem } : {}),
    });
    return sendHtml(reply, markup, entries ? 200 : 502);
  });

  app.get<UserParams>("/demo/chat/:userId/transcript.json", staffOnly, async (request, reply) => {
    const userId = userIdOf(request);
    if (userId === null) return reply.code(404).send({ ok: false });
    const { t, staff } = pageInfo(request, true);
    try {
      const entries = await sandbox.transcript(userId);
      // The bot links the chat a moment after /start: the header follows without a reload.
      const status = chatStatus(t, await linkedHousehold(userId));
      const transcript = transcriptFragment(t, entries, userId, staff?.csrfToken ?? "").value;
      const keyboard = String(replyKeyboardFragment(entries, userId, staff?.csrfToken ?? ""));
      return { ok: true, version: versionOf(transcript, status), transcript, keyboard, status };
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      return reply.code(502).send({ ok: false });
    }
  });

  // A document the bot sent in this chat (the export, a calendar file), downloaded as a phone would
  // save it. Only files of this chat's transcript: the page is not a window on every file.
  app.get<{ Params: { userId: string; fileId: string } }>(
    "/demo/chat/:userId/files/:fileId",
    staffOnly,
    async (request, reply) => {
      const userId = userIdOf(request);
      const { fileId } = request.params;
      if (userId === null || !/^[\w-]{1,200}$/.test(fileId)) return reply.callNotFound();
      try {
        const entries = await sandbox.transcript(userId);
        const entry = entries.find((e) => !e.deleted && e.document?.file_id === fileId);
        if (!entry) return reply.callNotFound();
        const file = await sandbox.file(fileId);
        const name = entry.document?.file_name ?? "file";
        // An attachment is saved, never shown: a bot's HTML file must not run on the panel's origin.
        const type = /^text\/html/i.test(file.contentType) ? "application/octet-stream" : file.contentType;
        return reply
          .header("Content-Type", type)
          .header("Content-Disposition", attachment(name))
          .header("Cache-Control", "no-store")
          .send(file.data);
      } catch (error) {
        if (!(error instanceof SandboxError)) throw error;
        request.log.warn({ err: error }, "demo chat: file unavailable");
        return reply.redirect(`/demo/chat/${userId}?problem=unreachable`, 303);
      }
    },
  );

  app.post<UserParams>("/demo/chat/:userId/send", staffOnly, async (request, reply) => {
    const userId = userIdOf(request);
    if (userId === null) return reply.callNotFound();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const text = typeof body.text === "string" ? body.text.trim() : "";
    let problem = "";
    if (text === "" || text.length > 4096) problem = "?problem=send";
    else {
      try {
        await sandbox.send(userId, text);
      } catch (error) {
        if (!(error instanceof SandboxError)) throw error;
        problem = "?problem=send";
      }
    }
    return reply.redirect(`/demo/chat/${userId}${problem}`, 303);
  });

  app.post<UserParams>("/demo/chat/:userId/press", staffOnly, async (request, reply) => {
    const userId = userIdOf(request);
    if (userId === null) return reply.callNotFound();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const messageId =
      typeof body.message_id === "string" && /^\d{1,12}$/.test(body.message_id)
        ? Number(body.message_id)
        : null;
    const data = typeof body.data === "string" ? body.data : "";
    let problem = "";
    if (messageId === null || data === "") problem = "?problem=press";
    else {
      try {
        await sandbox.press(userId, messageId, data);
      } catch (error) {
        if (!(error instanceof SandboxError)) throw error;
        problem = "?problem=press";
      }
    }
    return reply.redirect(`/demo/chat/${userId}${problem}`, 303);
  });
}

/** RFC 6266: an ASCII fallback name and the real one, UTF-8 encoded (RFC 5987). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\w.-]/g, "_").slice(0, 100) || "file";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Changes whenever what the page shows changes, so the script swaps only then. */
function versionOf(markup: string, status: string): string {
  return createHash("sha256").update(markup).update("\0").update(status).digest("base64url").slice(0, 16);
}
