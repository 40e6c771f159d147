// People locked out of linking after too many wrong codes (core/linking.ts: 5 in an hour), seen and
// let back in by staff: someone who mistyped a code they were given over the phone should not wait
// an hour while the office is on the line. Nothing more is stored for it: staff see the language and
// the time of the last wrong code (and the Telegram first name only of someone linked already, trying
// another household's code), never a Telegram id. Letting in the wrong person does little harm: they
// still need a valid code, and get five more tries.
import { audit } from "../audit.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { translator } from "../i18n.ts";
import { ATTEMPT_WINDOW_MS, MAX_WRONG_ATTEMPTS } from "../linking.ts";
import { officeParam, type StaffScope, visibleHouseholds } from "../offices/scope.ts";
import type { DeliveryQueue } from "../queues/delivery.ts";
import { requestDelivery } from "../queues/delivery.ts";

export type Lockout = {
  memberId: number;
  firstName: string | null;
  language: string;
  /** The household the person is linked to already (trying another one's code), if any. */
  householdName: string | null;
  wrongAttempts: number;
  lastAttemptAt: Date;
  lockedUntil: Date;
};

type LockoutRow = {
  memberId: number;
  firstName: string | null;
  language: string;
  householdName: string | null;
  wrongAttempts: number;
  oldest: Date;
  latest: Date;
};

/** Everyone locked out now, the most recently locked first. */
/**
 * People locked out now. Staff of an office see the members of its households and the people not
 * linked to any household yet (a newcomer typing codes belongs to no office); admins see all.
 */
export async function currentLockouts(db: Db, clock: Clock, scope: StaffScope): Promise<Lockout[]> {
  const windowStart = new Date(clock.now().getTime() - ATTEMPT_WINDOW_MS);
  const office = officeParam(scope);
  const rows = await db.$queryRaw<LockoutRow[]>`
    SELECT m.id AS "memberId", m."firstName", m.language, h.name AS "householdName",
      a.failures::int AS "wrongAttempts", a.oldest, a.latest
    FROM (
      SELECT "telegramUserId", count(*) AS failures, min("at") AS oldest, max("at") AS latest
      FROM "LinkAttempt"
      WHERE NOT succeeded AND "at" > ${windowStart}
      GROUP BY "telegramUserId"
      HAVING count(*) >= ${MAX_WRONG_ATTEMPTS}
    ) a
    JOIN "Member" m ON m."telegramUserId" = a."telegramUserId"
    LEFT JOIN "Household" h ON h.id = m."householdId"
    WHERE ${office}::int IS NULL OR h.id IS NULL OR h."officeId" = ${office}
    ORDER BY a.latest DESC`;
  return rows.map((r) => ({
    memberId: r.memberId,
    // Stored for linked members only (bot/middlewares/prepare.ts).
    firstName: r.firstName,
    language: r.language,
    householdName: r.householdName,
    wrongAttempts: r.wrongAttempts,
    lastAttemptAt: r.latest,
    lockedUntil: new Date(r.oldest.getTime() + ATTEMPT_WINDOW_MS),
  }));
}

/**
 * Lets the person try codes again at once: their wrong attempts of the last hour are forgotten, the
 * person is told in the bot (in their language), and the unlock is audited. "not_locked" when there
 * was nothing to lift (another staff member did it, or the hour passed).
 */
export async function unlockLinking(
  deps: { db: Db; clock: Clock; deliveryQueue: DeliveryQueue },
  input: { memberId: number; scope: StaffScope },
): Promise<"unlocked" | "not_locked" | "not_found"> {
  const { db, clock } = deps;
  const scope = input.scope;
  const member = await db.member.findFirst({
    where: {
      id: input.memberId,
      ...(scope.role === "admin"
        ? {}
        : { OR: [{ householdId: null }, { household: visibleHouseholds(scope) }] }),
    },
    select: { id: true, telegramUserId: true, language: true },
  });
  if (!member) return "not_found";
  const now = clock.now();
  const windowStart = new Date(now.getTime() - ATTEMPT_WINDOW_MS);
  const forgotten = await db.$transaction(async (tx) => {
    // The same lock as the attempts (core/linking.ts), so an attempt in flight is counted or forgotten.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`link:${member.telegramUserId}`}))`;
    const failures = await tx.linkAttempt.count({
      where: { telegramUserId: member.telegramUserId, succeeded: false, at: { gt: windowStart } },
    });
    if (failures < MAX_WRONG_ATTEMPTS) return 0;
    const deleted = await tx.linkAttempt.deleteMany({
      where: { telegramUserId: member.telegramUserId, succeeded: false, at: { gt: windowStart } },
    });
    await audit(tx, {
      actorType: "staff",
      actorId: input.scope.staffId,
      action: "link.unlocked",
      entityType: "member",
      entityId: member.id,
      details: { wrongAttempts: deleted.count },
    });
    return deleted.count;
  });
  if (forgotten === 0) return "not_locked";
  const t = translator(member.language);
  await requestDelivery(deps, {
    purpose: `link-unlocked:${member.id}:${now.getTime()}`,
    memberId: member.id,
    text: t("link.unlocked"),
    parseMode: "HTML",
  });
  return "unlocked";
}
