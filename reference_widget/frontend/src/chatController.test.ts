import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatController, FALLBACK_TEXT, type ChatOptions } from "./chatController";
import type { RegressionName } from "./regressions";
import { FALLBACK_KEY, HISTORY_KEY, SESSION_KEY } from "./storage";
import { answer, FakeServer, hang, json, networkError } from "./test/fakeServer";

const HISTORY = "GET /api/dynamic-ai/chat";
const SEND = "POST /api/dynamic-ai/chat";
const SAVED = [
  { role: "user", content: "hi" },
  { role: "assistant", content: "hello" },
] as const;

let server: FakeServer;
let controllers: ChatController[];

/** A controller on the fake server; random() = 0.5 makes the jitter factor exactly 1. */
function make(options: Partial<ChatOptions> = {}, ...regressions: RegressionName[]): ChatController {
  const controller = new ChatController({
    fetchImpl: server.fetch,
    random: () => 0.5,
    regressions: new Set(regressions),
    ...options,
  });
  controllers.push(controller);
  return controller;
}

/** Let pending promises and zero-delay timers run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await vi.advanceTimersByTimeAsync(0);
}

async function mounted(options: Partial<ChatOptions> = {}, ...regressions: RegressionName[]): Promise<ChatController> {
  const controller = make(options, ...regressions);
  controller.start();
  await settle();
  return controller;
}

function titles(controller: ChatController): string[] {
  return controller.getState().toasts.map((t) => t.title);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  vi.setSystemTime(new Date("2025-01-01T00:00:00Z"));
  localStorage.clear();
  sessionStorage.clear();
  server = new FakeServer();
  controllers = [];
});

afterEach(() => {
  for (const controller of controllers) controller.dispose();
  vi.useRealTimers();
});

describe("history bootstrap", () => {
  it("goes idle → syncing → connected and reports every transition, the first included", async () => {
    server.route(HISTORY, () => json(200, { ok: true, messages: SAVED }));
    const chat = await mounted();
    expect(chat.getState().status).toBe("connected");
    expect(chat.getState().messages).toEqual(SAVED);
    expect(JSON.parse(localStorage.getItem(HISTORY_KEY) ?? "[]")).toEqual(SAVED);
    const events = server.analytics("chat_status_changed");
    expect(events.map((e) => [e.previous, e.status])).toEqual([
      [null, "idle"],
      ["idle", "syncing"],
      ["syncing", "connected"],
    ]);
    expect(events[0]).toMatchObject({ duration_ms: 0, session_id: chat.sessionId, timestamp: "2025-01-01T00:00:00.000Z" });
    expect(server.analytics("chat_history_synced")).toHaveLength(1);
    expect(server.calls(HISTORY)[0].url).toBe(`/api/dynamic-ai/chat?sessionId=${chat.sessionId}`);
  });

  it("keeps one session id in localStorage across mounts", () => {
    const first = make();
    const second = make();
    expect(first.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.sessionId).toBe(first.sessionId);
    expect(localStorage.getItem(SESSION_KEY)).toBe(first.sessionId);
  });

  it("shows localStorage history at once, and keeps it when the server has none", async () => {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(SAVED));
    server.route(HISTORY, hang);
    const chat = make();
    expect(chat.getState().messages).toEqual(SAVED);
    chat.start();
    server.route(HISTORY, () => json(200, { ok: true, messages: [] }));
    const fresh = await mounted();
    expect(fresh.getState().messages).toEqual(SAVED);
    expect(fresh.getState().status).toBe("connected");
  });

  it("drops a corrupt localStorage history", () => {
    localStorage.setItem(HISTORY_KEY, "{not json");
    expect(make().getState().messages).toEqual([]);
    expect(localStorage.getItem(HISTORY_KEY)).toBeNull();
  });

  it("on failure: error, the toast, the fallback kept apart, analytics and telemetry with the request id", async () => {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(SAVED));
    server.route(HISTORY, () => json(503, { ok: false, error: "upstream down" }, { "x-request-id": "r-h" }));
    const chat = await mounted();
    const state = chat.getState();
    expect(state.status).toBe("error");
    expect(state.toasts).toMatchObject([{ title: "Unable to sync history", tone: "error" }]);
    expect(state.fallback).toBe(FALLBACK_TEXT);
    expect(JSON.parse(sessionStorage.getItem(FALLBACK_KEY) ?? "null")).toEqual({ role: "assistant", content: FALLBACK_TEXT });
    expect(state.messages).toEqual(SAVED); // never inside the message list
    expect(server.analytics("chat_history_sync_failed")).toMatchObject([{ status: 503, request_id: "r-h", category: "server" }]);
    expect(server.telemetry()).toMatchObject([{ event: "chat_error", operation: "history", status: 503, request_id: "r-h" }]);
    expect(server.statusTrail()).toEqual(["idle", "syncing", "error"]);
  });

  it("fetchHistory rejects with a structured error", async () => {
    server.route(HISTORY, networkError);
    const chat = make();
    await expect(chat.fetchHistory()).rejects.toMatchObject({ status: null, requestId: null, category: "network", reason: "network" });
  });

  it("a history request that hangs times out on the (fake) clock", async () => {
    server.route(HISTORY, hang);
    const chat = await mounted({ historyTimeoutMs: 10000 });
    await vi.advanceTimersByTimeAsync(9999);
    expect(chat.getState().status).toBe("syncing");
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(chat.getState().status).toBe("error");
    expect(server.analytics("chat_history_sync_failed")[0]).toMatchObject({ reason: "timeout", category: "network" });
  });
});

describe("retry connection and recovery", () => {
  it("re-syncs: syncing, then fetchHistory; clears the fallback and toasts Back online once", async () => {
    server.route(HISTORY, () => json(503, {}), () => json(200, { ok: true, messages: SAVED }));
    const chat = await mounted();
    await chat.retryConnection();
    await settle();
    const state = chat.getState();
    expect(state.status).toBe("connected");
    expect(state.fallback).toBeNull();
    expect(sessionStorage.getItem(FALLBACK_KEY)).toBeNull();
    expect(titles(chat)).toEqual(["Unable to sync history", "Back online"]);
    expect(server.calls(HISTORY)).toHaveLength(2);
    expect(server.statusTrail()).toEqual(["idle", "syncing", "error", "syncing", "connected"]);
    // Another success is not a recovery: no second Back online.
    await chat.sendMessage("hello");
    await settle();
    expect(titles(chat).filter((t) => t === "Back online")).toHaveLength(1);
  });

  it("a failed retry keeps one fallback and does not toast the same outage again", async () => {
    server.route(HISTORY, () => json(503, {}));
    const chat = await mounted();
    await chat.retryConnection();
    await settle();
    expect(chat.getState().status).toBe("error");
    expect(chat.getState().fallback).toBe(FALLBACK_TEXT);
    expect(titles(chat)).toEqual(["Unable to sync history"]);
    expect(server.analytics("chat_history_sync_failed")).toHaveLength(2); // every failure is still counted
  });

  it("each failure toast shows once per outage, and again in the next outage", async () => {
    server.route(HISTORY, () => json(503, {}), () => json(200, { ok: true, messages: [] }), () => json(503, {}));
    server.route(SEND, () => json(503, {}));
    const chat = await mounted({ maxRetries: 0 });
    await chat.sendMessage("a");
    await chat.sendMessage("a");
    expect(titles(chat)).toEqual(["Unable to sync history", "Assistant temporarily offline"]);
    await chat.retryConnection(); // recovers
    await chat.retryConnection(); // fails: a new outage
    expect(titles(chat)).toEqual([
      "Unable to sync history",
      "Assistant temporarily offline",
      "Back online",
      "Unable to sync history",
    ]);
  });

  it("the fallback survives a reload, once, and the next success clears it", async () => {
    server.route(HISTORY, () => json(503, {}));
    const first = await mounted();
    first.dispose();
    const reloaded = make();
    expect(reloaded.getState().fallback).toBe(FALLBACK_TEXT);
    server.route(HISTORY, () => json(200, { ok: true, messages: [] }));
    reloaded.start();
    await settle();
    expect(reloaded.getState().fallback).toBeNull();
    expect(titles(reloaded)).toEqual(["Back online"]);
  });

  it("a new answer after an outage clears the error and toasts Back online", async () => {
    server.route(HISTORY, networkError);
    const chat = await mounted();
    expect(chat.getState().status).toBe("error");
    await chat.sendMessage("still there?");
    await settle();
    expect(chat.getState().status).toBe("connected");
    expect(chat.getState().fallback).toBeNull();
    expect(titles(chat)).toEqual(["Unable to sync history", "Back online"]);
  });

  it("toasts dismiss themselves after a while", async () => {
    server.route(HISTORY, networkError);
    const chat = await mounted({ toastMs: 8000 });
    expect(chat.getState().toasts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(8000);
    expect(chat.getState().toasts).toHaveLength(0);
  });
});

describe("send pipeline", () => {
  it("streams the answer, then shows the server's history and goes connected", async () => {
    const chat = await mounted();
    chat.setDraft("What are your fees?");
    const sending = chat.sendMessage(chat.getState().draft);
    expect(chat.getState()).toMatchObject({ pendingQuestion: "What are your fees?", draft: "", sending: true, status: "syncing" });
    await sending;
    const state = chat.getState();
    expect(state.messages).toEqual([
      { role: "user", content: "What are your fees?" },
      { role: "assistant", content: "You asked: What are your fees?" },
    ]);
    expect(state).toMatchObject({ status: "connected", pendingQuestion: null, streaming: null, sending: false });
    const request = server.calls(SEND)[0];
    expect(request.body).toEqual({ sessionId: chat.sessionId, message: "What are your fees?", history: [] });
    expect(request.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.analytics("chat_message_sent")).toMatchObject([{ attempts: 1 }]);
  });

  it("shows tokens as they stream", async () => {
    const chat = await mounted();
    const seen: (string | null)[] = [];
    chat.subscribe(() => seen.push(chat.getState().streaming));
    await chat.sendMessage("hi");
    expect(seen.filter((s) => s !== null)).toEqual(["You ", "You asked: ", "You asked: hi"]);
  });

  it("retries transient failures with exponential backoff under one idempotency key", async () => {
    server.route(SEND, () => json(503, {}), networkError, () => answer("hi", "ok", [], { cutAfter: 1 }), () => answer("hi", "ok"));
    const chat = await mounted({ retryBaseMs: 500 });
    void chat.sendMessage("hi");
    await settle();
    expect(server.calls(SEND)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(499);
    expect(server.calls(SEND)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.calls(SEND)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(server.calls(SEND)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.calls(SEND)).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(2000);
    await settle();
    expect(server.calls(SEND)).toHaveLength(4);
    expect(chat.getState().status).toBe("connected");
    expect(new Set(server.calls(SEND).map((r) => r.headers["idempotency-key"])).size).toBe(1);
    expect(server.statusTrail()).not.toContain("error");
    expect(server.telemetry()).toHaveLength(3);
  });

  it("jitters each delay within ±jitter", () => {
    const low = make({ random: () => 0, jitter: 0.2 });
    const high = make({ random: () => 0.999999, jitter: 0.2 });
    expect([0, 1, 2].map((n) => low.backoffDelay(n))).toEqual([400, 800, 1600]);
    expect([0, 1, 2].map((n) => high.backoffDelay(n))).toEqual([600, 1200, 2400]);
  });

  it("after the last retry: error, the fallback, the toast, the question back in the box", async () => {
    server.route(SEND, () => json(502, { ok: false, error: "engine refused" }, { "x-request-id": "r-last" }));
    const chat = await mounted();
    void chat.sendMessage("Can I withdraw?");
    await vi.advanceTimersByTimeAsync(500 + 1000 + 2000);
    await settle();
    const state = chat.getState();
    expect(server.calls(SEND)).toHaveLength(4);
    expect(state).toMatchObject({ status: "error", fallback: FALLBACK_TEXT, draft: "Can I withdraw?", pendingQuestion: null, sending: false });
    expect(titles(chat)).toEqual(["Assistant temporarily offline"]);
    expect(state.toasts[0].tone).toBe("error");
    expect(server.analytics("chat_message_failure")).toMatchObject([{ status: 502, request_id: "r-last", category: "server", attempts: 4 }]);
    expect(server.telemetry().map((t) => t.attempt)).toEqual([1, 2, 3, 4]);
    expect(server.statusTrail()).toEqual(["idle", "syncing", "connected", "syncing", "error"]);
  });

  it("a request that times out is retried", async () => {
    server.route(SEND, hang, () => answer("hi", "ok"));
    const chat = await mounted({ requestTimeoutMs: 15000 });
    void chat.sendMessage("hi");
    await vi.advanceTimersByTimeAsync(15000 + 500);
    await settle();
    expect(server.calls(SEND)).toHaveLength(2);
    expect(server.calls(SEND)[0].signal?.aborted).toBe(true);
    expect(chat.getState().status).toBe("connected");
  });

  it("an error event inside the stream is retried without a second stored question (same key)", async () => {
    server.route(
      SEND,
      () => new Response('data: {"type":"ack"}\n\ndata: {"type":"error","status":502,"message":"reset"}\n\n', { headers: { "content-type": "text/event-stream" } }),
      () => answer("hi", "ok"),
    );
    const chat = await mounted();
    void chat.sendMessage("hi");
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    const keys = server.calls(SEND).map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it("re-sending the same unanswered question reuses its key; a new question gets a new one", async () => {
    server.route(SEND, () => json(503, {}));
    const chat = await mounted({ maxRetries: 0 });
    await chat.sendMessage("hi");
    await chat.sendMessage("hi");
    server.route(SEND, () => answer("other", "ok"));
    await chat.sendMessage("other");
    const keys = server.calls(SEND).map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("sends the conversation as history, never the question itself", async () => {
    server.route(HISTORY, () => json(200, { ok: true, messages: SAVED }));
    const chat = await mounted();
    await chat.sendMessage("next");
    expect(server.calls(SEND)[0].body).toMatchObject({ message: "next", history: SAVED });
  });

  it.each([
    [400, "validation"],
    [422, "validation"],
    [404, "client"],
  ] as const)("a %s keeps idle with inline guidance and the question in the box, without retrying", async (status, kind) => {
    server.route(SEND, () => json(status, { ok: false, error: "bad", hint: "shorten it" }, { "x-request-id": "r-v" }));
    const chat = await mounted();
    await chat.sendMessage("x".repeat(10));
    await settle();
    const state = chat.getState();
    expect(server.calls(SEND)).toHaveLength(1);
    expect(state).toMatchObject({ status: "idle", draft: "x".repeat(10), guidance: { kind, text: "shorten it" }, fallback: null });
    expect(state.toasts).toMatchObject([{ title: "Message not sent", tone: "info" }]);
    expect(server.analytics("chat_message_recoverable_error")).toMatchObject([{ status, request_id: "r-v" }]);
    expect(server.telemetry()).toMatchObject([{ operation: "send", status, request_id: "r-v" }]);
  });

  it("a 429 honours Retry-After: Send is blocked with a countdown, then allowed again", async () => {
    server.route(SEND, () => json(429, { ok: false, error: "too many", hint: "wait 3 seconds" }, { "retry-after": "3" }), () => answer("hi", "ok"));
    const chat = await mounted();
    await chat.sendMessage("hi");
    expect(chat.getState()).toMatchObject({ status: "idle", retryAfterS: 3, guidance: { kind: "rate-limit" }, draft: "hi" });
    await chat.sendMessage("hi"); // blocked: no request
    expect(server.calls(SEND)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(chat.getState().retryAfterS).toBe(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(chat.getState()).toMatchObject({ retryAfterS: 0, guidance: null });
    await chat.sendMessage("hi");
    expect(server.calls(SEND)).toHaveLength(2);
    expect(chat.getState().status).toBe("connected");
  });

  it("a 429 without Retry-After waits the default", async () => {
    server.route(SEND, () => json(429, { ok: false, error: "too many" }));
    const chat = await mounted({ defaultRetryAfterS: 5 });
    await chat.sendMessage("hi");
    expect(chat.getState().retryAfterS).toBe(5);
  });

  it("a recoverable error during an outage leaves the error (and its retry CTA) in place", async () => {
    server.route(HISTORY, networkError);
    server.route(SEND, () => json(422, { ok: false, error: "bad" }));
    const chat = await mounted();
    await chat.sendMessage("hi");
    expect(chat.getState().status).toBe("error");
  });

  it("ignores an empty question and a second send while one is in flight", async () => {
    const chat = await mounted();
    await chat.sendMessage("   ");
    server.route(SEND, hang);
    void chat.sendMessage("one");
    void chat.sendMessage("two");
    await settle();
    expect(server.calls(SEND)).toHaveLength(1);
  });
});

describe("reset and unmount", () => {
  it("reset starts a new conversation with a new session id", async () => {
    server.route(HISTORY, () => json(503, {}));
    const chat = await mounted();
    const old = chat.sessionId;
    chat.reset();
    expect(chat.sessionId).not.toBe(old);
    expect(localStorage.getItem(SESSION_KEY)).toBe(chat.sessionId);
    expect(sessionStorage.getItem(FALLBACK_KEY)).toBeNull();
    expect(chat.getState()).toMatchObject({ status: "idle", messages: [], fallback: null, toasts: [] });
  });

  it("dispose cancels the request in flight and ignores its answer", async () => {
    server.route(SEND, hang);
    const chat = await mounted();
    void chat.sendMessage("hi");
    await settle();
    chat.dispose();
    await settle();
    expect(server.calls(SEND)[0].signal?.aborted).toBe(true);
    expect(chat.getState().status).toBe("syncing");
    expect(server.telemetry()).toEqual([]);
  });
});

describe("regressions", () => {
  it("silent-history-failure: back to idle, no toast, no fallback", async () => {
    server.route(HISTORY, () => json(503, {}));
    const chat = await mounted({}, "silent-history-failure");
    expect(chat.getState()).toMatchObject({ status: "idle", toasts: [], fallback: null });
  });

  it("fallback-duplicated-on-reconnect: the fallback is copied into the conversation", async () => {
    server.route(HISTORY, () => json(503, {}), () => json(200, { ok: true, messages: [] }));
    const chat = await mounted({}, "fallback-duplicated-on-reconnect");
    await chat.retryConnection();
    const state = chat.getState();
    expect(state.fallback).toBe(FALLBACK_TEXT);
    expect(state.messages).toEqual([{ role: "assistant", content: FALLBACK_TEXT, fallback: true }]);
  });

  it("no-backoff: every retry goes at once", async () => {
    server.route(SEND, () => json(503, {}));
    const chat = await mounted({}, "no-backoff");
    void chat.sendMessage("hi");
    await settle();
    expect(server.calls(SEND)).toHaveLength(4);
    expect(chat.getState().status).toBe("error");
  });

  it("retry-cta-no-resync: the CTA clears the error without a GET", async () => {
    server.route(HISTORY, () => json(503, {}));
    const chat = await mounted({}, "retry-cta-no-resync");
    await chat.retryConnection();
    expect(chat.getState().status).toBe("idle");
    expect(server.calls(HISTORY)).toHaveLength(1);
  });

  it("recoverable-as-transport: a 422 is retried and ends in error", async () => {
    server.route(SEND, () => json(422, { ok: false, error: "bad" }));
    const chat = await mounted({}, "recoverable-as-transport");
    void chat.sendMessage("hi");
    await vi.advanceTimersByTimeAsync(3500);
    await settle();
    expect(server.calls(SEND)).toHaveLength(4);
    expect(chat.getState()).toMatchObject({ status: "error", fallback: FALLBACK_TEXT, guidance: null });
  });

  it("no-back-online-toast: recovery without the toast", async () => {
    server.route(HISTORY, () => json(503, {}), () => json(200, { ok: true, messages: [] }));
    const chat = await mounted({}, "no-back-online-toast");
    await chat.retryConnection();
    expect(chat.getState().status).toBe("connected");
    expect(titles(chat)).toEqual(["Unable to sync history"]);
  });

  it("badge-stuck-syncing: a successful answer leaves syncing", async () => {
    const chat = await mounted({}, "badge-stuck-syncing");
    await chat.sendMessage("hi");
    expect(chat.getState().status).toBe("syncing");
  });

  it("analytics-missing-error-transition: no event for the transition into error", async () => {
    server.route(HISTORY, () => json(503, {}));
    const chat = await mounted({}, "analytics-missing-error-transition");
    expect(chat.getState().status).toBe("error");
    expect(server.statusTrail()).toEqual(["idle", "syncing"]);
  });

  it("question-stored-twice-on-retry: each retry has a new idempotency key", async () => {
    server.route(SEND, () => json(503, {}), () => answer("hi", "ok"));
    const chat = await mounted({}, "question-stored-twice-on-retry");
    void chat.sendMessage("hi");
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    const keys = server.calls(SEND).map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it("retry-after-ignored: no countdown after a 429", async () => {
    server.route(SEND, () => json(429, { ok: false, error: "too many" }, { "retry-after": "30" }));
    const chat = await mounted({}, "retry-after-ignored");
    await chat.sendMessage("hi");
    expect(chat.getState().retryAfterS).toBe(0);
  });
});
