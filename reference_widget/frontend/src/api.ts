// The widget's HTTP client for /api/dynamic-ai/chat and the observability routes.
//
// Time limits are AbortController + setTimeout (never performance-based loops),
// so a test's fake clock and Playwright's virtual clock control them.

import { ChatRequestError, type FailureReason } from "./errors";
import { SseParser } from "./sse";

export type ChatRole = "user" | "assistant";
export type ChatMessage = { role: ChatRole; content: string };

export const CHAT_ENDPOINT = "/api/dynamic-ai/chat";
export const ANALYTICS_ENDPOINT = "/api/analytics";
export const TELEMETRY_ENDPOINT = "/api/telemetry";
export const CONFIG_ENDPOINT = "/api/config";

export type RequestOptions = {
  timeoutMs: number;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
};

export type SendPayload = {
  sessionId: string;
  message: string;
  history: ChatMessage[];
  language?: string;
};

export type SendOptions = RequestOptions & {
  idempotencyKey: string;
  /** Called with the cumulative answer each time a token arrives. */
  onToken?: (content: string) => void;
};

export type SendResult = {
  assistantMessage: ChatMessage;
  history: ChatMessage[] | null;
  requestId: string | null;
  metadata: Record<string, unknown> | null;
};

export function isChatMessage(value: unknown): value is ChatMessage {
  if (typeof value !== "object" || value === null) return false;
  const { role, content } = value as Record<string, unknown>;
  return (role === "user" || role === "assistant") && typeof content === "string";
}

function messageList(value: unknown): ChatMessage[] | null {
  return Array.isArray(value) && value.every(isChatMessage) ? value.map((m) => ({ role: m.role, content: m.content })) : null;
}

/**
 * A time limit that can be pushed back (each stream chunk does), and that
 * follows an outer signal (the widget closing), telling the two apart.
 */
class Deadline {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onOuterAbort = () => this.controller.abort();

  constructor(
    private readonly timeoutMs: number,
    private readonly outer?: AbortSignal,
  ) {
    if (outer?.aborted) this.controller.abort();
    outer?.addEventListener("abort", this.onOuterAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
  }

  finish(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener("abort", this.onOuterAbort);
  }

  /** The error for a request that threw: timed out, cancelled, or a network failure. */
  failure(what: string, cause: unknown, requestId: string | null = null, reason?: FailureReason): ChatRequestError {
    if (this.timedOut) {
      return new ChatRequestError(`${what} timed out after ${this.timeoutMs} ms`, {
        status: null,
        requestId,
        reason: "timeout",
        cause,
      });
    }
    if (this.outer?.aborted) {
      return new ChatRequestError(`${what} was cancelled`, { status: null, requestId, reason: "aborted", cause });
    }
    return new ChatRequestError(`${what} failed: ${String(cause)}`, {
      status: null,
      requestId,
      reason: reason ?? "network",
      cause,
    });
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

async function httpError(what: string, response: Response): Promise<ChatRequestError> {
  const requestId = response.headers.get("x-request-id");
  let message = `${what} answered ${response.status}`;
  let hint: string | null = null;
  try {
    const body = (await response.json()) as { error?: unknown; hint?: unknown };
    if (typeof body.error === "string") message = `${message}: ${body.error}`;
    if (typeof body.hint === "string") hint = body.hint;
  } catch {
    // An error page that is not JSON: the status says enough.
  }
  return new ChatRequestError(message, {
    status: response.status,
    requestId,
    reason: "http",
    hint,
    retryAfterS: parseRetryAfter(response.headers.get("retry-after")),
  });
}

function malformed(what: string, response: Response, requestId: string | null, cause?: unknown): ChatRequestError {
  return new ChatRequestError(`${what} is malformed`, {
    status: response.status,
    requestId,
    reason: "malformed",
    category: "server",
    cause,
  });
}

/** GET the newest 50 messages; rejects with a ChatRequestError saying what failed. */
export async function fetchHistory(sessionId: string, options: RequestOptions): Promise<ChatMessage[]> {
  const what = "history request";
  const deadline = new Deadline(options.timeoutMs, options.signal);
  const doFetch = options.fetchImpl ?? fetch;
  try {
    let response: Response;
    try {
      response = await doFetch(`${CHAT_ENDPOINT}?sessionId=${encodeURIComponent(sessionId)}`, {
        headers: { accept: "application/json" },
        signal: deadline.signal,
      });
    } catch (cause) {
      throw deadline.failure(what, cause);
    }
    if (!response.ok) throw await httpError(what, response);
    const requestId = response.headers.get("x-request-id");
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      if (deadline.timedOut || options.signal?.aborted) throw deadline.failure(what, cause, requestId);
      throw malformed("history response", response, requestId, cause);
    }
    const messages = messageList((body as { messages?: unknown } | null)?.messages);
    if ((body as { ok?: unknown } | null)?.ok !== true || messages === null) {
      throw malformed("history response", response, requestId);
    }
    return messages;
  } finally {
    deadline.finish();
  }
}

type Frame = { type?: unknown; [key: string]: unknown };

function doneResult(frame: Frame | Record<string, unknown>, messageKey: string, requestId: string | null): SendResult | null {
  const raw = frame[messageKey];
  const assistantMessage: ChatMessage | null = isChatMessage(raw)
    ? { role: raw.role, content: raw.content }
    : typeof raw === "string"
      ? { role: "assistant", content: raw }
      : null;
  if (assistantMessage === null) return null;
  const metadata = typeof frame.metadata === "object" && frame.metadata !== null ? (frame.metadata as Record<string, unknown>) : null;
  return { assistantMessage, history: messageList(frame.history), requestId, metadata };
}

async function readStream(
  response: Response,
  deadline: Deadline,
  requestId: string | null,
  onToken: ((content: string) => void) | undefined,
): Promise<SendResult> {
  const what = "answer stream";
  if (!response.body) throw malformed(what, response, requestId);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        throw deadline.failure(what, cause, requestId, "stream-cut");
      }
      if (chunk.done) break;
      deadline.touch();
      for (const data of parser.push(decoder.decode(chunk.value, { stream: true }))) {
        let frame: Frame;
        try {
          frame = JSON.parse(data) as Frame;
        } catch (cause) {
          throw malformed(what, response, requestId, cause);
        }
        if (frame.type === "token" && typeof frame.content === "string") {
          onToken?.(frame.content);
        } else if (frame.type === "done") {
          const result = doneResult(frame, "message", requestId);
          if (result === null) throw malformed(what, response, requestId);
          return result;
        } else if (frame.type === "error") {
          const status = typeof frame.status === "number" ? frame.status : 502;
          const message = typeof frame.message === "string" ? frame.message : "the answer failed";
          throw new ChatRequestError(`answer stream error: ${message}`, {
            status,
            requestId: typeof frame.requestId === "string" ? frame.requestId : requestId,
            reason: "stream-error",
          });
        }
        // "ack" and unknown frames need nothing.
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  throw new ChatRequestError("the answer stream ended before its done event", {
    status: null,
    requestId,
    reason: "stream-cut",
  });
}

/** POST a question with ?stream=1; accept an SSE stream or a plain JSON answer. */
export async function sendChat(payload: SendPayload, options: SendOptions): Promise<SendResult> {
  const what = "send request";
  const deadline = new Deadline(options.timeoutMs, options.signal);
  const doFetch = options.fetchImpl ?? fetch;
  try {
    let response: Response;
    try {
      response = await doFetch(`${CHAT_ENDPOINT}?stream=1`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "text/event-stream, application/json",
          "idempotency-key": options.idempotencyKey,
        },
        body: JSON.stringify(payload),
        signal: deadline.signal,
      });
    } catch (cause) {
      throw deadline.failure(what, cause);
    }
    if (!response.ok) throw await httpError(what, response);
    const requestId = response.headers.get("x-request-id");
    if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) {
      return await readStream(response, deadline, requestId, options.onToken);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      if (deadline.timedOut || options.signal?.aborted) throw deadline.failure(what, cause, requestId);
      throw malformed("send response", response, requestId, cause);
    }
    const result = typeof body === "object" && body !== null && (body as { ok?: unknown }).ok === true
      ? doneResult(body as Record<string, unknown>, "assistantMessage", requestId)
      : null;
    if (result === null) throw malformed("send response", response, requestId);
    return result;
  } finally {
    deadline.finish();
  }
}

/** Fire-and-forget POST for analytics and telemetry: it must never break the chat. */
export function postEvent(url: string, body: Record<string, unknown>, fetchImpl?: typeof fetch): void {
  try {
    (fetchImpl ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      keepalive: true,
    }).catch(() => undefined);
  } catch {
    // fetch itself missing or throwing synchronously: nothing to report to.
  }
}
