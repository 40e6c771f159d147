// One-time codes that link a Telegram account to a household. Codes are single-use, expire after
// 14 days, and only their hash is stored. Issuing a code voids the household's older unused ones
// (one outstanding code per household: a code handed to the wrong person is undone by issuing
// another), and staff can void them all; a voided code answers exactly like an expired one. A Telegram user gets 5 wrong attempts an hour; after that
// even the right code is refused until the hour has passed.
import { createHash, randomInt } from "node:crypto";
import type { Clock } from "./clock.ts";
import type { Db } from "./db/client.ts";

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
  const household = await db.household.findUnique({ where: { contractCode: contractCode.trim() } });
  if (!household) return null;
  const code = newCode();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + CODE_VALIDITY_MS);
  const voided = await db.$transaction(async (tx) => {
    const older = await tx.linkCode.updateMany({
      where: { householdId: household.id, ...UNUSED(now) },
      data: { revokedAt: now },
    });
    await tx.linkCode.create({ data: { householdId: household.id, codeHash: hashCode(code), expiresAt } });
    return older.count;
  });
  return { code: displayCode(code), householdId: household.id, expiresAt, voided };
}

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
    // Claimed with a conditional update, so two people typing the same code cannot both use it.
    const claimed = code
      ? await tx.linkCode.updateMany({
          where: { id: code.id, ...UNUSED(now) },
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
