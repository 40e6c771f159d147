// /documents through the real bot and the sandbox, core/documents.ts directly, and the demo seed's
// checklists. The clock stands still on 15/10/2026 (Rome), so due dates are before or after it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { loadDemoData } from "../core/demo/seed.ts";
import {
  DOCUMENT_REQUIREMENTS,
  ensureDocumentRequirements,
  householdChecklist,
  setHouseholdDocument,
} from "../core/documents.ts";
import { createLogger } from "../core/logger.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import { createTestDatabase } from "./support/db.ts";
import { SandboxUser } from "./support/sandbox-user.ts";

const clock = fixedClock(new Date("2026-10-15T10:00:00Z"));
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

let h: BotHarness;
let householdId: number;

beforeAll(async () => {
  h = await startBotHarness({ clock });
  householdId = await h.household("DC-000001", { name: "Famiglia Documenti" });
  await setHouseholdDocument(h.db, {
    householdId,
    key: "isee",
    status: "verified",
    dueDate: day("2026-09-01"),
  });
  await setHouseholdDocument(h.db, {
    householdId,
    key: "income_declaration",
    status: "requested",
    dueDate: day("2026-10-10"),
  });
  await setHouseholdDocument(h.db, {
    householdId,
    key: "payment_receipts",
    status: "missing",
    dueDate: day("2026-10-31"),
  });
  // "contract": no row for this household.
});

afterAll(() => h.close());

describe("core/documents.ts", () => {
  it("seeds the requirements once, in order, even when asked in parallel", async () => {
    await Promise.all([ensureDocumentRequirements(h.db), ensureDocumentRequirements(h.db)]);
    await ensureDocumentRequirements(h.db);
    const rows = await h.db.documentRequirement.findMany({ orderBy: { sortOrder: "asc" } });
    expect(rows.map((r) => [r.key, r.sortOrder])).toEqual(DOCUMENT_REQUIREMENTS.map((key, i) => [key, i]));
  });

  it("gives each requirement the household's status, a due date only while outstanding, overdue by Rome's date", async () => {
    const items = await householdChecklist(h.db, householdId, clock);
    expect(items).toEqual([
      { key: "isee", status: "verified", dueDate: null, overdue: false },
      { key: "income_declaration", status: "requested", dueDate: day("2026-10-10"), overdue: true },
      { key: "payment_receipts", status: "missing", dueDate: day("2026-10-31"), overdue: false },
      { key: "contract", status: "unknown", dueDate: null, overdue: false },
    ]);
    // Due today is not overdue; at 23:30 UTC on the 15th it is already the 16th in Rome.
    const other = await h.household("DC-000009");
    await setHouseholdDocument(h.db, {
      householdId: other,
      key: "isee",
      status: "missing",
      dueDate: day("2026-10-15"),
    });
    const late = fixedClock(new Date("2026-10-15T21:59:00Z"));
    expect((await householdChecklist(h.db, other, late))[0]?.overdue).toBe(false);
    late.set(new Date("2026-10-15T22:01:00Z"));
    expect((await householdChecklist(h.db, other, late))[0]?.overdue).toBe(true);
    // Updating a row changes it, not adds one.
    await setHouseholdDocument(h.db, { householdId: other, key: "isee", status: "received" });
    expect((await householdChecklist(h.db, other, late))[0]).toEqual({
      key: "isee",
      status: "received",
      dueDate: null,
      overdue: false,
    });
    expect(await h.db.householdDocument.count({ where: { householdId: other } })).toBe(1);
  });
});

describe("/documents", () => {
  it("shows the checklist in Italian, with statuses, dates and where to get each paper", async () => {
    const user = await h.linkedUser("DC-000001", { language: "it" });
    const reply = await user.ask("/documents");
    const text = reply.text ?? "";
    expect(text).toContain("I tuoi documenti");
    expect(text).toContain("Consegnati: 1 su 4");
    // In the requirements' order.
    const order = ["ISEE", "Anagrafe utenza", "Ricevute di pagamento", "Contratto di affitto"].map((name) =>
      text.indexOf(name),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain("✅ A posto");
    expect(text).not.toContain("01/09/2026"); // verified: its old due date no longer matters
    expect(text).toContain("📨 Richiesto dal programma");
    expect(text).toContain("⏰ Era da portare entro il 10/10/2026");
    expect(text).toContain("/operator");
    expect(text).toContain("⬜ Da portare\n📅 Da portare entro il 31/10/2026");
    expect(text).toContain("❔ Da controllare con chi ti segue");
    expect(text).toContain("CAF");
    expect(text).toContain("INPS");
    expect(text).toContain("canone sanzionatorio");
    expect(text).toContain("bollettini pagati");
    expect(text).toContain("sportello ALER");
    // The menu button leads here too.
    expect((await user.ask("📄 Documenti")).text).toContain("Consegnati: 1 su 4");
  });

  it("shows the checklist in English", async () => {
    const user = await h.linkedUser("DC-000001", { language: "en" });
    const text = (await user.ask("/documents")).text ?? "";
    expect(text).toContain("Your documents");
    expect(text).toContain("Handed in: 1 of 4");
    expect(text).toContain("✅ All in order");
    expect(text).toContain("⏰ It was due by 10/10/2026");
    expect(text).toContain("📅 To bring by 31/10/2026");
    expect(text).toContain("❔ To check with your case worker");
    expect(text).toContain("Yearly income declaration");
    expect(text).toContain("penalty rent");
    expect(text).toContain("online on the INPS website");
    expect(text).toContain("ALER office");
  });

  it("says what is needed when nothing is recorded for the household yet", async () => {
    const user = await h.linkedUser("DC-000002", { language: "it" });
    const text = (await user.ask("/documents")).text ?? "";
    expect(text).toContain("Non c'è ancora nessun documento segnato");
    expect(text).not.toContain("Consegnati");
    expect(text.match(/❔ Da controllare con chi ti segue/g)).toHaveLength(4);
  });

  it("asks for the link code when not linked, and for the notice before that", async () => {
    const user = await h.newUser({ language: "en" });
    expect((await user.ask("/documents")).text).toContain("link code");
    const stranger = await SandboxUser.create(h.sandbox.url, { first_name: "Zoe", language_code: "it" });
    expect((await stranger.ask("/documents")).text).toContain("Prima di iniziare");
  });

  it("answers a redelivered /documents once", async () => {
    const user = await h.linkedUser("DC-000001", { language: "it" });
    const sent = await user.send({ text: "/documents" });
    await user.replies(1);
    await user.redeliver(sent.update_id);
    expect(await user.quietFor(1000)).toEqual([]);
  });

  it("shows a requirement added later by staff with its key, escaped, and a generic hint", async () => {
    await h.db.documentRequirement.create({ data: { key: "tessera<sanitaria>", sortOrder: 10 } });
    const user = await h.linkedUser("DC-000001", { language: "it" });
    const text = (await user.ask("/documents")).text ?? "";
    expect(text).toContain("tessera<sanitaria>\n❔ Da controllare con chi ti segue");
    expect(text).toContain("Chiedi a chi ti segue nel programma cos'è e dove trovarlo.");
    expect(text).toContain("Consegnati: 1 su 5");
  });
});

describe("demo data", () => {
  it("seeds the requirements and a few households' checklists", async () => {
    const database = await createTestDatabase();
    try {
      const logger = createLogger({ level: "silent" });
      expect(await loadDemoData(database.db, clock, logger)).toBe(true);
      const requirements = await database.db.documentRequirement.findMany({ orderBy: { sortOrder: "asc" } });
      expect(requirements.map((r) => r.key)).toEqual([...DOCUMENT_REQUIREMENTS]);
      const colombo = await database.db.household.findUniqueOrThrow({ where: { contractCode: "BS-004512" } });
      const rossi = await database.db.household.findUniqueOrThrow({ where: { contractCode: "BS-004600" } });
      const colomboItems = await householdChecklist(database.db, colombo.id, clock);
      expect(colomboItems.map((i) => i.status)).toEqual(["verified", "requested", "received", "verified"]);
      expect(colomboItems[1]?.dueDate).toEqual(day("2026-11-04"));
      const rossiItems = await householdChecklist(database.db, rossi.id, clock);
      expect(rossiItems.map((i) => [i.status, i.overdue])).toEqual([
        ["missing", true],
        ["missing", false],
        ["unknown", false],
        ["verified", false],
      ]);
      // A second start does not load demo data again.
      expect(await loadDemoData(database.db, clock, logger)).toBe(false);
      expect(await database.db.householdDocument.count()).toBe(9);
    } finally {
      await database.drop();
    }
  });
});

it("never sent Telegram a request it rejects", async () => {
  expect(await h.badRequests()).toEqual([]);
});
