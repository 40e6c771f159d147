import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const operatorFeature = new Composer<BotContext>();
