// Imports from the panel, for coordinators and admins: upload a spreadsheet, which is dry-run at
// once (nothing changes), then confirm to apply the same bytes, kept in PostgreSQL in between
// (core/imports/uploads.ts). The imports themselves are the command line's (core/imports/kinds.ts).
// A check that takes longer than `checkWaitMs` goes on beside the request (core/imports/checks.ts):
// the answer is then a page with its progress (/imports/check?token=…), which a refresh brings up
// to date and the page's script polls; it shows the answer when the check is done.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type KeptProblems, runCheck } from "../../core/imports/checks.ts";
import { importHistory } from "../../core/imports/history.ts";
import {
  isImportKind,
  type KindReport,
  MAX_SHOWN_PROBLEMS,
  runImportKind,
} from "../../core/imports/kinds.ts";
import { declaredFormatProblem } from "../../core/imports/spreadsheet.ts";
import {
  claimUpload,
  findCheck,
  findUpload,
  keepUpload,
  UploadAlreadyTaken,
} from "../../core/imports/uploads.ts";
import { csrfMatches, sessionOf } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml } from "../context.ts";
import { readUploadForm } from "../upload-form.ts";
import { errorPage } from "../views/errors.ts";
import { type ImportOutcome, importsPage } from "../views/imports.ts";

const staffActor = (request: FastifyRequest) =>
  ({ actorType: "staff", actorId: sessionOf(request).staffId }) as const;

/** How long the upload's request waits for its check before answering with the progress page. */
export const CHECK_WAIT_MS = 3000;

export function importRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  options: { maxBytes: number; checkWaitMs?: number | undefined },
): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const maxMb = Math.round(options.maxBytes / (1024 * 1024));

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    view: {
      outcome?: ImportOutcome;
      selectedKind?: string | undefined;
      notice?: "imported";
    },
    status = 200,
  ) => {
    const selectedKind = isImportKind(view.selectedKind) ? view.selectedKind : null;
    const history = await importHistory(db);
    return sendHtml(
      reply,
      importsPage(pageInfo(request, demo), {
        notice: view.notice,
        outcome: view.outcome,
        selectedKind,
        maxMb,
        history,
      }),
      status,
    );
  };

  app.get("/imports", { preHandler: auth.requireRole("coordinator", "admin") }, async (request, reply) => {
    const raw = (request.query ?? {}) as Record<string, unknown>;
    return render(request, reply, raw.notice === "imported" ? { notice: "imported" } : {});
  });

  // The dry run. The file is read here, after the role check, so nobody else can make the server
  // buffer an upload; the CSRF token comes in the same multipart body.
  app.post(
    "/imports",
    { preHandler: auth.requireRoleForUpload("coordinator", "admin") },
    async (request, reply) => {
      const form = await readUploadForm(request, "file", options.maxBytes);
      if (!csrfMatches(request, form.fields._csrf)) {
        const page = pageInfo(request, demo);
        return sendHtml(
          reply,
          errorPage(page, { title: page.t("error.csrf.title"), message: page.t("error.csrf.message") }),
          403,
        );
      }
      const kind = form.fields.kind;
      const refuse = (reason: Extract<ImportOutcome, { type: "refused" }>["reason"], status: number) =>
        render(request, reply, { outcome: { type: "refused", reason, maxMb }, selectedKind: kind }, status);
      if (!isImportKind(kind)) return refuse("noKind", 400);
      if (!form.file) return refuse("noFile", 400);
      if ("tooLarge" in form.file) return refuse("tooLarge", 413);
      const { name: fileName, content } = form.file;
      const formatProblem = declaredFormatProblem(fileName, content.subarray(0, 128));
      if (formatProblem) {
        const problems = [{ line: 0, message: formatProblem }];
        const outcome: ImportOutcome = {
          type: "problems",
          kind,
          fileName,
          problems,
          shown: MAX_SHOWN_PROBLEMS,
        };
        return render(request, reply, { outcome, selectedKind: kind }, 422);
      }
      const { staffId } = sessionOf(request);
      const { id, token } = await keepUpload(db, clock, { staffId, kind, fileName, content });
      const check = runCheck({ db, clock, logger: request.log }, { id, kind, content, staffId });
      const waited = await Promise.race([
        check.then((report) => ({ report })),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), options.checkWaitMs ?? CHECK_WAIT_MS)),
      ]);
      request.log.info({ kind, bytes: content.length, done: waited !== null }, "import checked");
      // Still checking: its page says how far it got.
      if (waited === null) return reply.redirect(`/imports/check?token=${token}`, 303);
      const { report } = waited;
      if (report?.ok) {
        return render(request, reply, {
          outcome: { type: "checked", kind, fileName, report, token },
          selectedKind: kind,
        });
      }
      // Answered at once: the file with problems is not kept.
      await db.importUpload.deleteMany({ where: { id } });
      if (!report)
        return render(request, reply, { outcome: { type: "refused", reason: "checkFailed" } }, 500);
      const outcome: ImportOutcome = {
        type: "problems",
        kind,
        fileName,
        problems: report.problems,
        shown: MAX_SHOWN_PROBLEMS,
      };
      return render(request, reply, { outcome, selectedKind: kind }, 422);
    },
  );

  // A check's progress, or its answer once done; `format=json` for the page's script.
  app.get(
    "/imports/check",
    { preHandler: auth.requireRole("coordinator", "admin") },
    async (request, reply) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const json = query.format === "json";
      const check = await findCheck(db, clock, query.token, sessionOf(request).staffId);
      if (check === "gone" || check === "not_yours") {
        const status = check === "gone" ? 410 : 403;
        if (json) return reply.code(status).send({ state: check });
        const reason = check === "gone" ? "gone" : "notYours";
        return render(request, reply, { outcome: { type: "refused", reason } }, status);
      }
      if (json)
        return reply.header("cache-control", "no-store").send({ state: check.state, percent: check.percent });
      const kind = isImportKind(check.kind) ? check.kind : null;
      if (!kind || check.state === "failed")
        return render(request, reply, { outcome: { type: "refused", reason: "checkFailed" } }, 500);
      const { fileName } = check;
      const token = query.token as string;
      if (check.state === "checking") {
        return render(request, reply, {
          outcome: { type: "checking", kind, fileName, percent: check.percent, token },
          selectedKind: kind,
        });
      }
      if (check.state === "checked") {
        const report = check.report as Extract<KindReport, { ok: true }>;
        return render(request, reply, {
          outcome: { type: "checked", kind, fileName, report, token },
          selectedKind: kind,
        });
      }
      const kept = check.report as KeptProblems;
      const outcome: ImportOutcome = {
        type: "problems",
        kind,
        fileName,
        problems: kept.problems,
        shown: MAX_SHOWN_PROBLEMS,
        total: kept.total,
      };
      return render(request, reply, { outcome, selectedKind: kind }, 422);
    },
  );

  // Applies the kept file; the import deletes it in its own transaction, so it is applied once.
  app.post(
    "/imports/confirm",
    { preHandler: auth.requireRole("coordinator", "admin") },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const { staffId } = sessionOf(request);
      const upload = await findUpload(db, clock, body.token, staffId);
      const refuse = (reason: "gone" | "notYours", status: number) =>
        render(request, reply, { outcome: { type: "refused", reason } }, status);
      if (upload === "gone") return refuse("gone", 410);
      if (upload === "not_yours") return refuse("notYours", 403);
      if (!isImportKind(upload.kind)) return refuse("gone", 410);
      const kind = upload.kind;
      let report: Awaited<ReturnType<typeof runImportKind>>;
      try {
        report = await runImportKind(db, kind, upload.content, {
          actor: staffActor(request),
          dryRun: false,
          file: upload.fileName,
          claim: claimUpload(upload.id, staffId),
        });
      } catch (error) {
        if (error instanceof UploadAlreadyTaken) return refuse("gone", 410);
        throw error;
      }
      request.log.info({ kind, uploadId: upload.id, ok: report.ok }, "import confirmed");
      if (!report.ok) {
        // The database changed since the dry run: nothing applied, the file is still kept.
        const outcome: ImportOutcome = {
          type: "problems",
          kind,
          fileName: upload.fileName,
          problems: report.problems,
          shown: MAX_SHOWN_PROBLEMS,
        };
        return render(request, reply, { outcome, selectedKind: kind }, 422);
      }
      return reply.redirect("/imports?notice=imported", 303);
    },
  );
}
