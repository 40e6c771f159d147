// The other baseline of the bot benchmark: a grammY bot built the usual way, answering the same
// /balance as Bussola from the same database. grammY's session plugin on a PostgreSQL storage adapter
// (the minimal one grammY's docs show, as @grammyjs/storage-psql does it: one table, read before and
// written after every update), sequentialize for the session's sake, and one Prisma query per /balance
// (the member with its household, latest figures and payments). Run by bench/bot.ts as a child process
// with TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT and DATABASE_URL; prints "conventional bot ready".
import { run, sequentialize } from "@grammyjs/runner";
import { Bot, type Context, type SessionFlavor, type StorageAdapter, session } from "grammy";
import pg from "pg";
import { createDb } from "../core/db/client.ts";
import { translator } from "../core/i18n.ts";
import { formatMoney } from "../core/money.ts";
import { formatCalendarDate } from "../core/time.ts";

const token = process.env.TELEGRAM_BOT_TOKEN;
const apiRoot = process.env.TELEGRAM_API_ROOT;
const databaseUrl = process.env.DATABASE_URL;
if (!token || !apiRoot || !databaseUrl) {
  console.error("TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT and DATABASE_URL are required");
  process.exit(2);
}

type SessionData = { seen: number };
type BotContext = Context & SessionFlavor<SessionData>;

/** A key-value table of JSON text, as the PostgreSQL storage adapters keep sessions. */
async function psqlStorage(pool: pg.Pool, table: string): Promise<StorageAdapter<SessionData>> {
  await pool.query(`CREATE TABLE IF NOT EXISTS "${table}" (key varchar PRIMARY KEY, value text)`);
  return {
    async read(key) {
      const { rows } = await pool.query<{ value: string }>(`SELECT value FROM "${table}" WHERE key = $1`, [
        key,
      ]);
      return rows[0] ? (JSON.parse(rows[0].value) as SessionData) : undefined;
    },
    async write(key, value) {
      await pool.query(
        `INSERT INTO "${table}" (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2`,
        [key, JSON.stringify(value)],
      );
    },
    async delete(key) {
      await pool.query(`DELETE FROM "${table}" WHERE key = $1`, [key]);
    },
  };
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
const db = createDb(databaseUrl, { poolSize: 10 });
const bot = new Bot<BotContext>(token, { client: { apiRoot } });
bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
bot.use(
  session({ initial: () => ({ seen: 0 }), storage: await psqlStorage(pool, "bench_conventional_sessions") }),
);

bot.command("balance", async (ctx) => {
  ctx.session.seen += 1;
  const t = translator(ctx.from?.language_code ?? "it");
  const member = await db.member.findUnique({
    where: { telegramUserId: BigInt(ctx.from?.id ?? 0) },
    include: {
      household: {
        include: { balances: { orderBy: { balanceDate: "desc" }, take: 1 }, payments: true },
      },
    },
  });
  const balance = member?.household?.balances[0];
  if (!member?.household) return void (await ctx.reply(t("link.needed")));
  if (!balance) return void (await ctx.reply(t("debt:balance.none")));
  const date = formatCalendarDate(balance.balanceDate);
  const total = balance.rentCents + balance.chargesCents;
  const paid = member.household.payments
    .filter((p) => p.paymentDate > balance.balanceDate)
    .reduce((sum, p) => sum + p.amountCents, 0);
  const lines = [
    t("debt:balance.title"),
    t("debt:balance.figures_date", { date }),
    t("debt:balance.rent", { amount: formatMoney(balance.rentCents) }),
    t("debt:balance.charges", { amount: formatMoney(balance.chargesCents) }),
    t("debt:balance.total", { amount: formatMoney(total) }),
    t("debt:balance.now", { amount: formatMoney(Math.max(0, total - paid)) }),
  ];
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
});
bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
bot.on("callback_query", (ctx) => ctx.answerCallbackQuery());
bot.catch((error) => {
  console.error(`conventional bot: update ${error.ctx.update.update_id} failed: ${String(error.error)}`);
});

await bot.init();
await bot.api.deleteWebhook();
const runner = run(bot);
console.log("conventional bot ready");

const stop = async () => {
  if (runner.isRunning()) await runner.stop();
  await Promise.allSettled([pool.end(), db.$disconnect()]);
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
