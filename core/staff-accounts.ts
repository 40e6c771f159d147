// Staff accounts as admins manage them in the panel (/staff) and as each person manages their own
// (/account): invitations to choose a password, role and office, deactivation, sessions. The command
// line (cli/commands/staff-*.ts) stays on core/staff.ts; the rules here are the panel's:
// - an invited account has no usable password until its link is used (login refuses it: the stored
//   value is no scrypt hash);
// - operators and coordinators work for an office: a change that leaves one without is refused;
// - the last active admin cannot be demoted or deactivated (nobody could manage accounts after);
// - a role or office change, a deactivation, a new password ends the account's sessions.
import { createHash, randomBytes } from "node:crypto";
import type { Db, StaffRole } from "./db/client.ts";
import { hashPassword, isValidEmail, MIN_PASSWORD_LENGTH, normalizeEmail, verifyPassword } from "./staff.ts";

export const INVITATION_TTL_MS = 24 * 60 * 60 * 1000;
/** What an invited account stores instead of a hash: verifyPassword never accepts it. */
const NO_PASSWORD = "invited";
export const MAX_PASSWORD_LENGTH = 1024;

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

function tokenHash(token: string): string {
  return createHash("sha256").update(`bussola-staff-invitation:${token}`).digest("hex");
}

export function needsOffice(role: StaffRole): boolean {
  return role !== "admin";
}

/** Every account change that could leave no active admin takes this lock first (one at a time). */
async function lockAccounts(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('bussola:staff-accounts'))`;
}

async function otherActiveAdmins(tx: Tx, staffId: number): Promise<number> {
  return tx.staff.count({ where: { role: "admin", active: true, id: { not: staffId } } });
}

export type StaffRow = {
  id: number;
  email: string;
  firstName: string | null;
  role: StaffRole;
  active: boolean;
  officeId: number | null;
  officeName: string | null;
  /** The latest use of any of their sessions, null if never seen. */
  lastSeenAt: Date | null;
  /** Invited and the link not used yet. */
  invited: boolean;
};

const STAFF_ROW = {
  id: true,
  email: true,
  firstName: true,
  role: true,
  active: true,
  officeId: true,
  passwordHash: true,
  lastSeenAt: true,
  office: { select: { name: true } },
} as const;

function rowOf(row: {
  id: number;
  email: string;
  firstName: string | null;
  role: StaffRole;
  active: boolean;
  officeId: number | null;
  passwordHash: string;
  lastSeenAt: Date | null;
  office: { name: string } | null;
}): StaffRow {
  return {
    id: row.id,
    email: row.email,
    firstName: row.firstName,
    role: row.role,
    active: row.active,
    officeId: row.officeId,
    officeName: row.office?.name ?? null,
    lastSeenAt: row.lastSeenAt,
    invited: row.passwordHash === NO_PASSWORD,
  };
}

export async function listStaff(db: Db): Promise<StaffRow[]> {
  const rows = await db.staff.findMany({
    orderBy: [{ active: "desc" }, { email: "asc" }],
    select: STAFF_ROW,
  });
  return rows.map(rowOf);
}

export async function getStaff(db: Db, staffId: number): Promise<StaffRow | null> {
  const row = await db.staff.findUnique({ where: { id: staffId }, select: STAFF_ROW });
  return row ? rowOf(row) : null;
}

async function newInvitation(tx: Tx, staffId: number, now: Date): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  // One link at a time: a new one voids the ones before.
  await tx.staffInvitation.deleteMany({ where: { staffId } });
  await tx.staffInvitation.create({
    data: { staffId, tokenHash: tokenHash(token), expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) },
  });
  return token;
}

export type InviteProblem = "email" | "exists" | "officeRequired" | "officeUnknown";

/** Creates an account without a usable password and its invitation link's token (shown once). */
export async function inviteStaff(
  db: Db,
  input: { email: string; role: StaffRole; officeId: number | null; firstName: string | null },
  now: Date,
): Promise<{ ok: true; staffId: number; token: string } | { ok: false; problem: InviteProblem }> {
  const email = normalizeEmail(input.email);
  if (!isValidEmail(email) || email.length > 254) return { ok: false, problem: "email" };
  if (needsOffice(input.role) && input.officeId === null) return { ok: false, problem: "officeRequired" };
  return db.$transaction(async (tx) => {
    if (input.officeId !== null && !(await tx.office.findUnique({ where: { id: input.officeId } }))) {
      return { ok: false as const, problem: "officeUnknown" as const };
    }
    if (await tx.staff.findUnique({ where: { email }, select: { id: true } })) {
      return { ok: false as const, problem: "exists" as const };
    }
    const staff = await tx.staff.create({
      data: {
        email,
        role: input.role,
        passwordHash: NO_PASSWORD,
        officeId: input.officeId,
        firstName: input.firstName,
      },
    });
    return { ok: true as const, staffId: staff.id, token: await newInvitation(tx, staff.id, now) };
  });
}

/** A new link for an account still waiting to choose its password (the first expired or was lost). */
export async function reissueInvitation(db: Db, staffId: number, now: Date): Promise<string | null> {
  return db.$transaction(async (tx) => {
    const staff = await tx.staff.findUnique({ where: { id: staffId }, select: { passwordHash: true } });
    if (!staff || staff.passwordHash !== NO_PASSWORD) return null;
    return newInvitation(tx, staffId, now);
  });
}

/** The invitation's account when the link can still be used; null when unknown, used or expired. */
export async function openInvitation(
  db: Db,
  token: string,
  now: Date,
): Promise<{ staffId: number; email: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const row = await db.staffInvitation.findUnique({
    where: { tokenHash: tokenHash(token) },
    include: { staff: { select: { id: true, email: true, active: true, passwordHash: true } } },
  });
  if (!row || row.usedAt !== null || row.expiresAt <= now || !row.staff.active) return null;
  // A password set meanwhile (staff:add on the command line) makes the link pointless: refused.
  if (row.staff.passwordHash !== NO_PASSWORD) return null;
  return { staffId: row.staff.id, email: row.staff.email };
}

export type PasswordProblem = "short" | "long" | "mismatch";

export function passwordProblem(password: string, confirm: string): PasswordProblem | null {
  if (password.length < MIN_PASSWORD_LENGTH) return "short";
  if (password.length > MAX_PASSWORD_LENGTH) return "long";
  if (password !== confirm) return "mismatch";
  return null;
}

/**
 * Uses the link: sets the password and marks the invitation used, once (two tabs racing: one wins).
 * Returns the account, or null when the link cannot be used (anymore).
 */
export async function acceptInvitation(
  db: Db,
  token: string,
  password: string,
  now: Date,
): Promise<{ staffId: number } | null> {
  const open = await openInvitation(db, token, now);
  if (!open) return null;
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const used = await tx.staffInvitation.updateMany({
      where: { tokenHash: tokenHash(token), usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (used.count === 0) return null;
    await tx.staff.update({ where: { id: open.staffId }, data: { passwordHash } });
    await tx.staffSession.deleteMany({ where: { staffId: open.staffId } });
    return { staffId: open.staffId };
  });
}

export type ChangeProblem = "notFound" | "officeRequired" | "officeUnknown" | "lastAdmin";

/** New role and office; ends their sessions when either changed. */
export async function changeRoleAndOffice(
  db: Db,
  staffId: number,
  input: { role: StaffRole; officeId: number | null },
): Promise<{ ok: true; changed: boolean; sessionsEnded: number } | { ok: false; problem: ChangeProblem }> {
  if (needsOffice(input.role) && input.officeId === null) return { ok: false, problem: "officeRequired" };
  return db.$transaction(async (tx) => {
    await lockAccounts(tx);
    const staff = await tx.staff.findUnique({ where: { id: staffId } });
    if (!staff) return { ok: false as const, problem: "notFound" as const };
    if (input.officeId !== null && !(await tx.office.findUnique({ where: { id: input.officeId } }))) {
      return { ok: false as const, problem: "officeUnknown" as const };
    }
    if (staff.role === "admin" && staff.active && input.role !== "admin") {
      if ((await otherActiveAdmins(tx, staffId)) === 0)
        return { ok: false as const, problem: "lastAdmin" as const };
    }
    if (staff.role === input.role && staff.officeId === input.officeId) {
      return { ok: true as const, changed: false, sessionsEnded: 0 };
    }
    await tx.staff.update({ where: { id: staffId }, data: { role: input.role, officeId: input.officeId } });
    const ended = await tx.staffSession.deleteMany({ where: { staffId } });
    return { ok: true as const, changed: true, sessionsEnded: ended.count };
  });
}

/** Deactivates (ending every session) or reactivates; never the last active admin. */
export async function changeActive(
  db: Db,
  staffId: number,
  active: boolean,
): Promise<
  { ok: true; changed: boolean; sessionsEnded: number } | { ok: false; problem: "notFound" | "lastAdmin" }
> {
  return db.$transaction(async (tx) => {
    await lockAccounts(tx);
    const staff = await tx.staff.findUnique({ where: { id: staffId } });
    if (!staff) return { ok: false as const, problem: "notFound" as const };
    if (staff.active === active) return { ok: true as const, changed: false, sessionsEnded: 0 };
    if (!active && staff.role === "admin" && (await otherActiveAdmins(tx, staffId)) === 0) {
      return { ok: false as const, problem: "lastAdmin" as const };
    }
    await tx.staff.update({ where: { id: staffId }, data: { active } });
    const ended = active ? { count: 0 } : await tx.staffSession.deleteMany({ where: { staffId } });
    return { ok: true as const, changed: true, sessionsEnded: ended.count };
  });
}

export type OwnPasswordProblem = PasswordProblem | "wrongCurrent";

/** The signed-in person's new password; their other sessions end, this one stays. */
export async function changeOwnPassword(
  db: Db,
  input: { staffId: number; sessionId: number; current: string; password: string; confirm: string },
): Promise<{ ok: true; sessionsEnded: number } | { ok: false; problem: OwnPasswordProblem }> {
  const staff = await db.staff.findUnique({ where: { id: input.staffId }, select: { passwordHash: true } });
  let correct = false;
  try {
    correct =
      staff !== null &&
      input.current.length <= MAX_PASSWORD_LENGTH &&
      (await verifyPassword(input.current, staff.passwordHash));
  } catch {
    correct = false;
  }
  if (!correct) return { ok: false, problem: "wrongCurrent" };
  const problem = passwordProblem(input.password, input.confirm);
  if (problem) return { ok: false, problem };
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    await tx.staff.update({ where: { id: input.staffId }, data: { passwordHash } });
    const ended = await tx.staffSession.deleteMany({
      where: { staffId: input.staffId, id: { not: input.sessionId } },
    });
    return { ok: true as const, sessionsEnded: ended.count };
  });
}
