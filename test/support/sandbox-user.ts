// A person in the sandbox: sends messages and presses buttons through the control API, and reads
// what the bot answered. Everything goes over HTTP, as with the real Telegram.

export type TranscriptEntry = {
  message_id: number;
  from: "user" | "bot";
  text?: string;
  kind: string;
  reply_markup?: {
    inline_keyboard?: { text: string; callback_data?: string }[][];
    keyboard?: { text: string }[][];
  };
  caption?: string;
  photo?: { file_id: string; width: number; height: number }[];
  edited: boolean;
  deleted: boolean;
  reply_to_message_id?: number;
};

async function call<T>(url: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const response = await fetch(url, {
    method: init?.method ?? (init?.body === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json" },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export class SandboxUser {
  readonly id: number;
  readonly #base: string;
  /** The last message id seen in this chat, so each wait only returns newer bot messages. */
  #seen = 0;

  private constructor(base: string, id: number) {
    this.#base = base;
    this.id = id;
  }

  static async create(
    sandboxUrl: string,
    user: { first_name: string; language_code?: string },
  ): Promise<SandboxUser> {
    const created = await call<{ id: number }>(`${sandboxUrl}/control/users`, { body: user });
    return new SandboxUser(sandboxUrl, created.id);
  }

  /**
   * Sends as the person. The next `replies` then waits for bot messages after this one, unless
   * `typedAhead`: the person typed before the bot's answer to the previous message arrived, and
   * that answer (possibly numbered before this message) is still to be read.
   */
  async send(
    body: ({ text: string } | { kind: string }) & { chat_id?: number; reply_to_message_id?: number },
    options: { typedAhead?: boolean } = {},
  ): Promise<{ update_id: number; message_id: number }> {
    const sent = await call<{ update_id: number; message_id: number }>(
      `${this.#base}/control/users/${this.id}/send`,
      {
        body,
      },
    );
    // Messages in a group are numbered by the group's chat, not this user's.
    if (body.chat_id === undefined && !options.typedAhead) this.#seen = Math.max(this.#seen, sent.message_id);
    return sent;
  }

  async press(messageId: number, data: string): Promise<{ update_id: number }> {
    return call(`${this.#base}/control/users/${this.id}/press`, { body: { message_id: messageId, data } });
  }

  async edit(messageId: number, text: string): Promise<{ update_id: number }> {
    return call(`${this.#base}/control/users/${this.id}/edit`, { body: { message_id: messageId, text } });
  }

  async redeliver(updateId: number): Promise<void> {
    await call(`${this.#base}/control/updates/${updateId}/redeliver`, { body: {} });
  }

  /** Waits for `count` new bot messages (default 1) and returns them. */
  async replies(count = 1, timeoutMs = 10_000): Promise<TranscriptEntry[]> {
    const messages = await call<TranscriptEntry[]>(
      `${this.#base}/control/chats/${this.id}/wait?after=${this.#seen}&count=${count}&timeout=${timeoutMs}`,
    );
    if (messages.length < count) {
      throw new Error(
        `expected ${count} bot message(s), got ${messages.length}: ${JSON.stringify(messages)}`,
      );
    }
    for (const m of messages) this.#seen = Math.max(this.#seen, m.message_id);
    return messages;
  }

  /** First contact: /start, then "I agree" on the privacy notice. Returns the bot's answer to it. */
  async acceptPrivacy(): Promise<TranscriptEntry> {
    const notice = await this.ask("/start");
    if (!notice.reply_markup?.inline_keyboard?.flat().some((b) => b.callback_data === "consent:accept")) {
      throw new Error(`expected the privacy notice, got ${JSON.stringify(notice)}`);
    }
    await this.press(notice.message_id, "consent:accept");
    const [answer] = await this.replies(1);
    return answer as TranscriptEntry;
  }

  /** Sends a text and returns the bot's single answer. */
  async ask(text: string): Promise<TranscriptEntry> {
    await this.send({ text });
    const [reply] = await this.replies(1);
    return reply as TranscriptEntry;
  }

  /** Bot messages that arrived after the last one seen, waiting at most `ms` (to prove silence). */
  async quietFor(ms: number): Promise<TranscriptEntry[]> {
    return call<TranscriptEntry[]>(
      `${this.#base}/control/chats/${this.id}/wait?after=${this.#seen}&count=1&timeout=${ms}`,
    );
  }

  async transcript(): Promise<TranscriptEntry[]> {
    return call(`${this.#base}/control/chats/${this.id}/transcript`);
  }
}

export async function sandboxCounters(sandboxUrl: string): Promise<{
  requests: Record<string, number>;
  responses: Record<string, number>;
  errors: { method: string; error_code: number; description: string }[];
}> {
  return call(`${sandboxUrl}/control/counters`);
}

/** POSTs to the sandbox's control API (limits, faults, …); throws unless it answers 2xx. */
export async function sandboxControl(sandboxUrl: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${sandboxUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sandbox ${path} answered ${response.status}`);
}
