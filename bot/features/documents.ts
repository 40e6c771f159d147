// /documents: the household's checklist of papers, with status, due dates and where to get each one.
import { Composer } from "grammy";
import {
  type ChecklistItem,
  DOCUMENT_REQUIREMENTS,
  householdChecklist,
  isHandedIn,
} from "../../core/documents.ts";
import { escapeHtml } from "../../core/telegram-html.ts";
import { formatCalendarDate } from "../../core/time.ts";
import type { BotContext } from "../context.ts";

export const documentsFeature = new Composer<BotContext>();

/** Requirements we have texts for; one added later by staff shows its key and a generic hint. */
const KNOWN: ReadonlySet<string> = new Set(DOCUMENT_REQUIREMENTS);

function itemLines(ctx: BotContext, item: ChecklistItem): string[] {
  const known = KNOWN.has(item.key);
  const name = known ? ctx.t(`documents:items.${item.key}.name`) : escapeHtml(item.key);
  const lines = [`<b>${name}</b>`, ctx.t(`documents:status.${item.status}`)];
  if (item.dueDate) {
    const date = formatCalendarDate(item.dueDate);
    lines.push(item.overdue ? ctx.t("documents:overdue", { date }) : ctx.t("documents:due", { date }));
  }
  lines.push(`<i>${known ? ctx.t(`documents:items.${item.key}.help`) : ctx.t("documents:items.other")}</i>`);
  return lines;
}

export async function showDocuments(ctx: BotContext): Promise<unknown> {
  const household = ctx.member?.household;
  if (!household) return ctx.reply(ctx.t("link.needed"));
  const items = await householdChecklist(ctx.deps.db, household.id, ctx.deps.clock);
  const recorded = items.some((item) => item.status !== "unknown");
  const header = [ctx.t("documents:title")];
  header.push(
    recorded
      ? ctx.t("documents:progress", { done: items.filter(isHandedIn).length, total: items.length })
      : ctx.t("documents:none_recorded"),
  );
  const blocks = [header.join("\n"), ...items.map((item) => itemLines(ctx, item).join("\n"))];
  blocks.push(ctx.t("documents:footer"));
  return ctx.reply(blocks.join("\n\n"));
}

documentsFeature.chatType("private").command("documents", showDocuments);
