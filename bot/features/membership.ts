import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const membershipFeature = new Composer<BotContext>();

// A person who blocks the bot cannot be reached; one who unblocks it (and writes) can be again.
membershipFeature.on("my_chat_member", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  const status = ctx.myChatMember.new_chat_member.status;
  const unreachableAt = status === "kicked" ? ctx.deps.clock.now() : status === "member" ? null : undefined;
  if (unreachableAt === undefined) return;
  await ctx.deps.db.member.updateMany({
    where: { telegramUserId: BigInt(ctx.from.id) },
    data: { unreachableAt },
  });
});
