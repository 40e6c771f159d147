import type { Middleware } from "grammy";
import { resolveLanguage, translator } from "../../core/i18n.ts";
import type { BotContext } from "../context.ts";

/**
 * Loads the member record and fixes `t` to their language: the member's choice, else one chosen
 * before the privacy notice was accepted (kept in the session), else Telegram's.
 */
export const attachPerson: Middleware<BotContext> = async (ctx, next) => {
  const from = ctx.from;
  ctx.member = from
    ? await ctx.deps.db.member.findUnique({
        where: { telegramUserId: BigInt(from.id) },
        include: { household: true },
      })
    : null;
  ctx.language = ctx.member?.language ?? ctx.session?.language ?? resolveLanguage(from?.language_code);
  ctx.t = translator(ctx.language);
  ctx.logger = ctx.deps.logger.child({ updateId: ctx.update.update_id, memberId: ctx.member?.id });
  await next();
};
