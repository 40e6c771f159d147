import { audit } from "../../core/audit.ts";
import type { StaffRole } from "../../core/db/client.ts";
import {
  generatePassword,
  isValidEmail,
  MIN_PASSWORD_LENGTH,
  normalizeEmail,
  STAFF_ROLES,
  upsertStaff,
} from "../../core/staff.ts";
import { type Command, cliActor, InputRejected, stringOption, UsageError } from "../command.ts";
import { withDatabase } from "../database.ts";

/** Beyond any passphrase a person types; keeps an accidental paste of a file out of the hash. */
const MAX_PASSWORD_LENGTH = 256;

function isRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

export const staffAdd: Command = {
  name: "staff:add",
  args: "--email E --role admin|coordinator|operator [--password P]",
  summary: "Create an admin-panel account, or reset the role and password of an existing one",
  help: [
    "Without --password a password is generated and printed once, as the last line.",
    "Prefer that: a password typed on the command line stays in the shell history.",
    `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`,
  ],
  options: { email: { type: "string" }, role: { type: "string" }, password: { type: "string" } },
  async run({ options, env, io }) {
    const email = stringOption(options, "email");
    const role = stringOption(options, "role");
    const given = stringOption(options, "password");
    if (email === undefined) throw new UsageError("missing --email");
    if (role === undefined) throw new UsageError("missing --role");

    const problems: string[] = [];
    if (!isValidEmail(normalizeEmail(email)))
      problems.push(`${JSON.stringify(email)} is not an e-mail address`);
    if (!isRole(role))
      problems.push(`unknown role ${JSON.stringify(role)}: use one of ${STAFF_ROLES.join(", ")}`);
    if (given !== undefined && given.length < MIN_PASSWORD_LENGTH) {
      problems.push(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    if (given !== undefined && given.length > MAX_PASSWORD_LENGTH) {
      problems.push(`the password must have at most ${MAX_PASSWORD_LENGTH} characters`);
    }
    // `!isRole` again only to narrow the type: an unknown role is already among the problems.
    if (problems.length || !isRole(role)) throw new InputRejected(problems);

    const password = given ?? generatePassword();
    const staff = await withDatabase(env, async (db) => {
      const saved = await upsertStaff(db, { email, role, password });
      await audit(db, {
        ...cliActor(env),
        action: saved.created ? "staff.created" : "staff.updated",
        entityType: "staff",
        entityId: saved.id,
        details: { role, passwordGenerated: given === undefined },
      });
      return saved;
    });

    const address = normalizeEmail(email);
    io.out(
      staff.created
        ? `Created ${role} account ${address} (id ${staff.id}).`
        : `${address} already had an account (id ${staff.id}): role set to ${role}, password replaced, account active.`,
    );
    if (given === undefined) {
      io.out("Generated password, shown only this once:");
      io.out(password);
    }
  },
};
