import { audit } from "../../core/audit.ts";
import { systemClock } from "../../core/clock.ts";
import { issueLinkCode } from "../../core/linking.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { type Command, cliActor, InputRejected } from "../command.ts";
import { withDatabase } from "../database.ts";

export const linkCode: Command = {
  name: "link-code",
  args: "CONTRACT_CODE",
  summary: "Issue a one-time code that links a household member's Telegram to the household",
  help: [
    "The code is printed as the last line of output. Give it only to the household: whoever sends",
    "it to the bot first (/start CODE) sees the household's debt. Only its hash is stored.",
  ],
  positionals: ["CONTRACT_CODE"],
  async run({ positionals, env, io }) {
    const contractCode = positionals[0] as string;
    await withDatabase(env, async (db) => {
      const issued = await issueLinkCode(db, contractCode, systemClock);
      if (!issued) throw new InputRejected([`unknown contract code ${JSON.stringify(contractCode.trim())}`]);
      // The household id only: the code itself must not outlive this terminal.
      await audit(db, {
        ...cliActor(env),
        action: "linkcode.issued",
        entityType: "household",
        entityId: issued.householdId,
      });
      io.out(
        `Single-use code, valid until ${formatRomeDateTime(issued.expiresAt)} (Europe/Rome). ` +
          "The household sends it to the bot: /start CODE",
      );
      io.out(issued.code);
    });
  },
};
