import { audit } from "../../core/audit.ts";
import { systemClock } from "../../core/clock.ts";
import { issueLinkCode, revokeLinkCodes } from "../../core/linking.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { type Command, cliActor, InputRejected } from "../command.ts";
import { withDatabase } from "../database.ts";

export const linkCode: Command = {
  name: "link-code",
  args: "CONTRACT_CODE [--revoke]",
  summary:
    "Issue a one-time code that links a household member's Telegram to the household (--revoke voids them)",
  help: [
    "The code is printed as the last line of output. Give it only to the household: whoever sends",
    "it to the bot first (/start CODE) sees the household's debt. Only its hash is stored.",
    "A new code voids the household's older unused codes: one code is outstanding per household,",
    "so invite members one at a time (each links with a code of their own).",
    "--revoke voids the household's unused codes and issues none (e.g. a code went to the wrong",
    "person); the bot then answers them as expired. Members already linked stay linked.",
  ],
  options: { revoke: { type: "boolean" } },
  positionals: ["CONTRACT_CODE"],
  async run({ positionals, options, env, io }) {
    const contractCode = (positionals[0] as string).trim();
    await withDatabase(env, async (db) => {
      if (options.revoke === true) {
        const household = await db.household.findUnique({ where: { contractCode }, select: { id: true } });
        if (!household) throw new InputRejected([`unknown contract code ${JSON.stringify(contractCode)}`]);
        const voided = await revokeLinkCodes(db, household.id, systemClock);
        await audit(db, {
          ...cliActor(env),
          action: "linkcode.revoked",
          entityType: "household",
          entityId: household.id,
          details: { voided },
        });
        io.out(`${voided} unused code(s) voided for ${contractCode}.`);
        return;
      }
      const issued = await issueLinkCode(db, contractCode, systemClock);
      if (!issued) throw new InputRejected([`unknown contract code ${JSON.stringify(contractCode)}`]);
      // The household id only: the code itself must not outlive this terminal.
      await audit(db, {
        ...cliActor(env),
        action: "linkcode.issued",
        entityType: "household",
        entityId: issued.householdId,
        details: { olderVoided: issued.voided },
      });
      if (issued.voided > 0) io.out(`${issued.voided} older unused code(s) of this household voided.`);
      io.out(
        `Single-use code, valid until ${formatRomeDateTime(issued.expiresAt)} (Europe/Rome). ` +
          "The household sends it to the bot: /start CODE",
      );
      io.out(issued.code);
    });
  },
};
