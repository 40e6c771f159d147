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
 */
export async function upsertStaff(
  db: Db,
  input: { email: string; role: StaffRole; password: string; firstName?: string; telegramUserId?: bigint },
): Promise<{ id: number; created: boolean }> {
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const existing = await db.staff.findUnique({ where: { email } });
  const optional = {
    ...(input.firstName === undefined ? {} : { firstName: input.firstName }),
    ...(input.telegramUserId === undefined ? {} : { telegramUserId: input.telegramUserId }),
  };
  const staff = await db.staff.upsert({
    where: { email },
    create: { email, role: input.role, passwordHash, ...optional },
    update: { role: input.role, passwordHash, active: true, ...optional },
  });
  return { id: staff.id, created: !existing };
}

/** Another account already linked to this Telegram user, if any (the link is unique). */
export async function staffWithTelegramUser(
  db: Db,
  telegramUserId: bigint,
): Promise<{ id: number; email: string } | null> {
  return db.staff.findUnique({ where: { telegramUserId }, select: { id: true, email: true } });
}
