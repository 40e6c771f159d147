import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const budgetFeature = new Composer<BotContext>();
