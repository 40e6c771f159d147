// The authority's offices and the municipalities each covers. A household belongs to the office of
// its municipality: set when an office is saved (for the households already there) and when the
// households file is imported (for new and moved ones), so every query filters on one column.
import type { Db } from "../db/client.ts";

export const OFFICE_CODE = /^[A-Z][A-Z0-9]{0,9}$/;

/** How a municipality is matched: the households file's spelling, trimmed, case and spaces folded. */
export function municipalityKey(name: string): string {
  return name.trim().replace(/\s+/g, " ").toLocaleLowerCase("it-IT");
}

export type OfficeInput = { code: string; name: string; municipalities: readonly string[] };

/**
 * Creates or updates an office with exactly these municipalities (one taken from another office
 * moves here), then moves the households of every municipality that changed office. Returns how many
 * households changed office.
 */
export async function saveOffice(
  db: Db,
  input: OfficeInput,
): Promise<{ officeId: number; householdsMoved: number }> {
  const keys = new Map(input.municipalities.map((m) => [municipalityKey(m), m.trim().replace(/\s+/g, " ")]));
  return db.$transaction(async (tx) => {
    const office = await tx.office.upsert({
      where: { code: input.code },
      create: { code: input.code, name: input.name },
      update: { name: input.name },
      select: { id: true },
    });
    const before = await tx.officeMunicipality.findMany({
      where: { officeId: office.id },
      select: { key: true },
    });
    const dropped = before.map((b) => b.key).filter((k) => !keys.has(k));
    await tx.officeMunicipality.deleteMany({ where: { key: { in: dropped } } });
    for (const [key, name] of keys) {
      await tx.officeMunicipality.upsert({
        where: { key },
        create: { key, name, officeId: office.id },
        update: { name, officeId: office.id },
      });
    }
    // Keys folded here rather than in SQL: lower() follows the database's locale, not Italian.
    const changed = new Set([...dropped, ...keys.keys()]);
    const spellings = await tx.household.findMany({
      distinct: ["municipality"],
      select: { municipality: true },
    });
    let moved = 0;
    for (const key of changed) {
      const names = spellings.map((s) => s.municipality).filter((m) => municipalityKey(m) === key);
      if (names.length === 0) continue;
      const officeId = keys.has(key) ? office.id : null;
      const result = await tx.household.updateMany({
        where: {
          municipality: { in: names },
          ...(officeId === null
            ? { officeId: { not: null } }
            : { OR: [{ officeId: null }, { officeId: { not: officeId } }] }),
        },
        data: { officeId, caseWorkerId: null },
      });
      moved += result.count;
    }
    return { officeId: office.id, householdsMoved: moved };
  });
}

export async function officeByCode(db: Db, code: string): Promise<{ id: number; name: string } | null> {
  return db.office.findUnique({ where: { code }, select: { id: true, name: true } });
}

export async function listOffices(db: Db): Promise<{ id: number; code: string; name: string }[]> {
  return db.office.findMany({ orderBy: { code: "asc" }, select: { id: true, code: true, name: true } });
}
