import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const privacyFeature = new Composer<BotContext>();
