// The results dashboard tests' common set-up: a database of their own, the offices their hand-made
// data is spread over, the staff in their roles and offices, and the admin panel on the test's clock.
// Each test file keeps its own data and expected figures; only this part was the same in all of them.
import type { FastifyInstance } from "fastify";
import { createAdminServer } from "../../admin/server.ts";
import type { Clock } from "../../core/clock.ts";
import { loadConfig } from "../../core/config.ts";
import type { StaffRole } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { saveOffice } from "../../core/offices/offices.ts";
import { upsertStaff } from "../../core/staff.ts";
import { StaffClient } from "./admin-client.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

export const RESULTS_PASSWORD = "correct horse battery staple";

/** The offices: A covers two municipalities (a filter by municipality splits it), B and C one each. */
const OFFICES = {
  A: { code: "BS", name: "Brescia", municipalities: ["Brescia", "Salò"] },
  B: { code: "CR", name: "Cremona", municipalities: ["Cremona"] },
  C: { code: "MN", name: "Mantova", municipalities: ["Mantova"] },
} as const;

export type OfficeKey = keyof typeof OFFICES;

export type ResultsFixtureOptions<O extends OfficeKey, S extends string> = {
  clock: Clock;
  /** The offices made, in this order. */
  offices: readonly O[];
  /** Staff by key: their emails, and each one's role and office (signed in with RESULTS_PASSWORD). */
  staff?: { emails: Readonly<Record<S, string>>; roles: readonly (readonly [S, StaffRole, O | null])[] };
  /** The admin panel, for tests that go through its pages; without it `as` and `client` cannot be used. */
  panel?: boolean;
};

export type ResultsFixture<O extends OfficeKey, S extends string> = {
  /** Each office's id, filled in by `open` (the same object throughout, so it may be kept). */
  readonly office: Record<O, number>;
  /** Each staff member's id, filled in by `open`. */
  readonly staffId: Partial<Record<S, number>>;
  /** Makes the database, the panel, the offices and the staff; the database is the test's to fill. */
  open(): Promise<TestDatabase>;
  /** A browser signed in as `email` (throws unless the panel answers the log-in with 303). */
  as(email: string): Promise<StaffClient>;
  /** A browser signed in as nobody. */
  client(): StaffClient;
  /** Closes the panel and drops the database (also after an `open` that failed halfway). */
  close(): Promise<void>;
};

/** Made when the test file loads; `open` in its beforeAll, `close` in its afterAll. */
export function resultsFixture<O extends OfficeKey, S extends string = never>(
  options: ResultsFixtureOptions<O, S>,
): ResultsFixture<O, S> {
  const office = Object.fromEntries(options.offices.map((key) => [key, 0])) as Record<O, number>;
  const staffId: Partial<Record<S, number>> = {};
  let t: TestDatabase | undefined;
  let app: FastifyInstance | undefined;
  const server = () => {
    if (!app) throw new Error("the results fixture has no panel (not opened, or opened with panel: false)");
    return app;
  };
  return {
    office,
    staffId,
    async open() {
      t = await createTestDatabase();
      if (options.panel ?? true) {
        app = createAdminServer({
          config: loadConfig({ DATABASE_URL: t.url }),
          logger: createLogger({ level: "silent" }),
          db: t.db,
          clock: options.clock,
        });
      }
      for (const key of options.offices) office[key] = (await saveOffice(t.db, OFFICES[key])).officeId;
      const { emails, roles } = options.staff ?? { emails: {} as Record<S, string>, roles: [] };
      for (const [key, role, officeKey] of roles) {
        const s = await upsertStaff(t.db, {
          email: emails[key],
          role,
          password: RESULTS_PASSWORD,
          firstName: key,
          officeId: officeKey === null ? null : office[officeKey],
        });
        staffId[key] = s.id;
      }
      return t;
    },
    as: (email) => new StaffClient(server, RESULTS_PASSWORD).login(email),
    client: () => new StaffClient(server, RESULTS_PASSWORD),
    async close() {
      await app?.close();
      await t?.drop();
    },
  };
}
