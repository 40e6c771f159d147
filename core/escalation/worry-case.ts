// A household message showing the home at risk or a person in danger (core/worry.ts): stored in the
// household's case as usual, but the case is made urgent — or opened at once, urgent, when there is
// none — and posted to the operators' group under a headline that says which. Danger also raises an
// alert for coordinators (/alerts), so it is seen where no operators' group is set up. A redelivered
// update is stored, posted and alerted once. (Money trouble opens an ordinary case: bot/features/worry.ts.)
import { audit } from "../audit.ts";
import { ACTIVE_CASE_STATUSES, lockHousehold } from "../cases.ts";
import type { Clock } from "../clock.ts";
import { translator } from "../i18n.ts";
import type { UrgentSignal } from "../worry.ts";
import { type GroupPostDeps, postCaseToGroup } from "./operators-group.ts";

export type UrgentWorryResult = { caseId: number; opened: boolean; stored: boolean };
type Stored = UrgentWorryResult & { messageId?: number };

export async function recordUrgentWorry(
  deps: GroupPostDeps & { clock: Clock },
  input: {
    householdId: number;
    memberId: number;
    text: string;
    level: "housing" | "danger";
    signals: readonly UrgentSignal[];
    sourceUpdateId?: number;
    /** The topic the member chose, when they were writing to a person anyway. */
    topic?: string;
  },
): Promise<UrgentWorryResult> {
  const { db, clock } = deps;
  const now = clock.now();
  const t = translator("it", "staff");
  const note = t(`note.${input.level}`, {
    signals: input.signals.map((signal) => t(`signal.${signal}`)).join(", "),
  });
  const sourceUpdateId = input.sourceUpdateId === undefined ? null : BigInt(input.sourceUpdateId);
  const result = await db.$transaction(async (tx): Promise<Stored> => {
    await lockHousehold(tx, input.householdId);
    const active = await tx.case.findFirst({
      where: { householdId: input.householdId, status: { in: [...ACTIVE_CASE_STATUSES] } },
      orderBy: { openedAt: "desc" },
      select: { id: true },
    });
    if (!active) {
      const created = await tx.case.create({
        data: {
          householdId: input.householdId,
          memberId: input.memberId,
          topic: input.topic ?? "other",
          status: "open",
          urgent: true,
          source: "distress",
          openedAt: now,
          lastHouseholdMessageAt: now,
          // The note first, so the household's own words are the case's latest message.
          messages: { create: { author: "system", text: note, createdAt: now } },
        },
        select: { id: true },
      });
      const message = await tx.caseMessage.create({
        data: {
          caseId: created.id,
          author: "household",
          memberId: input.memberId,
          text: input.text,
          sourceUpdateId,
          createdAt: now,
        },
        select: { id: true },
      });
      return { caseId: created.id, opened: true, stored: true, messageId: message.id };
    }
    if (sourceUpdateId !== null) {
      const seen = await tx.caseMessage.findUnique({
        where: { caseId_sourceUpdateId: { caseId: active.id, sourceUpdateId } },
        select: { id: true },
      });
      if (seen) {
        // A redelivered update (its first handling may have failed before the post): same purpose
        // as then, so the post goes out once.
        const first = await tx.caseMessage.findFirst({
          where: { caseId: active.id, author: "household" },
          orderBy: { id: "asc" },
          select: { id: true, case: { select: { source: true } } },
        });
        const openedByIt = first?.id === seen.id && first.case.source === "distress";
        return { caseId: active.id, opened: openedByIt, stored: false, messageId: seen.id };
      }
    }
    await tx.caseMessage.create({
      data: { caseId: active.id, author: "system", text: note, createdAt: now },
    });
    const message = await tx.caseMessage.create({
      data: {
        caseId: active.id,
        author: "household",
        memberId: input.memberId,
        text: input.text,
        sourceUpdateId,
        createdAt: now,
      },
      select: { id: true },
    });
    await tx.case.update({
      where: { id: active.id },
      data: { urgent: true, status: "open", lastHouseholdMessageAt: now },
    });
    return { caseId: active.id, opened: false, stored: true, messageId: message.id };
  });
  if (result.stored) {
    await audit(db, {
      actorType: "member",
      actorId: input.memberId,
      action: result.opened ? "case.opened" : "case.urgent",
      entityType: "case",
      entityId: result.caseId,
      details: { source: "distress", level: input.level },
    });
  }
  if (input.level === "danger" && result.messageId !== undefined) {
    // One alert per message of danger; a redelivered update finds its own and adds none.
    await db.alert.upsert({
      where: { dedupeKey: `danger:${result.caseId}:${result.messageId}` },
      create: {
        kind: "danger",
        dedupeKey: `danger:${result.caseId}:${result.messageId}`,
        householdId: input.householdId,
        caseId: result.caseId,
        createdAt: now,
      },
      update: {},
    });
  }
  if (result.messageId !== undefined) {
    await postCaseToGroup(deps, {
      caseId: result.caseId,
      kind: input.level,
      purpose: result.opened
        ? `ops:case:${result.caseId}:opened`
        : `ops:case:${result.caseId}:distress:${result.messageId}`,
    });
  }
  return { caseId: result.caseId, opened: result.opened, stored: result.stored };
}
