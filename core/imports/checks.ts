// The panel's check of an uploaded file (the dry run), run beside the request that uploaded it, with
// its progress kept on the upload's row (core/imports/uploads.ts): a large file takes a while, and
// any admin process can then say how far it got — on a plain page refresh, or to the imports page's
// script. Progress is the share of the file the import has read; the database checks that follow
// the last row are the last part of "100%".
import type { Clock } from "../clock.ts";
import type { Db, Prisma } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { type ImportKind, type KindReport, MAX_SHOWN_PROBLEMS, runImportKind } from "./kinds.ts";
import type { CsvProblem } from "./rows.ts";

/** The file is handed to the import in slices of this size, so what it has read can be counted. */
const SLICE = 256 * 1024;
/** How often a running check writes its progress (and shows it is alive). */
const PROGRESS_EVERY_MS = 500;

/** What a check's row keeps of problems: the first ones shown, and how many there were. */
export type KeptProblems = { problems: CsvProblem[]; total: number };

/** The file in slices; `read(bytes)` is told each time the import asks for more than it had. */
function counted(content: Uint8Array, read: (bytes: number) => void): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let at = 0; at < content.length; at += SLICE) {
      yield content.subarray(at, at + SLICE);
      read(Math.min(content.length, at + SLICE));
    }
  })();
}

/**
 * Dry-runs a kept upload and records the answer on its row: "checked" with what would change,
 * "problems" with the first ones (and the file dropped: it cannot be applied), or "failed". Never
 * throws; the whole report is also returned, for a caller still waiting for it.
 */
export async function runCheck(
  deps: { db: Db; clock: Clock; logger: Pick<Logger, "error"> },
  upload: { id: number; kind: ImportKind; content: Uint8Array; staffId: number },
): Promise<KindReport | null> {
  const { db, clock } = deps;
  let said = 0;
  let writing: Promise<unknown> = Promise.resolve();
  const read = (bytes: number) => {
    const now = Date.now();
    if (now - said < PROGRESS_EVERY_MS) return;
    said = now;
    writing = writing
      .then(() =>
        db.importUpload.updateMany({
          where: { id: upload.id, state: "checking" },
          data: { checkedBytes: bytes, progressAt: clock.now() },
        }),
      )
      .catch(() => undefined);
  };
  try {
    const report = await runImportKind(db, upload.kind, counted(upload.content, read), {
      actor: { actorType: "staff", actorId: upload.staffId },
      dryRun: true,
    });
    await writing;
    const kept: Prisma.InputJsonValue = report.ok
      ? report
      : { problems: report.problems.slice(0, MAX_SHOWN_PROBLEMS), total: report.problems.length };
    await db.importUpload.update({
      where: { id: upload.id },
      data: {
        state: report.ok ? "checked" : "problems",
        checkedBytes: upload.content.length,
        progressAt: clock.now(),
        report: kept,
        ...(report.ok ? {} : { content: new Uint8Array() }),
      },
    });
    return report;
  } catch (error) {
    // The error's name only: its message may quote the file.
    deps.logger.error(
      { uploadId: upload.id, error: error instanceof Error ? error.name : "unknown" },
      "import check failed",
    );
    await writing;
    await db.importUpload
      .updateMany({
        where: { id: upload.id },
        data: { state: "failed", progressAt: clock.now(), content: new Uint8Array() },
      })
      .catch(() => undefined);
    return null;
  }
}
