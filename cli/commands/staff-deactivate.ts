import { audit } from "../../core/audit.ts";
import { findStaff, setStaffActive } from "../../core/staff.ts";
import { type Command, cliActor, InputRejected } from "../command.ts";
import { withDatabase } from "../database.ts";

export const staffDeactivate: Command = {
  name: "staff:deactivate",
  args: "EMAIL",
  summary: "Take an admin-panel account's access away: it can no longer log in, and its sessions end now",
  help: [
    "For someone who leaves, or whose account may be in the wrong hands. The account and what it did",
    "stay (the audit log names it); `staff:reactivate EMAIL` gives access back, and `staff:add` with",
    "the same e-mail sets a new password and reactivates it too.",
  ],
  positionals: ["EMAIL"],
  async run({ positionals, env, io }) {
    const email = positionals[0] as string;
    await withDatabase(env, async (db) => {
      const staff = await findStaff(db, email);
      if (!staff) throw new InputRejected([`no account with the e-mail ${JSON.stringify(email.trim())}`]);
      const ended = await setStaffActive(db, staff.id, false);
      if (ended === null) {
        io.out(`${staff.email} is already deactivated (id ${staff.id}): nothing changed.`);
        return;
      }
      await audit(db, {
        ...cliActor(env),
        action: "staff.deactivated",
        entityType: "staff",
        entityId: staff.id,
        details: { sessionsEnded: ended },
      });
      io.out(`Deactivated ${staff.email} (id ${staff.id}); ${ended} session(s) ended.`);
    });
  },
};
