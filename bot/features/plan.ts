import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const planFeature = new Composer<BotContext>();
