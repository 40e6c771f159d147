// Imports from the panel, for coordinators and admins: upload a spreadsheet, which is dry-run at
// once (nothing changes), then confirm to apply the same bytes, kept in PostgreSQL in between
// (core/imports/uploads.ts). The imports themselves are the command line's (core/imports/kinds.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { importHistory } from "../../core/imports/history.ts";
import { isImportKind, MAX_SHOWN_PROBLEMS, runImportKind } from "../../core/imports/kinds.ts";
import { declaredFormatProblem } from "../../core/imports/spreadsheet.ts";
import { claimUpload, findUpload, keepUpload, UploadAlreadyTaken } from "../../core/imports/uploads.ts";
import { csrfMatches, sessionOf } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml } from "../context.ts";
import { readUploadForm } from "../upload-form.ts";
import { errorPage } from "../views/errors.ts";
import { type ImportOutcome, importsPage } from "../views/imports.ts";

const staffActor = (request: FastifyRequest) =>
  ({ actorType: "staff", actorId: sessionOf(request).staffId }) as const;

export function importRoutes(app: FastifyInstance, ctx: AdminContext, options: { maxBytes: number }): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const maxMb = Math.round(options.maxBytes / (1024 * 1024));

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    view: { outcome?: ImportOutcome; selectedKind?: string | undefined; notice?: "imported" },
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
      const report = formatProblem
        ? { ok: false as const, problems: [{ line: 0, message: formatProblem }] }
        : await runImportKind(db, kind, content, { actor: staffActor(request), dryRun: true });
      request.log.info({ kind, bytes: content.length, ok: report.ok }, "import checked");
      if (!report.ok) {
        const outcome: ImportOutcome = {
          type: "problems",
          kind,
          fileName,
          problems: report.problems,
          shown: MAX_SHOWN_PROBLEMS,
        };
        return render(request, reply, { outcome, selectedKind: kind }, 422);
      }
      const token = await keepUpload(db, clock, {
        staffId: sessionOf(request).staffId,
        kind,
        fileName,
        content,
      });
      return render(request, reply, {
        outcome: { type: "checked", kind, fileName, report, token },
        selectedKind: kind,
      });
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
