// New household messages, live (Server-Sent Events): a message the bot stores (through the same core
// function) reaches an open inbox stream of the household's office within 2 seconds; another office's
// never does; a case page's stream carries its own case only.
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { postHouseholdMessage } from "../core/cases.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { upsertStaff } from "../core/staff.ts";
import { AdminClient } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";

const PASSWORD = "una password lunga abbastanza";
const OP_A = "operatore.a@aler.example";

let t: TestDatabase;
let redis: Redis;
let deliveryQueue: DeliveryQueue;
let app: FastifyInstance;
let base: URL;
let cookie: string;
const households: Record<"a" | "a2" | "b", { householdId: number; memberId: number; caseId: number }> = {
  a: { householdId: 0, memberId: 0, caseId: 0 },
  a2: { householdId: 0, memberId: 0, caseId: 0 },
  b: { householdId: 0, memberId: 0, caseId: 0 },
};

/** An open event stream: every event received so far, parsed. */
type Stream = { events: { event: string; data: Record<string, unknown> }[]; status: number; close(): void };

function openStream(path: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { headers: { cookie, accept: "text/event-stream" } });
    req.on("error", reject);
    req.on("response", (response: IncomingMessage) => {
      const stream: Stream = { events: [], status: response.statusCode ?? 0, close: () => req.destroy() };
      let buffer = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) stream.events.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf("\n\n");
        }
      });
      response.on("error", () => undefined);
      resolve(stream);
    });
    req.end();
  });
}

const texts = (stream: Stream) => stream.events.filter((e) => e.event === "message").map((e) => e.data.text);

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  deliveryQueue = createDeliveryQueue(redis, testQueuePrefix());
  const officeA = (await saveOffice(t.db, { code: "BS", name: "Brescia", municipalities: ["Brescia"] }))
    .officeId;
  const officeB = (await saveOffice(t.db, { code: "MN", name: "Mantova", municipalities: ["Mantova"] }))
    .officeId;
  await upsertStaff(t.db, { email: OP_A, role: "operator", password: PASSWORD, officeId: officeA });
  let n = 500;
  for (const [key, officeId] of [
    ["a", officeA],
    ["a2", officeA],
    ["b", officeB],
  ] as const) {
    n++;
    const household = await t.db.household.create({
      data: {
        contractCode: `XX-000${n}`,
        name: `Famiglia ${key}`,
        fiscalCode: "XXXXXX80A01B157X",
        municipality: officeId === officeA ? "Brescia" : "Mantova",
        address: "Via Roma 1",
        officeId,
      },
    });
    const member = await t.db.member.create({
      data: { telegramUserId: BigInt(n), chatId: BigInt(n), firstName: "Ana", householdId: household.id },
    });
    const opened = await postHouseholdMessage(t.db, systemClock, {
      householdId: household.id,
      memberId: member.id,
      text: "Vorrei parlare con qualcuno",
      topic: "debt",
    });
    if (opened.status !== "opened") throw new Error("no case opened");
    households[key] = { householdId: household.id, memberId: member.id, caseId: opened.caseId };
  }
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock: systemClock,
    deliveryQueue,
  });
  base = new URL(await app.listen({ port: 0, host: "127.0.0.1" }));
  const client = new AdminClient(() => app);
  expect((await client.signIn(OP_A, PASSWORD)).statusCode).toBe(303);
  cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}, 60_000);

afterAll(async () => {
  await app?.close();
  await deliveryQueue?.obliterate({ force: true }).catch(() => undefined);
  await deliveryQueue?.close();
  await redis?.quit();
  await t?.drop();
});

async function write(key: "a" | "a2" | "b", text: string): Promise<void> {
  const { householdId, memberId } = households[key];
  const result = await postHouseholdMessage(t.db, systemClock, { householdId, memberId, text });
  expect(result.status).toBe("added");
}

describe("live household messages", () => {
  it("reach the office's open inbox within 2 s; another office's never do", async () => {
    const inbox = await openStream("/cases/events");
    try {
      expect(inbox.status).toBe(200);
      await write("b", "Messaggio di Mantova");
      const sent = Date.now();
      await write("a", "<img src=x onerror=alert(1)> Buongiorno da Brescia");
      await expect
        .poll(() => texts(inbox), { timeout: 2000, interval: 50 })
        .toContain("<img src=x onerror=alert(1)> Buongiorno da Brescia");
      expect(Date.now() - sent).toBeLessThan(2000);
      const event = inbox.events.find((e) => e.event === "message");
      expect(event?.data).toMatchObject({ caseId: households.a.caseId, firstName: "Ana" });
      // The waiting counter follows (cases a and a2 wait for an answer).
      await expect.poll(() => inbox.events.find((e) => e.event === "waiting")?.data.count).toBe(2);
      await new Promise((r) => setTimeout(r, 1200));
      expect(texts(inbox)).not.toContain("Messaggio di Mantova");
      expect(JSON.stringify(inbox.events)).not.toContain("Mantova");
    } finally {
      inbox.close();
    }
  });

  it("on a case page, carry that case's messages only", async () => {
    const page = await openStream(`/cases/${households.a.caseId}/events`);
    try {
      expect(page.status).toBe(200);
      await write("a2", "Un'altra famiglia dello stesso ufficio");
      await write("a", "Ancora io");
      await expect.poll(() => texts(page), { timeout: 2000, interval: 50 }).toContain("Ancora io");
      await new Promise((r) => setTimeout(r, 800));
      expect(texts(page)).toEqual(["Ancora io"]);
    } finally {
      page.close();
    }
  });

  it("are for signed-in staff, and a case of another office answers 404", async () => {
    const response = await fetch(new URL(`/cases/${households.b.caseId}/events`, base), {
      headers: { cookie },
    });
    expect(response.status).toBe(404);
    const anonymous = await fetch(new URL("/cases/events", base), { redirect: "manual" });
    expect(anonymous.status).toBe(303);
  });
});
