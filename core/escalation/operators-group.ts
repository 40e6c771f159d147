// Posts about cases in the operators' Telegram group (OPERATORS_CHAT_ID), through the delivery
// queue. Each post records its case, so a reply to it in the group answers that case. A post says
// what operators need to act and no more: case and household numbers, source, topic, urgency and
// the household's message, cut short — no names, phones or fiscal codes.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import { isCaseTopic } from "../faq.ts";
import { translator } from "../i18n.ts";
import { type DeliveryQueue, requestDelivery } from "../queues/delivery.ts";
import { escapeHtml } from "../telegram-html.ts";
import { formatRomeDateTime } from "../time.ts";

/** The group reads Italian. */
export const GROUP_LANGUAGE = "it";
/** Enough of the household's words to judge the case; the rest is in the admin panel. */
export const POST_EXCERPT_LENGTH = 300;

export type GroupPostKind = "opened" | "distress" | "housing" | "danger" | "escalated" | "plan_broken";

export type GroupPostDeps = { db: Db; deliveryQueue: DeliveryQueue; operatorsChatId: bigint | undefined };

export function excerpt(text: string, max = POST_EXCERPT_LENGTH): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/**
 * Posts case `caseId` to the group once per `purpose` ("ops:case:<id>:opened", …). `since` is the
 * household message an escalation is about. Does nothing without an operators' group.
 */
export async function postCaseToGroup(
  deps: GroupPostDeps,
  post: { caseId: number; kind: GroupPostKind; purpose: string; since?: Date; slaHours?: number },
): Promise<boolean> {
  if (deps.operatorsChatId === undefined) return false;
  const found = await deps.db.case.findUnique({
    where: { id: post.caseId },
    select: {
      id: true,
      householdId: true,
      topic: true,
      source: true,
      urgent: true,
      messages: {
        where: { author: { in: ["household", "system"] } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: 1,
        select: { text: true, author: true },
      },
    },
  });
  if (!found) return false;
  const t = translator(GROUP_LANGUAGE, "staff");
  const topic = translator(
    GROUP_LANGUAGE,
    "operator",
  )(`topic.${isCaseTopic(found.topic) ? found.topic : "other"}`);
  const lines = [
    t(`group.headline.${post.kind}`, { id: found.id }),
    ...(found.urgent ? [t("group.urgent")] : []),
    t("group.source", { source: t(`source.${found.source}`) }),
    t("group.topic", { topic: escapeHtml(topic) }),
    t("group.household", { id: found.householdId }),
  ];
  if (post.kind === "escalated" && post.since) {
    lines.push(t("group.late", { hours: post.slaHours ?? 0, since: formatRomeDateTime(post.since) }));
  }
  const last = found.messages[0];
  if (last) {
    lines.push(
      "",
      t(last.author === "household" ? "group.message" : "group.note", {
        text: escapeHtml(excerpt(last.text)),
      }),
    );
  }
  lines.push("", t("group.how_to_answer"));
  await requestDelivery(deps, {
    purpose: post.purpose,
    chatId: deps.operatorsChatId,
    caseId: found.id,
    text: lines.join("\n"),
    parseMode: "HTML",
  });
  return true;
}

/**
 * At most this many posts per rule and run: the first run over an authority's old data may open
 * hundreds of cases, and a Telegram group takes 20 messages a minute. The rest are counted in one
 * summary post; the cases themselves are all in the admin panel.
 */
export const MAX_POSTS_PER_RUN = 10;

export type PostBudget = { take(): boolean; skipped(): number };

export function postBudget(max = MAX_POSTS_PER_RUN): PostBudget {
  let used = 0;
  let skipped = 0;
  return {
    take() {
      if (used < max) {
        used++;
        return true;
      }
      skipped++;
      return false;
    },
    skipped: () => skipped,
  };
}

/** One post for the cases a run did not post one by one (`purpose` unique per rule and run). */
export async function postSummaryToGroup(
  deps: GroupPostDeps,
  summary: { purpose: string; source: "overdue" | "plan_broken"; count: number },
): Promise<void> {
  if (deps.operatorsChatId === undefined || summary.count === 0) return;
  const t = translator(GROUP_LANGUAGE, "staff");
  await requestDelivery(deps, {
    purpose: summary.purpose,
    chatId: deps.operatorsChatId,
    text: t("group.summary", { count: summary.count, source: t(`source.${summary.source}`) }),
    parseMode: "HTML",
  });
}

/** A post the bot itself is about to make is left to it for this long. */
const POST_SETTLE_MS = 2 * 60 * 1000;
const LOOK_BACK_MS = 24 * 60 * 60 * 1000;

/**
 * Cases households opened (by writing, or with a message of distress) in the last day whose post
 * never reached the group: the process that opened the case stopped before posting, or Telegram's
 * update was not redelivered. Posted now, once, within the run's budget.
 */
export async function postMissedCases(
  deps: GroupPostDeps & { clock: Clock },
  budget: PostBudget = postBudget(),
): Promise<number> {
  if (deps.operatorsChatId === undefined) return 0;
  const now = deps.clock.now().getTime();
  const missed = await sqlOf(deps.db).query<{ id: number; source: string }>`
    SELECT c."id", c."source"::text AS "source" FROM "Case" c
     WHERE c."source" IN ('household', 'distress')
       AND c."openedAt" > ${new Date(now - LOOK_BACK_MS)} AND c."openedAt" < ${new Date(now - POST_SETTLE_MS)}
       AND NOT EXISTS (SELECT 1 FROM "OutboundMessage" o WHERE o."purpose" = 'ops:case:' || c."id" || ':opened')
     ORDER BY c."id" LIMIT ${MAX_POSTS_PER_RUN}::int`;
  let posted = 0;
  for (const row of missed) {
    if (!budget.take()) break;
    const kind: GroupPostKind = row.source === "distress" ? "distress" : "opened";
    if (await postCaseToGroup(deps, { caseId: row.id, kind, purpose: `ops:case:${row.id}:opened` })) posted++;
  }
  return posted;
}

/** A case a household just opened, posted to the group once (the one purpose every path uses). */
export function postOpenedCase(deps: GroupPostDeps, caseId: number): Promise<unknown> {
  return postCaseToGroup(deps, { caseId, kind: "opened", purpose: `ops:case:${caseId}:opened` });
}
