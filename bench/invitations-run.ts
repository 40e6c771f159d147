// The work bench/invitations.ts measures, in a process of its own: every household of the database
// gets a letter, as an admin would print them from /invitations. Prints one JSON line.
import { systemClock } from "../core/clock.ts";
import { createDb } from "../core/db/client.ts";
import { issueInvitations } from "../core/invitations/issue.ts";

const db = createDb(process.env.DATABASE_URL as string);
const begin = performance.now();
try {
  const result = await issueInvitations(
    { db, clock: systemClock },
    { staffId: 1, role: "admin", officeId: null },
    { kind: "batch", municipality: null, onlyUnlinked: true },
    { botUsername: "aler_bussola_bot" },
  );
  if (result.status !== "ready") throw new Error(`no letters: ${result.status}`);
  const seconds = (performance.now() - begin) / 1000;
  console.log(
    JSON.stringify({
      seconds,
      letters: result.count,
      megabytes: result.pdf.length / (1024 * 1024),
    }),
  );
} finally {
  await db.$disconnect();
}
