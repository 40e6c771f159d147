import { audit } from "../../core/audit.ts";
import type { StaffRole } from "../../core/db/client.ts";
import { officeByCode } from "../../core/offices/offices.ts";
import {
  generatePassword,
  isValidEmail,
  MIN_PASSWORD_LENGTH,
  normalizeEmail,
  STAFF_ROLES,
  staffWithTelegramUser,
  upsertStaff,
} from "../../core/staff.ts";
import { type Command, cliActor, InputRejected, stringOption, UsageError } from "../command.ts";
import { withDatabase } from "../database.ts";

/** Beyond any passphrase a person types; keeps an accidental paste of a file out of the hash. */
const MAX_PASSWORD_LENGTH = 256;
const MAX_FIRST_NAME_LENGTH = 64;

function isRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

export const staffAdd: Command = {
  name: "staff:add",
  args: "--email E --role admin|coordinator|operator [--password P] [--first-name N] [--telegram-user-id ID] [--office CODE]",
  summary:
    "Create an admin-panel account, or reset the role and password of an existing one (ending its sessions)",
  help: [
    "Without --password a password is generated and printed once, as the last line.",
    "Prefer that: a password typed on the command line stays in the shell history.",
    `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`,
    "--first-name signs the person's replies to households (else the e-mail's name is used).",
    "--telegram-user-id lets them answer and /claim cases from the operators' Telegram group",
    "(the bot tells an unknown person their id when they try /claim there).",
    "--office puts operators and coordinators in an office (see office:set): they see its households",
    "only. Without an office they see none; admins see every office.",
  ],
  options: {
    email: { type: "string" },
    role: { type: "string" },
    password: { type: "string" },
    "first-name": { type: "string" },
    "telegram-user-id": { type: "string" },
    office: { type: "string" },
  },
  async run({ options, env, io }) {
    const email = stringOption(options, "email");
    const role = stringOption(options, "role");
    const given = stringOption(options, "password");
    const firstNameOption = stringOption(options, "first-name");
    const telegramOption = stringOption(options, "telegram-user-id");
    const officeOption = stringOption(options, "office");
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
    const firstName = firstNameOption?.trim();
    if (firstName !== undefined && (firstName === "" || firstName.length > MAX_FIRST_NAME_LENGTH)) {
      problems.push(`the first name must have 1 to ${MAX_FIRST_NAME_LENGTH} characters`);
    }
    const telegramUserId =
      telegramOption !== undefined && /^[1-9]\d{0,15}$/.test(telegramOption.trim())
        ? BigInt(telegramOption.trim())
        : undefined;
    if (telegramOption !== undefined && telegramUserId === undefined) {
      problems.push(`${JSON.stringify(telegramOption)} is not a Telegram user id (a positive whole number)`);
    }
    // `!isRole` again only to narrow the type: an unknown role is already among the problems.
    if (problems.length || !isRole(role)) throw new InputRejected(problems);

    const password = given ?? generatePassword();
    const staff = await withDatabase(env, async (db) => {
      if (telegramUserId !== undefined) {
        const holder = await staffWithTelegramUser(db, telegramUserId);
        if (holder && holder.email !== normalizeEmail(email)) {
          throw new InputRejected([`Telegram user ${telegramUserId} is already linked to ${holder.email}`]);
        }
      }
      let officeId: number | undefined;
      if (officeOption !== undefined) {
        const office = await officeByCode(db, officeOption.trim());
        if (!office)
          throw new InputRejected([`unknown office ${JSON.stringify(officeOption)}: see office:set`]);
        officeId = office.id;
      }
      const saved = await upsertStaff(db, {
        email,
        role,
        password,
        ...(officeId === undefined ? {} : { officeId }),
        ...(firstName === undefined ? {} : { firstName }),
        ...(telegramUserId === undefined ? {} : { telegramUserId }),
      });
      await audit(db, {
        ...cliActor(env),
        action: saved.created ? "staff.created" : "staff.updated",
        entityType: "staff",
        entityId: saved.id,
        details: {
          role,
          passwordGenerated: given === undefined,
          firstNameSet: firstName !== undefined,
          telegramLinked: telegramUserId !== undefined,
          ...(officeId === undefined ? {} : { officeId }),
          sessionsEnded: saved.sessionsEnded,
        },
      });
      return saved;
    });

    const address = normalizeEmail(email);
    io.out(
      staff.created
        ? `Created ${role} account ${address} (id ${staff.id}).`
        : `${address} already had an account (id ${staff.id}): role set to ${role}, password replaced, account active, ` +
            `${staff.sessionsEnded} session(s) ended.`,
    );
    if (given === undefined) {
      io.out("Generated password, shown only this once:");
      io.out(password);
    }
  },
};
