// The attendance register: per session and enrolled member present / absent / excused and the hours
// attended; the attendance rate per person and per course, and a person's rate across every course
// (overall and course by course, for the household's page and the session's list); hours per month
// for paid placements (what the monthly allowance is computed from); the register as CSV for Excel
// in Italian.
//
// Rate = present ÷ (present + absent): an excused absence does not count against the person.
import { TZDate } from "@date-fns/tz";
import { audit } from "../audit.ts";
import type { AttendanceStatus, Db } from "../db/client.ts";
import type { StaffScope } from "../offices/scope.ts";
import { formatRomeDateTime, TIME_ZONE } from "../time.ts";
import { type EnrolledPerson, formatHours, parseHours } from "./admin.ts";

export const ATTENDANCE_STATUSES = [
  "present",
  "absent",
  "excused",
] as const satisfies readonly AttendanceStatus[];

export type RegisterLine = {
  memberId: number;
  household: EnrolledPerson["household"];
  status: AttendanceStatus | null;
  minutes: number | null;
};

type HouseholdRow = { id: number; name: string; contractCode: string; officeId: number | null } | null;

function seenHousehold(scope: StaffScope, h: HouseholdRow): EnrolledPerson["household"] {
  if (!h) return null;
  const seen = scope.role === "admin" || (scope.officeId !== null && h.officeId === scope.officeId);
  return seen ? { id: h.id, name: h.name, contractCode: h.contractCode } : null;
}

const householdSelect = { select: { id: true, name: true, contractCode: true, officeId: true } } as const;

/** The members holding a place, and anyone already in the register (who may have cancelled since). */
export async function registerLines(db: Db, scope: StaffScope, sessionId: number): Promise<RegisterLine[]> {
  const [enrolments, marks] = await Promise.all([
    db.enrolment.findMany({
      where: { sessionId, status: "enrolled" },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { member: { select: { id: true, household: householdSelect } } },
    }),
    db.attendance.findMany({
      where: { sessionId },
      orderBy: { id: "asc" },
      select: { status: true, minutes: true, member: { select: { id: true, household: householdSelect } } },
    }),
  ]);
  const lines = new Map<number, RegisterLine>();
  for (const e of enrolments) {
    lines.set(e.member.id, {
      memberId: e.member.id,
      household: seenHousehold(scope, e.member.household),
      status: null,
      minutes: null,
    });
  }
  for (const m of marks) {
    lines.set(m.member.id, {
      memberId: m.member.id,
      household: seenHousehold(scope, m.member.household),
      status: m.status,
      minutes: m.minutes,
    });
  }
  return [...lines.values()];
}

export type RegisterEntry = { memberId: number; status: string; hours: string };

/**
 * Writes the register. A line with no status chosen is left as it was; "present" with no hours gets
 * the session's hours; absent and excused count no hours. Nothing is written when any line is wrong.
 */
export async function saveRegister(
  db: Db,
  input: {
    staffId: number;
    sessionId: number;
    sessionMinutes: number;
    allowed: ReadonlySet<number>;
    entries: RegisterEntry[];
  },
): Promise<{ ok: true; saved: number } | { ok: false; problems: ("registerHours" | "registerPerson")[] }> {
  const problems = new Set<"registerHours" | "registerPerson">();
  const rows: { memberId: number; status: AttendanceStatus; minutes: number }[] = [];
  for (const entry of input.entries) {
    if (!input.allowed.has(entry.memberId)) {
      problems.add("registerPerson");
      continue;
    }
    const status = ATTENDANCE_STATUSES.find((s) => s === entry.status);
    if (!status) continue;
    let minutes = 0;
    if (status === "present") {
      const parsed = entry.hours.trim() === "" ? input.sessionMinutes : parseHours(entry.hours);
      if (parsed === null || parsed <= 0 || parsed > 24 * 60) {
        problems.add("registerHours");
        continue;
      }
      minutes = parsed;
    }
    rows.push({ memberId: entry.memberId, status, minutes });
  }
  if (problems.size > 0) return { ok: false, problems: [...problems] };
  await db.$transaction(async (tx) => {
    for (const row of rows) {
      await tx.attendance.upsert({
        where: { sessionId_memberId: { sessionId: input.sessionId, memberId: row.memberId } },
        create: { sessionId: input.sessionId, ...row },
        update: { status: row.status, minutes: row.minutes },
      });
    }
    await audit(tx, {
      actorType: "staff",
      actorId: input.staffId,
      action: "course.register.saved",
      entityType: "CourseSession",
      entityId: input.sessionId,
      details: { lines: rows.length },
    });
  });
  return { ok: true, saved: rows.length };
}

export type PersonAttendance = {
  memberId: number;
  household: EnrolledPerson["household"];
  present: number;
  absent: number;
  excused: number;
  rate: number | null;
  /** Minutes attended per month ("12/2026"), Europe/Rome. */
  minutesByMonth: Record<string, number>;
};

export type AttendanceSummary = {
  rate: number | null;
  recorded: number;
  /** Months with hours, oldest first ("11/2026"). */
  months: string[];
  people: PersonAttendance[];
};

function monthOf(instant: Date): { key: string; label: string } {
  const z = new TZDate(instant.getTime(), TIME_ZONE);
  const mm = String(z.getMonth() + 1).padStart(2, "0");
  return { key: `${z.getFullYear()}-${mm}`, label: `${mm}/${z.getFullYear()}` };
}

/** The attendance rate: present ÷ (present + absent); null with nothing marked (also core/results/training.ts). */
export const rateOf = (present: number, absent: number) =>
  present + absent === 0 ? null : present / (present + absent);

/** The course's register summed up: per person and for the course (cancelled sessions left out). */
export async function courseAttendance(
  db: Db,
  scope: StaffScope,
  courseId: number,
): Promise<AttendanceSummary> {
  const marks = await db.attendance.findMany({
    where: { session: { courseId, cancelledAt: null } },
    orderBy: [{ memberId: "asc" }],
    select: {
      status: true,
      minutes: true,
      session: { select: { startsAt: true } },
      member: { select: { id: true, household: householdSelect } },
    },
  });
  const people = new Map<number, PersonAttendance>();
  const months = new Map<string, string>();
  let present = 0;
  let absent = 0;
  for (const m of marks) {
    let person = people.get(m.member.id);
    if (!person) {
      person = {
        memberId: m.member.id,
        household: seenHousehold(scope, m.member.household),
        present: 0,
        absent: 0,
        excused: 0,
        rate: null,
        minutesByMonth: {},
      };
      people.set(m.member.id, person);
    }
    person[m.status]++;
    if (m.status === "present") present++;
    if (m.status === "absent") absent++;
    if (m.minutes > 0) {
      const month = monthOf(m.session.startsAt);
      months.set(month.key, month.label);
      person.minutesByMonth[month.label] = (person.minutesByMonth[month.label] ?? 0) + m.minutes;
    }
  }
  for (const person of people.values()) person.rate = rateOf(person.present, person.absent);
  return {
    rate: rateOf(present, absent),
    recorded: marks.length,
    months: [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, label]) => label),
    people: [...people.values()],
  };
}

/** A cell as Excel reads it safely: quoted when needed, and a formula-looking text made plain text. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[";\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * The course's register as CSV: UTF-8 with a BOM, `;` separated, CRLF, as Excel in Italian opens it.
 * Households of another office are named by member number only. Every export is audited.
 */
export async function registerCsv(
  db: Db,
  scope: StaffScope,
  input: {
    courseId: number;
    staffId: number;
    headers: readonly string[];
    statusLabel: (s: AttendanceStatus) => string;
  },
): Promise<string> {
  const marks = await db.attendance.findMany({
    where: { session: { courseId: input.courseId } },
    orderBy: [{ session: { startsAt: "asc" } }, { memberId: "asc" }],
    select: {
      status: true,
      minutes: true,
      session: {
        select: {
          startsAt: true,
          endsAt: true,
          location: true,
          course: { select: { code: true, title: true } },
        },
      },
      member: { select: { id: true, household: householdSelect } },
    },
  });
  const lines = [input.headers.map(csvCell).join(";")];
  for (const m of marks) {
    const h = seenHousehold(scope, m.member.household);
    lines.push(
      [
        m.session.course.code,
        m.session.course.title,
        formatRomeDateTime(m.session.startsAt),
        formatRomeDateTime(m.session.endsAt),
        m.session.location,
        String(m.member.id),
        h?.contractCode ?? "",
        h?.name ?? "",
        input.statusLabel(m.status),
        formatHours(m.minutes),
      ]
        .map(csvCell)
        .join(";"),
    );
  }
  await audit(db, {
    actorType: "staff",
    actorId: input.staffId,
    action: "course.register.exported",
    entityType: "Course",
    entityId: input.courseId,
    details: { lines: marks.length },
  });
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

// ─── A person's attendance across every course ─────────────────────────────────

export type Tally = { present: number; absent: number; excused: number; rate: number | null };
export type CourseTally = Tally & { courseId: number; title: string };
export type MemberAttendance = {
  memberId: number;
  firstName: string | null;
  /** Every course together. */
  overall: Tally;
  /** Per course, by title. */
  courses: CourseTally[];
};

type Mark = {
  status: AttendanceStatus;
  member: { id: number; firstName: string | null };
  session: { course: { id: number; title: string } };
};

const emptyTally = (): Tally => ({ present: 0, absent: 0, excused: 0, rate: null });

function tally(marks: Mark[]): MemberAttendance[] {
  const people = new Map<number, MemberAttendance & { byCourse: Map<number, CourseTally> }>();
  for (const m of marks) {
    let person = people.get(m.member.id);
    if (!person) {
      person = {
        memberId: m.member.id,
        firstName: m.member.firstName,
        overall: emptyTally(),
        courses: [],
        byCourse: new Map(),
      };
      people.set(m.member.id, person);
    }
    const { id, title } = m.session.course;
    let course = person.byCourse.get(id);
    if (!course) {
      course = { courseId: id, title, ...emptyTally() };
      person.byCourse.set(id, course);
    }
    person.overall[m.status]++;
    course[m.status]++;
  }
  return [...people.values()]
    .sort((a, b) => a.memberId - b.memberId)
    .map(({ byCourse, ...person }) => {
      for (const t of [person.overall, ...byCourse.values()]) t.rate = rateOf(t.present, t.absent);
      return {
        ...person,
        courses: [...byCourse.values()].sort(
          (a, b) => a.title.localeCompare(b.title, "it") || a.courseId - b.courseId,
        ),
      };
    });
}

const markSelect = {
  status: true,
  member: { select: { id: true, firstName: true } },
  session: { select: { course: { select: { id: true, title: true } } } },
} as const;

/**
 * The attendance of these members over every course they were in the register of (cancelled
 * sessions left out, as in the course's own figures), overall and per course.
 */
export async function membersAttendance(
  db: Db,
  memberIds: readonly number[],
): Promise<Map<number, MemberAttendance>> {
  if (memberIds.length === 0) return new Map();
  const marks = await db.attendance.findMany({
    where: { memberId: { in: [...memberIds] }, session: { cancelledAt: null } },
    select: markSelect,
  });
  return new Map(tally(marks).map((m) => [m.memberId, m]));
}

/** The same for every member of a household who was ever in a register (the household's page). */
export async function householdAttendance(db: Db, householdId: number): Promise<MemberAttendance[]> {
  const marks = await db.attendance.findMany({
    where: { member: { householdId }, session: { cancelledAt: null } },
    select: markSelect,
  });
  return tally(marks);
}
