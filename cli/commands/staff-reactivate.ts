import { audit } from "../../core/audit.ts";
import { findStaff, setStaffActive } from "../../core/staff.ts";
import { type Command, cliActor, InputRejected } from "../command.ts";
import { withDatabase } from "../database.ts";

export const staffReactivate: Command = {
  name: "staff:reactivate",
  args: "EMAIL",
  summary: "Give a deactivated admin-panel account its access back, with its password and role unchanged",
  help: [
    "If the password may be known to someone else, use `staff:add --email EMAIL --role ROLE` instead:",
    "it sets a new password and reactivates the account in one step.",
  ],
  positionals: ["EMAIL"],
  async run({ positionals, env, io }) {
    const email = positionals[0] as string;
    await withDatabase(env, async (db) => {
      const staff = await findStaff(db, email);
      if (!staff) throw new InputRejected([`no account with the e-mail ${JSON.stringify(email.trim())}`]);
      if ((await setStaffActive(db, staff.id, true)) === null) {
        io.out(`${staff.email} is already active (id ${staff.id}): nothing changed.`);
        return;
      }
      await audit(db, {
        ...cliActor(env),
        action: "staff.reactivated",
        entityType: "staff",
        entityId: staff.id,
      });
      io.out(`Reactivated ${staff.email} (id ${staff.id}, ${staff.role}).`);
    });
  },
};
