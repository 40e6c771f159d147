// Keeping the demo and production apart. The demo runs on a database of its own (config.ts,
// demoDatabaseUrl) that carries a marker row; a production process refuses any database that looks
// like a demo one, and the demo refuses to load its data into a database that holds anything else.
import { randomBytes } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { upsertStaff } from "../staff.ts";
import { DEMO_STAFF, ensureDemoStaff, seedDemoCasework, seedDemoOffices } from "./casework.ts";
import { loadDemoData } from "./seed.ts";

/** The demo's admin account; its password is random per demo database (DemoMarker). */
export const DEMO_EMAIL = "demo@bussola.local";
/** Who the demo's imports are audited as; a production database never has entries by this actor. */
export const DEMO_ACTOR = { actorType: "system", actorId: "demo" } as const;

/** A refusal that start-up prints as its one line (no stack trace) before exiting 1. */
export class DemoSeparationError extends Error {}

/** The database's name, for messages. */
export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
}

/** Why this database is (or was used as) a demo database, or null when nothing says so. */
export async function demoTrace(db: Db): Promise<string | null> {
  if ((await db.demoMarker.count()) > 0) return "is marked as a demo database";
  if ((await db.staff.count({ where: { email: DEMO_EMAIL } })) > 0)
    return `holds the demo account ${DEMO_EMAIL}`;
  // The demo's imports are audited as its own actor (and audit entries are never deleted). Not the
  // households' codes: the authority's example spreadsheet has the same ones, and may be imported.
  if ((await db.auditLog.count({ where: DEMO_ACTOR })) > 0) return "holds the demo households";
  return null;
}

/** For every process that is not the demo: throws DemoSeparationError on a demo database. */
export async function refuseDemoDatabase(db: Db, databaseUrl: string): Promise<void> {
  const trace = await demoTrace(db);
  if (trace === null) return;
  const name = databaseNameOf(databaseUrl);
  throw new DemoSeparationError(
    `Refusing to start: database "${name}" ${trace}, and this is a production process ` +
      "(a Telegram token, NODE_ENV=production or --role). Point DATABASE_URL at a database of its own " +
      `for production (the demo keeps its data in "${name.endsWith("_demo") ? name : `${name}_demo`}"), ` +
      `or drop "${name}" if it only ever held the demo.`,
  );
}

/**
 * The demo's start-up on its own database: marks a new (empty) database as a demo one, creates the
 * demo account with a random password, loads the demo data once. Returns the login to print.
 */
export async function prepareDemoDatabase(
  db: Db,
  databaseUrl: string,
  deps: { clock: Clock; logger: Logger },
): Promise<{
  email: string;
  password: string;
  others: readonly { email: string; role: string; office: string }[];
}> {
  let marker = await db.demoMarker.findUnique({ where: { id: 1 } });
  if (!marker) {
    const [staff, households, courses] = await Promise.all([
      db.staff.count(),
      db.household.count(),
      db.course.count(),
    ]);
    if (staff + households + courses > 0) {
      throw new DemoSeparationError(
        `Refusing to load demo data: database "${databaseNameOf(databaseUrl)}" is not a demo database and ` +
          "already holds data. Set DEMO_DATABASE_URL to a new database for the demo, or start a production " +
          "process (TELEGRAM_BOT_TOKEN, or --role) on this one.",
      );
    }
    // The marker goes in first: a demo start that dies half-way leaves a database production refuses.
    const password = randomBytes(12).toString("base64url");
    await db.demoMarker.createMany({
      data: [{ id: 1, staffEmail: DEMO_EMAIL, staffPassword: password }],
      skipDuplicates: true,
    });
    marker = await db.demoMarker.findUniqueOrThrow({ where: { id: 1 } });
  }
  if ((await db.staff.count({ where: { email: marker.staffEmail } })) === 0) {
    await upsertStaff(db, { email: marker.staffEmail, role: "admin", password: marker.staffPassword });
  }
  await seedDemoOffices(db);
  const loaded = await loadDemoData(db, deps.clock, deps.logger);
  await ensureDemoStaff(db, marker.staffPassword);
  if (loaded) await seedDemoCasework(db, deps.clock);
  return { email: marker.staffEmail, password: marker.staffPassword, others: DEMO_STAFF };
}
