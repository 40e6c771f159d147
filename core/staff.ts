// Staff accounts of the admin panel. Passwords are hashed with scrypt (N=2^17, r=8, p=1: OWASP's
// guidance), which needs no native module.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import type { Db, StaffRole } from "./db/client.ts";

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

const PARAMS = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
const KEY_LENGTH = 32;

export const STAFF_ROLES = ["admin", "coordinator", "operator"] as const satisfies readonly StaffRole[];
export const MIN_PASSWORD_LENGTH = 12;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const actual = await scryptAsync(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isValidEmail(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}

/** A readable random password for `staff:add` without --password. */
export function generatePassword(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * Creates the account, or resets role and password when the e-mail already exists. First name (how
 * replies are signed) and Telegram user id (acting from the operators' group) change only if given.
 * A reset ends every session of the account: a new password or role is not for a browser that
 * signed in with the old one (a stolen session dies with the password). Returns how many ended.
 */
export async function upsertStaff(
  db: Db,
  input: {
    email: string;
    role: StaffRole;
    password: string;
    firstName?: string;
    telegramUserId?: bigint;
    /** The office they work for (operators and coordinators see its households only). */
    officeId?: number | null;
  },
): Promise<{ id: number; created: boolean; sessionsEnded: number }> {
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const optional = {
    ...(input.firstName === undefined ? {} : { firstName: input.firstName }),
    ...(input.telegramUserId === undefined ? {} : { telegramUserId: input.telegramUserId }),
    ...(input.officeId === undefined ? {} : { officeId: input.officeId }),
  };
  return db.$transaction(async (tx) => {
    const existing = await tx.staff.findUnique({ where: { email }, select: { id: true } });
    const staff = await tx.staff.upsert({
      where: { email },
      create: { email, role: input.role, passwordHash, ...optional },
      update: { role: input.role, passwordHash, active: true, ...optional },
    });
    const ended = existing
      ? await tx.staffSession.deleteMany({ where: { staffId: staff.id } })
      : { count: 0 };
    return { id: staff.id, created: !existing, sessionsEnded: ended.count };
  });
}

export type StaffAccount = { id: number; email: string; role: StaffRole; active: boolean };

export async function findStaff(db: Db, email: string): Promise<StaffAccount | null> {
  return db.staff.findUnique({
    where: { email: normalizeEmail(email) },
    select: { id: true, email: true, role: true, active: true },
  });
}

/**
 * Deactivates or reactivates an account. Deactivating ends every session at once (the next click of
 * a signed-in browser goes to the log-in page, where the account is refused). Returns how many
 * sessions ended, or null when the account was already in that state (nothing changed).
 */
export async function setStaffActive(db: Db, staffId: number, active: boolean): Promise<number | null> {
  return db.$transaction(async (tx) => {
    const changed = await tx.staff.updateMany({ where: { id: staffId, active: !active }, data: { active } });
    if (changed.count === 0) return null;
    if (active) return 0;
    return (await tx.staffSession.deleteMany({ where: { staffId } })).count;
  });
}

export type StaffSessionInfo = { id: number; createdAt: Date; expiresAt: Date; lastSeenAt: Date | null };

/** The account's sessions still valid now (never their tokens: only hashes are stored anyway). */
export async function activeSessions(db: Db, staffId: number, now: Date): Promise<StaffSessionInfo[]> {
  return db.staffSession.findMany({
    where: { staffId, expiresAt: { gt: now } },
    orderBy: { createdAt: "asc" },
    select: { id: true, createdAt: true, expiresAt: true, lastSeenAt: true },
  });
}

/** Ends every session of the account; returns how many. */
export async function endStaffSessions(db: Db, staffId: number): Promise<number> {
  return (await db.staffSession.deleteMany({ where: { staffId } })).count;
}

/** Another account already linked to this Telegram user, if any (the link is unique). */
export async function staffWithTelegramUser(
  db: Db,
  telegramUserId: bigint,
): Promise<{ id: number; email: string } | null> {
  return db.staff.findUnique({ where: { telegramUserId }, select: { id: true, email: true } });
}
