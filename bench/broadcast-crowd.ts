// A crowd for broadcasts (fault tests and the broadcast bench): sandbox users who wrote to the bot,
// each the linked, consenting member of a household of their own, and a per-chat count of what
// they received.
import type { Db } from "../core/db/client.ts";

export type CrowdMember = { memberId: number; chatId: number };

async function post<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** `work` on every item, at most `limit` at a time; results in the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

const LANGUAGES = ["it", "it", "it", "ar", "uk", "en", "ro", "fr"];

export async function seedCrowd(db: Db, sandboxUrl: string, count: number): Promise<CrowdMember[]> {
  const userIds = await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    32,
    async (i) => {
      const user = await post<{ id: number }>(`${sandboxUrl}/control/users`, { first_name: `Crowd ${i}` });
      // Telegram refuses to start a conversation with a user who never wrote to the bot.
      await post(`${sandboxUrl}/control/users/${user.id}/send`, { text: "ciao" });
      return user.id;
    },
  );
  const households = await db.household.createManyAndReturn({
    data: userIds.map((id) => ({
      contractCode: `CROWD-${id}`,
      name: "Famiglia",
      fiscalCode: "XXXXXXXXXXXXXXXX",
      municipality: "Brescia",
      address: "Via Crowd 1",
    })),
    select: { id: true },
  });
  const now = new Date();
  const members = await db.member.createManyAndReturn({
    data: userIds.map((id, i) => ({
      telegramUserId: BigInt(id),
      chatId: BigInt(id),
      language: LANGUAGES[i % LANGUAGES.length] as string,
      householdId: (households[i] as { id: number }).id,
      linkedAt: now,
      consentAt: now,
    })),
    select: { id: true, chatId: true },
  });
  return members.map((m) => ({ memberId: m.id, chatId: Number(m.chatId) }));
}

/** How many bot messages containing `marker` each chat received (transcripts read over HTTP). */
export async function receivedPerChat(
  sandboxUrl: string,
  chats: readonly number[],
  marker: string,
): Promise<Map<number, number>> {
  const counts = await mapLimit(chats, 32, async (chatId) => {
    const response = await fetch(`${sandboxUrl}/control/chats/${chatId}/transcript`);
    const transcript = (await response.json()) as { from: string; text?: string }[];
    return transcript.filter((m) => m.from === "bot" && m.text?.includes(marker)).length;
  });
  return new Map(chats.map((chatId, i) => [chatId, counts[i] as number]));
}
