// A Telegram stand-in light enough not to be what limits a bot at saturation (bench/bot-light.ts): a
// bare HTTP/1.1 server on node:net answering only what the bench's bots call, with the people simulated
// inside it. Each simulated chat has one `/balance` outstanding; when the bot's sendMessage to that chat
// arrives, its latency is recorded and the chat's next `/balance` is queued at once. getUpdates
// long-polls that in-memory queue (offset and limit honoured). Updates and answers are strings
// put together from parts made once per chat, so the stand-in's own CPU per update is small next to
// any bot's; it reports that CPU (process.cpuUsage) itself.
//
// Run by bench/bot-light.ts as a child process. Env: LIGHT_CHATS (JSON [[chatId, "it"|"en"], …]),
// LIGHT_EXPECT (JSON array: a reply starting with one of these is the right answer; anything else is
// counted as wrong). Prints "LIGHT_TELEGRAM_API_ROOT=<url>". Bench endpoints: POST /bench/reset starts
// a measuring window; GET /bench/stats reads it.
import { type AddressInfo, createServer, type Socket } from "node:net";

type Chat = {
  id: number;
  /** What its update's JSON holds after the message_id, up to the date. */
  tail: string;
  /** When its /balance was queued (performance.now()). */
  askedAt: number;
  /** Its /balance went out in a getUpdates answer: the bot's next message to it is the answer. */
  delivered: boolean;
};
type Queued = { id: number; body: string; chat: Chat };
type Poll = { socket: Socket; limit: number; timer: NodeJS.Timeout };

function parseChats(raw: string | undefined): [number, string][] {
  const chats = JSON.parse(raw ?? "[]") as [number, string][];
  if (!Array.isArray(chats) || chats.length === 0) throw new Error("LIGHT_CHATS must list the chats");
  return chats;
}

const expected = JSON.parse(process.env.LIGHT_EXPECT ?? "[]") as string[];
const chats = new Map<number, Chat>();
for (const [id, language] of parseChats(process.env.LIGHT_CHATS)) {
  const person = `{"id":${id},"is_bot":false,"first_name":"Bench","language_code":${JSON.stringify(language)}}`;
  chats.set(id, {
    id,
    tail: `,"from":${person},"chat":{"id":${id},"first_name":"Bench","type":"private"},"date":`,
    askedAt: 0,
    delivered: false,
  });
}
const MESSAGE_HEAD = `,"message":{"message_id":`;
const BALANCE_TEXT = `,"text":"/balance","entities":[{"offset":0,"length":8,"type":"bot_command"}]}}`;
const BOT_USER = `{"id":1000001,"is_bot":true,"first_name":"Bench","username":"bench_light_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false}`;
const OK_TRUE = `{"ok":true,"result":true}`;

const STATUS: Record<number, string> = { 200: "200 OK", 400: "400 Bad Request" };

/** The answer, head and body, in one write (the bots' clients keep connections alive). */
function send(socket: Socket, status: number, body: string): void {
  socket.write(
    `HTTP/1.1 ${STATUS[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Updates not yet confirmed by an offset, oldest first, from `head` on. */
let queue: Queued[] = [];
let head = 0;
let nextUpdateId = 1;
let nextMessageId = 1;
const polls = new Set<Poll>();
let wakeScheduled = false;

const stats = {
  since: performance.now(),
  cpu: process.cpuUsage(),
  answered: 0,
  wrong: 0,
  /** Messages to a chat whose /balance the bot has not been given (a second message for one update). */
  extra: 0,
  calls: {} as Record<string, number>,
  latencies: [] as number[],
  wrongSample: "",
};

function ask(chat: Chat): void {
  const seconds = Math.floor(Date.now() / 1000);
  const id = nextUpdateId++;
  queue.push({
    id,
    body: `{"update_id":${id}${MESSAGE_HEAD}${nextMessageId++}${chat.tail}${seconds}${BALANCE_TEXT}`,
    chat,
  });
  chat.askedAt = performance.now();
  chat.delivered = false;
  // Replies that arrive in the same turn of the event loop go out in one getUpdates answer.
  if (polls.size > 0 && !wakeScheduled) {
    wakeScheduled = true;
    setImmediate(wake);
  }
}

function confirm(offset: number): void {
  while (head < queue.length && (queue[head] as Queued).id < offset) head++;
  if (head > 4096 && head * 2 > queue.length) {
    queue = queue.slice(head);
    head = 0;
  }
}

function answerPoll(socket: Socket, limit: number): void {
  const end = Math.min(queue.length, head + limit);
  let body = `{"ok":true,"result":[`;
  for (let i = head; i < end; i++) {
    const update = queue[i] as Queued;
    update.chat.delivered = true;
    body += i === head ? update.body : `,${update.body}`;
  }
  send(socket, 200, `${body}]}`);
}

function wake(): void {
  wakeScheduled = false;
  if (head >= queue.length) return;
  for (const poll of polls) {
    polls.delete(poll);
    clearTimeout(poll.timer);
    answerPoll(poll.socket, poll.limit);
    return; // one poller takes them; a second one would only get the same updates again
  }
}

type Params = { offset?: number; limit?: number; timeout?: number; chat_id?: number | string; text?: string };

function getUpdates(params: Params, socket: Socket): void {
  if (params.offset !== undefined) confirm(params.offset);
  const limit = Math.max(1, Math.min(100, params.limit ?? 100));
  const timeout = params.timeout ?? 0;
  if (head < queue.length || timeout <= 0) {
    answerPoll(socket, limit);
    return;
  }
  const poll: Poll = {
    socket,
    limit,
    timer: setTimeout(() => {
      polls.delete(poll);
      answerPoll(socket, limit);
    }, timeout * 1000),
  };
  polls.add(poll);
}

function sendMessage(params: Params, socket: Socket): void {
  const chat = chats.get(Number(params.chat_id));
  if (!chat) {
    send(socket, 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`);
    return;
  }
  const seconds = Math.floor(Date.now() / 1000);
  send(
    socket,
    200,
    `{"ok":true,"result":{"message_id":${nextMessageId++},"from":${BOT_USER},"chat":{"id":${chat.id},"first_name":"Bench","type":"private"},"date":${seconds}}}`,
  );
  if (!chat.delivered) {
    stats.extra++;
    return;
  }
  const text = params.text ?? "";
  if (expected.some((prefix) => text.startsWith(prefix))) {
    stats.answered++;
    stats.latencies.push(performance.now() - chat.askedAt);
  } else {
    stats.wrong++;
    stats.wrongSample ||= text.slice(0, 80);
  }
  ask(chat);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function bench(path: string, socket: Socket): void {
  if (path === "/bench/reset") {
    Object.assign(stats, {
      since: performance.now(),
      cpu: process.cpuUsage(),
      answered: 0,
      wrong: 0,
      extra: 0,
      calls: {},
      latencies: [],
      wrongSample: "",
    });
    send(socket, 200, "{}");
    return;
  }
  const cpu = process.cpuUsage(stats.cpu);
  const sorted = stats.latencies.sort((a, b) => a - b);
  send(
    socket,
    200,
    JSON.stringify({
      elapsedMs: performance.now() - stats.since,
      cpuMs: (cpu.user + cpu.system) / 1000,
      answered: stats.answered,
      wrong: stats.wrong,
      extra: stats.extra,
      calls: stats.calls,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      wrongSample: stats.wrongSample,
    }),
  );
}

function handle(path: string, raw: string, socket: Socket): void {
  if (path.startsWith("/bench/")) {
    bench(path, socket);
    return;
  }
  // /bot<token>/<method>; the token is not checked: nothing else talks to this server.
  const method = path.slice(path.lastIndexOf("/") + 1);
  stats.calls[method] = (stats.calls[method] ?? 0) + 1;
  const params = (raw ? JSON.parse(raw) : {}) as Params;
  switch (method) {
    case "getUpdates":
      getUpdates(params, socket);
      break;
    case "sendMessage":
      sendMessage(params, socket);
      break;
    case "getMe":
      send(socket, 200, `{"ok":true,"result":${BOT_USER}}`);
      break;
    default:
      // deleteWebhook, setMyCommands, answerCallbackQuery and whatever else start-up asks: done.
      send(socket, 200, OK_TRUE);
  }
}

const HEAD_END = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i;

/**
 * HTTP/1.1 read by hand, just enough for the bots' clients (requests with a Content-Length, one at a
 * time per kept-alive connection): node:http's request and response objects cost as much CPU per
 * update as half the echo bot's whole handling.
 */
function connection(socket: Socket): void {
  socket.setNoDelay(true);
  let pending: Buffer | undefined;
  socket.on("error", () => socket.destroy()); // a bot stopping cuts its connections
  socket.once("close", () => {
    for (const poll of polls) {
      if (poll.socket !== socket) continue;
      clearTimeout(poll.timer);
      polls.delete(poll);
    }
  });
  socket.on("data", (chunk: Buffer) => {
    let buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    for (;;) {
      const headEnd = buffer.indexOf(HEAD_END);
      if (headEnd < 0) break;
      const head = buffer.toString("latin1", 0, headEnd);
      if (/\r\ntransfer-encoding:/i.test(head)) {
        send(socket, 400, `{"ok":false,"error_code":400,"description":"send a Content-Length"}`);
        socket.end();
        return;
      }
      const bodyStart = headEnd + HEAD_END.length;
      const bodyEnd = bodyStart + Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0);
      if (buffer.length < bodyEnd) break;
      const pathStart = head.indexOf(" ") + 1;
      const path = head.slice(pathStart, head.indexOf(" ", pathStart));
      handle(path, buffer.toString("utf8", bodyStart, bodyEnd), socket);
      buffer = buffer.subarray(bodyEnd);
      if (buffer.length === 0) break;
    }
    if (buffer.length > 0) pending = buffer;
  });
}

const sockets = new Set<Socket>();
const server = createServer((socket) => {
  sockets.add(socket);
  socket.once("close", () => sockets.delete(socket));
  connection(socket);
});
server.listen(0, "127.0.0.1", () => {
  for (const chat of chats.values()) ask(chat);
  console.log(`LIGHT_TELEGRAM_API_ROOT=http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
const stop = () => {
  for (const poll of polls) clearTimeout(poll.timer);
  server.close();
  for (const socket of sockets) socket.destroy();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
