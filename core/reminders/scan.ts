// The reminder scan: finds, set-based and in keyset pages, every reminder due now that has no
// OutboundMessage yet, records them with one multi-row insert per page and queues them for delivery.
// `purpose` (reminder:<kind>:<entity>:<member>) is unique, so a second or concurrent scan records
// nothing twice: a row another scan inserted first is skipped by ON CONFLICT and not queued again here.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import type { Logger } from "../logger.ts";
import { noticePhotoRef } from "../payment-notices.ts";
import { type DeliveryQueue, enqueueDeliveries } from "../queues/delivery.ts";
import { isQuiet, type QuietHours } from "../quiet-hours.ts";
import { romeToday } from "../time.ts";
import { variantOf } from "../variants/assign.ts";
import { CONTROL, languagesOf, runningExperiments } from "../variants/experiments.ts";
import {
  courseWindows,
  documentWindows,
  ESSENTIAL_KINDS,
  installmentWindows,
  isDueNow,
  REMINDER_KINDS,
  type ReminderKind,
  type ReminderWindow,
} from "./rules.ts";
import { courseText, documentText, installmentText, reminderMarkup } from "./texts.ts";

export type ReminderScanDeps = {
  db: Db;
  clock: Clock;
  deliveryQueue: DeliveryQueue;
  quietHours: QuietHours;
  logger?: Logger;
  /** Candidates per page (default 500: bigger pages are barely faster and hold more memory). */
  pageSize?: number;
  /** PAGOPA_CREDITOR_FISCAL_CODE: installment reminders then carry their pagoPA notice and its QR code. */
  pagopaCreditorFiscalCode?: string | undefined;
};

export type ReminderScanResult = {
  /** True when the scan did nothing because quiet hours hold. */
  quiet: boolean;
  recorded: number;
  byKind: Record<ReminderKind, number>;
  /** Reminders recorded earlier but never queued (a scan that stopped halfway), queued again. */
};

const DAY_MS = 24 * 60 * 60 * 1000;
/** Every window ends within 8 days of its date: dates further away cannot be due. */
const DATE_REACH_DAYS = 8;
/** A recorded reminder still queued this long after its scan lost its job (the scan stopped). */

type Row = { memberId: number; chatId: bigint; language: string };
type Pending = {
  purpose: string;
  memberId: number;
  chatId: string;
  text: string;
  markup: string | null;
  /** Drawn when the message is sent (OutboundMessage.photo): ids only. */
  photo?: string;
  /** The wording test it is part of (core/variants), recorded in ReminderSend with the message. */
  variant?: { experimentId: number; label: string; installmentId: number };
};

/** (kind, date) pairs due now, for rules keyed by a calendar date. */
function duePairs(
  now: Date,
  quiet: QuietHours,
  windowsOf: (date: Date) => ReminderWindow[],
): { kinds: ReminderKind[]; dates: string[] } {
  const today = romeToday(now).getTime();
  const kinds: ReminderKind[] = [];
  const dates: string[] = [];
  for (let offset = -DATE_REACH_DAYS; offset <= DATE_REACH_DAYS; offset++) {
    const date = new Date(today + offset * DAY_MS);
    for (const window of windowsOf(date)) {
      if (isDueNow(window, now, quiet)) {
        kinds.push(window.kind);
        dates.push(date.toISOString().slice(0, 10));
      }
    }
  }
  return { kinds, dates };
}

export async function runReminderScan(deps: ReminderScanDeps): Promise<ReminderScanResult> {
  const now = deps.clock.now();
  const byKind = Object.fromEntries(REMINDER_KINDS.map((k) => [k, 0])) as Record<ReminderKind, number>;
  const result: ReminderScanResult = { quiet: false, recorded: 0, byKind };
  if (isQuiet(now, deps.quietHours)) return { ...result, quiet: true };

  const sql = sqlOf(deps.db);
  const pageSize = deps.pageSize ?? 500;
  const essential = [...ESSENTIAL_KINDS];

  const record = async (pending: Pending[]): Promise<void> => {
    if (pending.length === 0) return;
    // The message and, for a reminder in a wording test, its variant: one statement, so both or neither.
    const inserted = await sql.query<{ id: number; purpose: string }>`
      WITH x AS (
        SELECT * FROM unnest(${pending.map((p) => p.purpose)}::text[], ${pending.map((p) => p.memberId)}::int[],
                  ${pending.map((p) => p.chatId)}::bigint[], ${pending.map((p) => p.text)}::text[],
                  ${pending.map((p) => p.markup)}::jsonb[], ${pending.map((p) => p.photo ?? null)}::text[],
                  ${pending.map((p) => p.variant?.experimentId ?? null)}::int[],
                  ${pending.map((p) => p.variant?.label ?? null)}::text[],
                  ${pending.map((p) => p.variant?.installmentId ?? null)}::int[])
             AS x(purpose, member, chat, text, markup, photo, experiment, variant, installment)
      ), ins AS (
        INSERT INTO "OutboundMessage" (purpose, "memberId", "chatId", text, "parseMode", "replyMarkup", photo)
        SELECT x.purpose, x.member, x.chat, x.text, 'HTML', x.markup, x.photo FROM x
        ON CONFLICT (purpose) DO NOTHING
        RETURNING id, purpose
      ), tagged AS (
        INSERT INTO "ReminderSend" ("messageId", "experimentId", variant, "installmentId")
        SELECT ins.id, x.experiment, x.variant, x.installment FROM ins JOIN x ON x.purpose = ins.purpose
        WHERE x.experiment IS NOT NULL
      )
      SELECT id, purpose FROM ins`;
    for (const row of inserted) {
      const kind = row.purpose.split(":")[1] as ReminderKind;
      byKind[kind] += 1;
    }
    result.recorded += inserted.length;
    await enqueueDeliveries(
      deps.deliveryQueue,
      inserted.map((row) => row.id),
    );
  };
  const pendingOf = (kind: ReminderKind, entityId: number, row: Row, text: string): Pending => ({
    purpose: `reminder:${kind}:${entityId}:${row.memberId}`,
    memberId: row.memberId,
    chatId: row.chatId.toString(),
    text,
    markup: reminderMarkup(row.language, kind),
  });

  // ─── Installments of active plans, still unpaid ───────────────────────────
  const inst = duePairs(now, deps.quietHours, installmentWindows);
  if (inst.kinds.length > 0) {
    type InstRow = Row & {
      kind: ReminderKind;
      entityId: number;
      number: number;
      total: number;
      owedCents: number;
      amountCents: number;
      paidCents: number;
      pagopaNotice: string | null;
      dueDate: Date;
    };
    const creditor = deps.pagopaCreditorFiscalCode;
    const experiments = await runningExperiments(deps.db);
    const languages = new Map([...experiments].map(([kind, e]) => [kind, languagesOf(e)]));
    await eachPage<InstRow>(pageSize, async (after) => {
      const rows = await sql.query<InstRow>`
        SELECT k.kind, i.id AS "entityId", m.id AS "memberId", m."chatId", m.language, i.number,
               (SELECT count(*)::int FROM "Installment" x WHERE x."planId" = i."planId") AS total,
               i."amountCents" - i."paidCents" AS "owedCents", i."amountCents", i."paidCents",
               i."pagopaNotice", i."dueDate"
        FROM unnest(${inst.kinds}::text[], ${inst.dates}::date[]) AS k(kind, due)
        JOIN "Installment" i ON i."dueDate" = k.due
        JOIN "RepaymentPlan" p ON p.id = i."planId" AND p.status = 'active'
        JOIN "Member" m ON m."householdId" = p."householdId"
        WHERE i."paidCents" < i."amountCents"
          AND m."consentAt" IS NOT NULL AND m."unreachableAt" IS NULL
          AND (NOT m."remindersMuted" OR k.kind = ANY(${essential}::text[]))
          AND (i.id, m.id) > (${after[0]}::int, ${after[1]}::int)
          AND NOT EXISTS (SELECT 1 FROM "OutboundMessage" o
                          WHERE o.purpose = 'reminder:' || k.kind || ':' || i.id || ':' || m.id)
        ORDER BY i.id, m.id
        LIMIT ${pageSize}::int`;
      await record(
        rows.map((r) => {
          // A notice is for the installment's full amount: offered while nothing is paid on it.
          const notice =
            creditor && r.pagopaNotice && r.paidCents === 0
              ? { notice: r.pagopaNotice, creditorFiscalCode: creditor, amountCents: r.amountCents }
              : null;
          // In a wording test when every variant has a text in the member's language (else the text
          // in force, uncounted): the hash keeps a member in one variant for the whole test.
          const experiment = experiments.get(r.kind);
          const label =
            experiment && languages.get(r.kind)?.includes(r.language)
              ? variantOf(experiment.id, r.memberId, experiment.labels)
              : null;
          const template = label && label !== CONTROL ? experiment?.texts[label]?.[r.language] : undefined;
          const text = installmentText(
            r.language,
            r.kind,
            { number: r.number, total: r.total, owedCents: r.owedCents, dueDate: r.dueDate, notice },
            template,
          );
          const pending: Pending = {
            ...pendingOf(r.kind, r.entityId, r, text),
            ...(experiment && label
              ? { variant: { experimentId: experiment.id, label, installmentId: r.entityId } }
              : {}),
          };
          return notice ? { ...pending, photo: noticePhotoRef(r.entityId) } : pending;
        }),
      );
      return rows;
    });
  }

  // ─── Documents still missing or asked for ─────────────────────────────────
  const docs = duePairs(now, deps.quietHours, documentWindows);
  if (docs.kinds.length > 0) {
    type DocRow = Row & { kind: ReminderKind; entityId: number; key: string; dueDate: Date };
    await eachPage<DocRow>(pageSize, async (after) => {
      const rows = await sql.query<DocRow>`
        SELECT k.kind, d.id AS "entityId", m.id AS "memberId", m."chatId", m.language, r.key, d."dueDate"
        FROM unnest(${docs.kinds}::text[], ${docs.dates}::date[]) AS k(kind, due)
        JOIN "HouseholdDocument" d ON d."dueDate" = k.due AND d.status IN ('missing', 'requested')
        JOIN "DocumentRequirement" r ON r.id = d."requirementId"
        JOIN "Member" m ON m."householdId" = d."householdId"
        WHERE m."consentAt" IS NOT NULL AND m."unreachableAt" IS NULL
          AND (NOT m."remindersMuted" OR k.kind = ANY(${essential}::text[]))
          AND (d.id, m.id) > (${after[0]}::int, ${after[1]}::int)
          AND NOT EXISTS (SELECT 1 FROM "OutboundMessage" o
                          WHERE o.purpose = 'reminder:' || k.kind || ':' || d.id || ':' || m.id)
        ORDER BY d.id, m.id
        LIMIT ${pageSize}::int`;
      await record(
        rows.map((r) =>
          pendingOf(
            r.kind,
            r.entityId,
            r,
            documentText(r.language, r.kind, { key: r.key, dueDate: r.dueDate }),
          ),
        ),
      );
      return rows;
    });
  }

  // ─── Course sessions: the enrolled member ─────────────────────────────────
  // Every course window ends at the start and opens at most ~30 hours before it.
  const sessions = await sql.query<{ id: number; startsAt: Date }>`
    SELECT id, "startsAt" FROM "CourseSession"
    WHERE "startsAt" > ${now}::timestamptz AND "startsAt" <= ${new Date(now.getTime() + 2 * DAY_MS)}::timestamptz`;
  const courseKinds: ReminderKind[] = [];
  const sessionIds: number[] = [];
  for (const session of sessions) {
    for (const window of courseWindows(session.startsAt)) {
      if (isDueNow(window, now, deps.quietHours)) {
        courseKinds.push(window.kind);
        sessionIds.push(session.id);
      }
    }
  }
  if (courseKinds.length > 0) {
    type CourseRow = Row & {
      kind: ReminderKind;
      entityId: number;
      title: string;
      startsAt: Date;
      location: string;
    };
    await eachPage<CourseRow>(pageSize, async (after) => {
      const rows = await sql.query<CourseRow>`
        SELECT k.kind, s.id AS "entityId", m.id AS "memberId", m."chatId", m.language,
               COALESCE(NULLIF(btrim(c.translations -> m.language ->> 'title'), ''), c.title) AS title,
               s."startsAt",
               COALESCE(NULLIF(btrim(s.translations -> m.language ->> 'location'), ''), s.location) AS location
        FROM unnest(${courseKinds}::text[], ${sessionIds}::int[]) AS k(kind, session)
        JOIN "CourseSession" s ON s.id = k.session
        JOIN "Course" c ON c.id = s."courseId"
        JOIN "Enrolment" e ON e."sessionId" = s.id AND e.status = 'enrolled'
        JOIN "Member" m ON m.id = e."memberId"
        WHERE m."householdId" IS NOT NULL AND m."consentAt" IS NOT NULL AND m."unreachableAt" IS NULL
          AND (NOT m."remindersMuted" OR k.kind = ANY(${essential}::text[]))
          AND (s.id, m.id) > (${after[0]}::int, ${after[1]}::int)
          AND NOT EXISTS (SELECT 1 FROM "OutboundMessage" o
                          WHERE o.purpose = 'reminder:' || k.kind || ':' || s.id || ':' || m.id)
        ORDER BY s.id, m.id
        LIMIT ${pageSize}::int`;
      await record(
        rows.map((r) =>
          pendingOf(
            r.kind,
            r.entityId,
            r,
            courseText(r.language, r.kind, { title: r.title, startsAt: r.startsAt, location: r.location }),
          ),
        ),
      );
      return rows;
    });
  }

  deps.logger?.info({ recorded: result.recorded, byKind }, "reminder scan done");
  return result;
}

/** Runs `page` with a keyset cursor (entity id, member id) until a page comes back short. */
async function eachPage<T extends { entityId: number; memberId: number }>(
  pageSize: number,
  page: (after: readonly [number, number]) => Promise<T[]>,
): Promise<void> {
  let after: readonly [number, number] = [0, 0];
  for (;;) {
    const rows = await page(after);
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    after = [last.entityId, last.memberId];
  }
}
