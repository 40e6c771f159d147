// Who can see a household in Telegram, and taking that back: the linked members (the Telegram
// first name tells them apart), unlinking one (they are told kindly, in their language, through the
// delivery queue), and voiding the household's unused link codes. Staff act; every action is audited.
import { audit } from "./audit.ts";
import type { Clock } from "./clock.ts";
import type { Db } from "./db/client.ts";
import { translator } from "./i18n.ts";
import { revokeLinkCodes, unusedLinkCodes } from "./linking.ts";
import { type DeliveryQueue, requestDelivery } from "./queues/delivery.ts";
import { escapeHtml } from "./telegram-html.ts";

export type LinkedMember = {
  id: number;
  firstName: string | null;
  language: string;
  linkedAt: Date;
  /** Telegram no longer delivers to them (they blocked the bot or deleted their account). */
  unreachable: boolean;
};

export type HouseholdAccess = {
  household: { id: number; contractCode: string; name: string };
  members: LinkedMember[];
  unusedCodes: number;
};

export async function householdAccess(
  db: Db,
  householdId: number,
  now: Date,
): Promise<HouseholdAccess | null> {
  const household = await db.household.findUnique({
    where: { id: householdId },
    select: {
      id: true,
      contractCode: true,
      name: true,
      members: {
        where: { linkedAt: { not: null } },
        orderBy: [{ linkedAt: "asc" }, { id: "asc" }],
        select: { id: true, firstName: true, language: true, linkedAt: true, unreachableAt: true },
      },
    },
  });
  if (!household) return null;
  return {
    household: { id: household.id, contractCode: household.contractCode, name: household.name },
    members: household.members.map((m) => ({
      id: m.id,
      firstName: m.firstName,
      language: m.language,
      linkedAt: m.linkedAt as Date,
      unreachable: m.unreachableAt !== null,
    })),
    unusedCodes: await unusedLinkCodes(db, household.id, now),
  };
}

/**
 * Staff unlink a member from a household: the member no longer sees its figures nor receives its
 * messages (those still waiting to be sent are cancelled), and their Telegram first name is
 * forgotten. They are told, in their language. False when the member is not linked to this
 * household (nothing changed): ids guessed from another household do nothing.
 */
export async function unlinkMemberByStaff(
  deps: { db: Db; deliveryQueue?: DeliveryQueue | undefined; clock: Clock },
  input: { householdId: number; memberId: number; staffId: number },
): Promise<boolean> {
  const { db } = deps;
  const now = deps.clock.now();
  const unlinked = await db.$transaction(async (tx) => {
    const member = await tx.member.findFirst({
      where: { id: input.memberId, householdId: input.householdId },
      select: { id: true, chatId: true, language: true, household: { select: { name: true } } },
    });
    if (!member) return null;
    const updated = await tx.member.updateMany({
      where: { id: member.id, householdId: input.householdId },
      data: { householdId: null, linkedAt: null, firstName: null },
    });
    if (updated.count === 0) return null;
    // As when members unlink themselves: the chat's session (a step in progress) goes too.
    await tx.botSession.deleteMany({ where: { key: member.chatId.toString() } });
    const cancelled = await tx.outboundMessage.updateMany({
      where: { memberId: member.id, status: "queued" },
      data: { status: "cancelled" },
    });
    await audit(tx, {
      actorType: "staff",
      actorId: input.staffId,
      action: "member.unlinked_by_staff",
      entityType: "household",
      entityId: input.householdId,
      details: { memberId: member.id, cancelledMessages: cancelled.count },
    });
    return member;
  });
  if (!unlinked) return false;
  if (deps.deliveryQueue) {
    const t = translator(unlinked.language);
    await requestDelivery(
      { db, deliveryQueue: deps.deliveryQueue },
      {
        purpose: `unlinked:${unlinked.id}:${now.getTime()}`,
        memberId: unlinked.id,
        text: t("link.unlinked_by_staff", { household: escapeHtml(unlinked.household?.name ?? "") }),
        parseMode: "HTML",
        // The main menu's buttons lead nowhere now: take the keyboard away.
        replyMarkup: { remove_keyboard: true },
      },
    );
  }
  return true;
}

/** Staff void the household's unused link codes; returns how many. */
export async function revokeHouseholdCodes(
  deps: { db: Db; clock: Clock },
  input: { householdId: number; staffId: number },
): Promise<number> {
  const voided = await revokeLinkCodes(deps.db, input.householdId, deps.clock);
  await audit(deps.db, {
    actorType: "staff",
    actorId: input.staffId,
    action: "linkcode.revoked",
    entityType: "household",
    entityId: input.householdId,
    details: { voided },
  });
  return voided;
}
