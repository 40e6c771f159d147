import { readFile } from "node:fs/promises";
import { audit } from "../../core/audit.ts";
import { listOffices, OFFICE_CODE, saveOffice } from "../../core/offices/offices.ts";
import { type Command, cliActor, InputRejected, stringOption, UsageError } from "../command.ts";
import { withDatabase } from "../database.ts";

const MAX_NAME_LENGTH = 100;
const MAX_MUNICIPALITY_LENGTH = 100;

/** One municipality a line; blank lines and lines starting with # are skipped. */
export function municipalitiesOf(text: string): string[] {
  return text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

export const officeSet: Command = {
  name: "office:set",
  args: "--code CODE --name NAME --municipalities FILE",
  summary: "Create or update an office and the municipalities it covers (its households follow)",
  help: [
    "FILE lists the municipalities, one a line, spelled as in the households file (case and extra",
    "spaces do not matter). The list replaces the office's previous one: a municipality taken from",
    "another office moves here, with its households; a household that changes office loses its",
    "case worker (of the old office). Operators and coordinators see their office's households only.",
    "Without options: lists the offices.",
  ],
  options: {
    code: { type: "string" },
    name: { type: "string" },
    municipalities: { type: "string" },
  },
  async run({ options, env, io }) {
    const code = stringOption(options, "code");
    const name = stringOption(options, "name");
    const file = stringOption(options, "municipalities");
    if (code === undefined && name === undefined && file === undefined) {
      await withDatabase(env, async (db) => {
        for (const office of await listOffices(db)) io.out(`${office.code}\t${office.name}`);
      });
      return;
    }
    if (code === undefined) throw new UsageError("missing --code");
    if (name === undefined) throw new UsageError("missing --name");
    if (file === undefined) throw new UsageError("missing --municipalities");
    const problems: string[] = [];
    if (!OFFICE_CODE.test(code))
      problems.push(`office code ${JSON.stringify(code)}: use 1-10 capital letters or digits, e.g. BS`);
    if (name.trim() === "" || name.length > MAX_NAME_LENGTH)
      problems.push(`office name: 1-${MAX_NAME_LENGTH} characters`);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      throw new InputRejected([`cannot read ${file}`]);
    }
    const municipalities = municipalitiesOf(text);
    municipalities.forEach((m, i) => {
      if (m.length > MAX_MUNICIPALITY_LENGTH)
        problems.push(`line ${i + 1}: a municipality name is at most ${MAX_MUNICIPALITY_LENGTH} characters`);
    });
    if (municipalities.length === 0) problems.push(`${file}: no municipality listed`);
    if (problems.length > 0) throw new InputRejected(problems);
    await withDatabase(env, async (db) => {
      const saved = await saveOffice(db, { code, name: name.trim(), municipalities });
      await audit(db, {
        ...cliActor(env),
        action: "office.saved",
        entityType: "office",
        entityId: saved.officeId,
        details: { municipalities: municipalities.length, householdsMoved: saved.householdsMoved },
      });
      io.out(
        `Office ${code} saved: ${municipalities.length} municipalities, ${saved.householdsMoved} household(s) changed office.`,
      );
    });
  },
};
