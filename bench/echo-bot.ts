// The baseline of the bot benchmark: a bare grammY bot with the runner (long polling, as Bussola) that
// echoes every text and answers every button. Run by bench/bot.ts as a child process with
// TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT pointing at a sandbox; prints "echo bot ready".
import { run } from "@grammyjs/runner";
import { Bot } from "grammy";

const token = process.env.TELEGRAM_BOT_TOKEN;
const apiRoot = process.env.TELEGRAM_API_ROOT;
if (!token || !apiRoot) {
  console.error("TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT are required");
  process.exit(2);
}

const bot = new Bot(token, { client: { apiRoot } });
bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
bot.on("callback_query", (ctx) => ctx.answerCallbackQuery());
bot.catch((error) => {
  console.error(`echo bot: update ${error.ctx.update.update_id} failed: ${String(error.error)}`);
});

await bot.init();
await bot.api.deleteWebhook();
const runner = run(bot);
console.log("echo bot ready");

const stop = async () => {
  if (runner.isRunning()) await runner.stop();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
