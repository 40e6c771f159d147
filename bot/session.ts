// grammY-style sessions kept in PostgreSQL, so multi-step flows survive restarts and span bot processes.
// The stored value is read together with the rest of what an update needs, and written back only when
// it changed, in the same statement that records the update as done (bot/middlewares/prepare.ts).
import type { Flow } from "./flows.ts";

export type SessionData = {
  /** Language chosen before the privacy notice was accepted (afterwards it lives on the Member). */
  language?: string;
  /** A code sent before the privacy notice was accepted, used once it is. */
  pendingCode?: string;
  /** The multi-step flow in progress, if any. */
  flow?: Flow;
  /**
   * Another household's code a linked member sent, waiting for them to confirm the move (epoch ms
   * of the question). Only this chat's own question can be confirmed.
   */
  pendingMove?: { linkCodeId: number; at: number };
};

export function initialSession(): SessionData {
  return {};
}

/** An unchanged session is written again after this long, so housekeeping sees the chat as active. */
export const SESSION_TOUCH_MS = 24 * 60 * 60 * 1000;

/** The chat's session as read at the start of an update. */
export type StoredSession = { key: string; value: SessionData | null; json: string | null; at: Date | null };

/**
 * Installs `ctx.session` on the context as grammY's strict session does: the stored value (or a new
 * empty one), replaceable by assignment; `null` deletes it. Without a key (an update outside any chat)
 * reading or assigning it throws, as in grammY.
 */
export function installSession(
  target: { session?: SessionData | null },
  stored: StoredSession | undefined,
): { current(): SessionData | null | undefined } {
  let value: SessionData | null | undefined = stored ? (stored.value ?? initialSession()) : undefined;
  const refuse = (op: string) =>
    new Error(
      `Cannot ${op} session data because the custom \`getSessionKey\` function returned undefined for this update!`,
    );
  Object.defineProperty(target, "session", {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!stored) throw refuse("access");
      return value;
    },
    set: (v: SessionData | null | undefined) => {
      if (!stored) throw refuse("assign");
      value = v;
    },
  });
  return { current: () => value };
}

/** What storing the session after an update takes: nothing, removing the row, or writing this JSON. */
export type SessionChange = { kind: "none" } | { kind: "delete" } | { kind: "write"; json: string };

/**
 * What the session after the update changes, so that only a change is stored: a changed value is
 * written, an empty or `null` one removes the row (a missing row reads as an empty session), and an
 * unchanged one is left alone unless it was last written long ago.
 */
export function sessionChange(
  stored: StoredSession | undefined,
  value: SessionData | null | undefined,
  now: Date,
): SessionChange {
  if (!stored) return { kind: "none" };
  const json = value == null ? null : JSON.stringify(value);
  if (json === null || json === "{}") return stored.json === null ? { kind: "none" } : { kind: "delete" };
  const stale = stored.at === null || now.getTime() - stored.at.getTime() >= SESSION_TOUCH_MS;
  if (json === stored.json && !stale) return { kind: "none" };
  return { kind: "write", json };
}
