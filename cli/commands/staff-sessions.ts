import { audit } from "../../core/audit.ts";
import { systemClock } from "../../core/clock.ts";
import { activeSessions, endStaffSessions, findStaff } from "../../core/staff.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { type Command, cliActor, InputRejected } from "../command.ts";
import { withDatabase } from "../database.ts";

export const staffSessions: Command = {
  name: "staff:sessions",
  args: "EMAIL [--revoke]",
  summary: "List an admin-panel account's active sessions; --revoke ends them all",
  help: [
    "One line per session: when it started, when it expires and when it was last used (to the",
    "minute), Europe/Rome. Tokens are never shown (only their hashes are stored).",
    "--revoke signs every browser of the account out at its next click; the account stays active",
    "(use staff:deactivate to keep them out, or staff:add to set a new password).",
  ],
  options: { revoke: { type: "boolean" } },
  positionals: ["EMAIL"],
  async run({ positionals, options, env, io }) {
    const email = positionals[0] as string;
    await withDatabase(env, async (db) => {
      const staff = await findStaff(db, email);
      if (!staff) throw new InputRejected([`no account with the e-mail ${JSON.stringify(email.trim())}`]);
      const sessions = await activeSessions(db, staff.id, systemClock.now());
      io.out(
        `${staff.email} (id ${staff.id}, ${staff.role}${staff.active ? "" : ", deactivated"}): ` +
          `${sessions.length} active session(s)`,
      );
      for (const s of sessions) {
        io.out(
          `  session ${s.id}: started ${formatRomeDateTime(s.createdAt)}, expires ${formatRomeDateTime(s.expiresAt)}, ` +
            `last seen ${s.lastSeenAt ? formatRomeDateTime(s.lastSeenAt) : "never"}`,
        );
      }
      if (options.revoke !== true) return;
      const ended = await endStaffSessions(db, staff.id);
      await audit(db, {
        ...cliActor(env),
        action: "staff.sessions_revoked",
        entityType: "staff",
        entityId: staff.id,
        details: { sessionsEnded: ended },
      });
      io.out(`Ended ${ended} session(s).`);
    });
  },
};
