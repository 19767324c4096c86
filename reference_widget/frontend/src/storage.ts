// What the widget keeps in the browser. Storage can throw (private mode, quota),
// and a corrupt entry must not break the widget: every access is guarded.

import { isChatMessage, type ChatMessage } from "./api";

export const SESSION_KEY = "chat-assistant-session-id";
export const HISTORY_KEY = "chat-assistant-history";
export const FALLBACK_KEY = "chat-assistant-fallback";
export const MAX_STORED_MESSAGES = 50;

function read(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null;
  }
}

function write(storage: () => Storage, key: string, value: string | null): void {
  try {
    if (value === null) storage().removeItem(key);
    else storage().setItem(key, value);
  } catch {
    // Quota or privacy settings: the widget works without persistence.
  }
}

const local = () => window.localStorage;
const session = () => window.sessionStorage;

/** A v4 UUID, also where crypto.randomUUID is missing (an insecure context). */
export function uuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function loadSessionId(): string {
  const existing = read(local, SESSION_KEY);
  if (existing && existing.trim()) return existing;
  return newSessionId();
}

export function newSessionId(): string {
  const created = uuid();
  write(local, SESSION_KEY, created);
  return created;
}

export function loadHistory(): ChatMessage[] {
  const raw = read(local, HISTORY_KEY);
  if (raw === null) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return parsed.filter(isChatMessage).slice(-MAX_STORED_MESSAGES);
  } catch {
    // fall through: a corrupt entry is dropped
  }
  write(local, HISTORY_KEY, null);
  return [];
}

export function saveHistory(messages: ChatMessage[]): void {
  const plain = messages.slice(-MAX_STORED_MESSAGES).map(({ role, content }) => ({ role, content }));
  write(local, HISTORY_KEY, JSON.stringify(plain));
}

export function clearHistory(): void {
  write(local, HISTORY_KEY, null);
}

/** The fallback message, kept apart from the conversation (sessionStorage, one tab). */
export function loadFallback(): string | null {
  const raw = read(session, FALLBACK_KEY);
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isChatMessage(parsed)) return parsed.content;
  } catch {
    // fall through
  }
  return raw.trim() ? raw : null;
}

export function saveFallback(content: string): void {
  write(session, FALLBACK_KEY, JSON.stringify({ role: "assistant", content }));
}

export function clearFallback(): void {
  write(session, FALLBACK_KEY, null);
}
