// One-time codes that link a Telegram account to a household. Codes are single-use, expire after
// 14 days, and only their hash is stored. Issuing a code voids the household's older unused ones
// (one outstanding code per household: a code handed to the wrong person is undone by issuing
// another), and staff can void them all; a voided code answers exactly like an expired one. A Telegram user gets 5 wrong attempts an hour; after that
// even the right code is refused until the hour has passed.
//
// A member already linked who sends another household's code is not moved at once: the code is
// left unused and they are asked to confirm (confirmMove), which claims it atomically then. Their own
// household's code changes nothing and stays unused, for another member of the household.
import { createHash, randomInt } from "node:crypto";
import type { Clock } from "./clock.ts";
import type { Db, Prisma } from "./db/client.ts";

export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I/L: read aloud and typed on phones
export const CODE_LENGTH = 8;
export const CODE_VALIDITY_MS = 14 * 24 * 60 * 60 * 1000;
export const MAX_WRONG_ATTEMPTS = 5;
export const ATTEMPT_WINDOW_MS = 60 * 60 * 1000;

function hashCode(normalized: string): string {
  return createHash("sha256").update(`bussola-link:${normalized}`).digest("hex");
}

/** "abcd-2345", "ABCD 2345", "abcd2345" → "ABCD2345"; anything that cannot be a code → null. */
export function normalizeCode(input: string): string | null {
  const compact = input.trim().replace(/[\s-]/g, "").toUpperCase();
  if (compact.length !== CODE_LENGTH) return null;
  for (const char of compact) if (!CODE_ALPHABET.includes(char)) return null;
  return compact;
}

/** "ABCD2345" → "ABCD-2345", the way people are given it. */
export function displayCode(normalized: string): string {
  return `${normalized.slice(0, 4)}-${normalized.slice(4)}`;
}

/**
 * A random code with at least one digit and one letter, so that ordinary words typed in the chat
 * ("ciao ciao") are never mistaken for a code attempt.
 */
function newCode(): string {
  for (;;) {
    let code = "";
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    if (/\d/.test(code) && /[A-Z]/.test(code)) return code;
  }
}

export async function issueLinkCode(
  db: Db,
  contractCode: string,
  clock: Clock,
): Promise<{ code: string; householdId: number; expiresAt: Date; voided: number } | null> {
  const household = await db.household.findUnique({
    where: { contractCode: contractCode.trim() },
    select: { id: true },
  });
  if (!household) return null;
  return issueLinkCodeFor(db, household.id, clock);
}

/**
 * The same, for a household the caller has already found (and checked the staff member may see):
 * the invitation letters issue one code per household of a selection this way.
 */
export async function issueLinkCodeFor(
  db: Db,
  householdId: number,
  clock: Clock,
): Promise<{ code: string; householdId: number; expiresAt: Date; voided: number }> {
  const code = newCode();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + CODE_VALIDITY_MS);
  const voided = await db.$transaction(async (tx) => {
    const older = await tx.linkCode.updateMany({
      where: { householdId, ...UNUSED(now) },
      data: { revokedAt: now },
    });
    await tx.linkCode.create({ data: { householdId, codeHash: hashCode(code), expiresAt } });
    return older.count;
  });
  return { code: displayCode(code), householdId, expiresAt, voided };
}

/**
 * issueLinkCodeFor for many households at once (the invitation letters' print runs), in one
 * transaction: the same codes, expiry and hashing, each household's older unused codes voided, and
 * `also` run inside the same transaction (the audit entries), so codes and their record go together.
 */
export async function issueLinkCodesFor(
  db: Db,
  householdIds: readonly number[],
  clock: Clock,
  also?: (tx: Prisma.TransactionClient, issued: IssuedCode[]) => Promise<void>,
): Promise<IssuedCode[]> {
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + CODE_VALIDITY_MS);
  const codes = householdIds.map((householdId) => ({ householdId, code: newCode() }));
  return db.$transaction(
    async (tx) => {
      const older = await tx.linkCode.groupBy({
        by: ["householdId"],
        where: { householdId: { in: [...householdIds] }, ...UNUSED(now) },
        _count: { _all: true },
      });
      const voidedOf = new Map(older.map((o) => [o.householdId, o._count._all]));
      await tx.linkCode.updateMany({
        where: { householdId: { in: [...householdIds] }, ...UNUSED(now) },
        data: { revokedAt: now },
      });
      await tx.linkCode.createMany({
        data: codes.map((c) => ({ householdId: c.householdId, codeHash: hashCode(c.code), expiresAt })),
      });
      const issued = codes.map((c) => ({
        code: displayCode(c.code),
        householdId: c.householdId,
        expiresAt,
        voided: voidedOf.get(c.householdId) ?? 0,
      }));
      if (also) await also(tx, issued);
      return issued;
    },
    { timeout: 60_000 },
  );
}

export type IssuedCode = { code: string; householdId: number; expiresAt: Date; voided: number };

/** Codes still waiting to be used: not used, not voided, not expired. */
const UNUSED = (now: Date) => ({ usedAt: null, revokedAt: null, expiresAt: { gt: now } });

/** How many of the household's codes are still waiting to be used. */
export async function unusedLinkCodes(db: Db, householdId: number, now: Date): Promise<number> {
  return db.linkCode.count({ where: { householdId, ...UNUSED(now) } });
}

/** Voids the household's unused codes; returns how many. */
export async function revokeLinkCodes(db: Db, householdId: number, clock: Clock): Promise<number> {
  const now = clock.now();
  const voided = await db.linkCode.updateMany({
    where: { householdId, ...UNUSED(now) },
    data: { revokedAt: now },
  });
  return voided.count;
}

export type TelegramIdentity = {
  telegramUserId: number;
  chatId: number;
  firstName?: string | undefined;
  language: string;
};

export type RedeemResult =
  | { status: "linked"; memberId: number; householdId: number; householdName: string; linkCodeId: number }
  /** The code is their own household's: nothing changed, the code is still unused. */
  | { status: "already_linked"; householdName: string }
  /** Another household's code for a member already linked: nothing changed until they confirm. */
  | { status: "confirm_move"; linkCodeId: number; fromHouseholdName: string; toHouseholdName: string }
  | { status: "invalid"; attemptsLeft: number }
  | { status: "locked"; retryAt: Date };

export async function redeemLinkCode(
  db: Db,
  who: TelegramIdentity,
  typed: string,
  clock: Clock,
): Promise<RedeemResult> {
  const now = clock.now();
  const telegramUserId = BigInt(who.telegramUserId);
  return db.$transaction(async (tx) => {
    // Serialise one person's attempts, so parallel guesses cannot slip past the limit.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`link:${who.telegramUserId}`}))`;
    const windowStart = new Date(now.getTime() - ATTEMPT_WINDOW_MS);
    const failures = await tx.linkAttempt.findMany({
      where: { telegramUserId, succeeded: false, at: { gt: windowStart } },
      orderBy: { at: "asc" },
      select: { at: true },
    });
    const oldest = failures[0];
    if (failures.length >= MAX_WRONG_ATTEMPTS && oldest) {
      return { status: "locked", retryAt: new Date(oldest.at.getTime() + ATTEMPT_WINDOW_MS) };
    }

    const normalized = normalizeCode(typed);
    const code = normalized
      ? await tx.linkCode.findUnique({
          where: { codeHash: hashCode(normalized) },
          include: { household: true },
        })
      : null;
    const usable =
      code !== null && code.usedAt === null && code.revokedAt === null && code.expiresAt > now ? code : null;
    const current = code
      ? await tx.member.findUnique({ where: { telegramUserId }, include: { household: true } })
      : null;
    // Their own household's code (even the one they linked with, long used): nothing to do, no penalty.
    if (code && current?.household?.id === code.householdId) {
      return { status: "already_linked", householdName: current.household.name };
    }
    if (usable && current?.household) {
      return {
        status: "confirm_move",
        linkCodeId: usable.id,
        fromHouseholdName: current.household.name,
        toHouseholdName: usable.household.name,
      };
    }
    // Claimed with a conditional update, so two people typing the same code cannot both use it.
    const claimed = usable
      ? await tx.linkCode.updateMany({
          where: { id: usable.id, ...UNUSED(now) },
          data: { usedAt: now },
        })
      : { count: 0 };
    if (!code || claimed.count === 0) {
      await tx.linkAttempt.create({ data: { telegramUserId, succeeded: false, at: now } });
      return { status: "invalid", attemptsLeft: MAX_WRONG_ATTEMPTS - failures.length - 1 };
    }

    const member = await tx.member.upsert({
      where: { telegramUserId },
      create: {
        telegramUserId,
        chatId: BigInt(who.chatId),
        firstName: who.firstName ?? null,
        language: who.language,
        householdId: code.householdId,
        linkedAt: now,
      },
      update: {
        chatId: BigInt(who.chatId),
        firstName: who.firstName ?? null,
        householdId: code.householdId,
        linkedAt: now,
        unreachableAt: null,
      },
    });
    await tx.linkCode.update({ where: { id: code.id }, data: { usedByMemberId: member.id } });
    await tx.linkAttempt.create({ data: { telegramUserId, succeeded: true, at: now } });
    await tx.auditLog.create({
      data: {
        actorType: "member",
        actorId: String(member.id),
        action: "member.linked",
        entityType: "household",
        entityId: String(code.householdId),
      },
    });
    return {
      status: "linked",
      memberId: member.id,
      householdId: code.householdId,
      householdName: code.household.name,
      linkCodeId: code.id,
    };
  });
}

export type MoveResult =
  | {
      status: "moved";
      memberId: number;
      householdId: number;
      householdName: string;
      fromHouseholdId: number;
      fromHouseholdName: string;
      linkCodeId: number;
    }
  /** Already in the code's household (a second press): nothing changed. */
  | { status: "already_linked"; householdName: string }
  /** The code was used, voided or expired since: nothing changed. */
  | { status: "expired"; householdName: string | null };

/**
 * A linked member confirms the move to the household of a code they sent (RedeemResult
 * "confirm_move"). The code is claimed here, with the same conditional update as a first link, so a
 * code voided, used or expired since the question moves nobody, and a second press changes nothing.
 * Messages still waiting to be sent to the member (reminders and replies about the old household) are
 * cancelled. What they recorded in the old household's budget stays with it: it is that household's.
 */
export async function confirmMove(
  db: Db,
  who: TelegramIdentity,
  linkCodeId: number,
  clock: Clock,
): Promise<MoveResult> {
  const now = clock.now();
  const telegramUserId = BigInt(who.telegramUserId);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`link:${who.telegramUserId}`}))`;
    const member = await tx.member.findUnique({ where: { telegramUserId }, include: { household: true } });
    const code = await tx.linkCode.findUnique({ where: { id: linkCodeId }, include: { household: true } });
    const currentName = member?.household?.name ?? null;
    if (!member || !code) return { status: "expired", householdName: currentName };
    if (member.household && member.householdId === code.householdId) {
      return { status: "already_linked", householdName: member.household.name };
    }
    const claimed = await tx.linkCode.updateMany({
      where: { id: code.id, ...UNUSED(now) },
      data: { usedAt: now, usedByMemberId: member.id },
    });
    if (claimed.count === 0 || !member.household) return { status: "expired", householdName: currentName };
    const from = member.household;
    await tx.member.update({
      where: { id: member.id },
      data: {
        chatId: BigInt(who.chatId),
        firstName: who.firstName ?? null,
        householdId: code.householdId,
        linkedAt: now,
        unreachableAt: null,
      },
    });
    const cancelled = await tx.outboundMessage.updateMany({
      where: { memberId: member.id, status: "queued" },
      data: { status: "cancelled" },
    });
    await tx.linkAttempt.create({ data: { telegramUserId, succeeded: true, at: now } });
    await tx.auditLog.create({
      data: {
        actorType: "member",
        actorId: String(member.id),
        action: "member.moved",
        entityType: "household",
        entityId: String(code.householdId),
        details: { fromHouseholdId: from.id, cancelledMessages: cancelled.count },
      },
    });
    return {
      status: "moved",
      memberId: member.id,
      householdId: code.householdId,
      householdName: code.household.name,
      fromHouseholdId: from.id,
      fromHouseholdName: from.name,
      linkCodeId: code.id,
    };
  });
}
