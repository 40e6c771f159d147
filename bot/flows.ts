// Multi-step flows (guided expense, operator request, …) as a small state machine in the session:
// explicit, persistent across restarts, and easy to cancel or expire.
import { type Filter, InlineKeyboard, type Middleware } from "grammy";
import type { BotContext } from "./context.ts";

export type Flow = {
  name: string;
  step: string;
  data: Record<string, unknown>;
  /** When the flow last moved (epoch ms), for the time-out. */
  at: number;
};

/** An abandoned flow ends quietly after this long; the next message is not taken as its answer. */
export const FLOW_TIMEOUT_MS = 30 * 60 * 1000;
export const CANCEL_CALLBACK = "flow:cancel";

export function startFlow(
  ctx: BotContext,
  name: string,
  step: string,
  data: Record<string, unknown> = {},
): void {
  ctx.session.flow = { name, step, data, at: ctx.deps.clock.now().getTime() };
}

export function endFlow(ctx: BotContext): void {
  delete ctx.session.flow;
}

/** The flow in progress, when it is the named one (and at the named step, if given). */
export function flowOf(ctx: BotContext, name: string, step?: string): Flow | undefined {
  const flow = ctx.session.flow;
  if (!flow || flow.name !== name || (step !== undefined && flow.step !== step)) return undefined;
  return flow;
}

/** Filter for a text message that answers the given flow step (commands never do). */
export function answering(name: string, step?: string) {
  return (ctx: BotContext): ctx is Filter<BotContext, "message:text"> =>
    ctx.message?.text !== undefined &&
    !ctx.message.text.startsWith("/") &&
    flowOf(ctx, name, step) !== undefined;
}

/** An inline keyboard row with the localized "Cancel" button, to add to any flow question. */
export function withCancel(ctx: BotContext, keyboard = new InlineKeyboard()): InlineKeyboard {
  return keyboard.row().text(ctx.t("flows.cancel_button"), CANCEL_CALLBACK);
}

/**
 * Runs before the features: an expired flow is dropped (and the person told, if they were answering
 * it); a command other than /cancel abandons the flow in progress, since commands always win.
 */
export const flowHousekeeping: Middleware<BotContext> = async (ctx, next) => {
  const flow = ctx.session?.flow;
  if (flow) {
    const text = ctx.message?.text;
    if (ctx.deps.clock.now().getTime() - flow.at > FLOW_TIMEOUT_MS) {
      endFlow(ctx);
      if (text !== undefined && !text.startsWith("/")) {
        await ctx.reply(ctx.t("flows.expired"));
        return;
      }
    } else if (text?.startsWith("/") && !/^\/cancel(@\w+)?(\s|$)/.test(text)) {
      endFlow(ctx);
    }
  }
  await next();
};
