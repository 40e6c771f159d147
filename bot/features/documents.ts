import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const documentsFeature = new Composer<BotContext>();
