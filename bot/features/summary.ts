import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const summaryFeature = new Composer<BotContext>();
