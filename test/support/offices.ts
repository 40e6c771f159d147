// The office most tests' staff work in: it covers the municipalities the test data uses, so staff
// given this office see those households (core/offices/scope.ts), as before offices existed.
import type { Db } from "../../core/db/client.ts";
import { saveOffice } from "../../core/offices/offices.ts";

export const TEST_MUNICIPALITIES = ["Brescia", "Cremona", "Mantova", "Desenzano del Garda", "Chiari"];

/** Creates (or finds) the test office; households already there join it. Returns its id. */
export async function testOffice(db: Db): Promise<number> {
  return (
    await saveOffice(db, { code: "TEST", name: "Ufficio di prova", municipalities: TEST_MUNICIPALITIES })
  ).officeId;
}
