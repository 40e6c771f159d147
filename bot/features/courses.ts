import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const coursesFeature = new Composer<BotContext>();
