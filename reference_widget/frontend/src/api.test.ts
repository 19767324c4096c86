import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fetchHistory, parseRetryAfter, postEvent, sendChat } from "./api";
import { ChatRequestError } from "./errors";
import { answer, FakeServer, hang, json, networkError, sseFrames } from "./test/fakeServer";

const HISTORY = "GET /api/dynamic-ai/chat";
const SEND = "POST /api/dynamic-ai/chat";

async function rejection(promise: Promise<unknown>): Promise<ChatRequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ChatRequestError);
    return error as ChatRequestError;
  }
  throw new Error("expected a rejection");
}

let server: FakeServer;
beforeEach(() => {
  server = new FakeServer();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("fetchHistory", () => {
  const get = () => fetchHistory("s 1", { timeoutMs: 1000, fetchImpl: server.fetch });

  it("returns the messages", async () => {
    server.route(HISTORY, () => json(200, { ok: true, messages: [{ role: "user", content: "hi" }] }));
    expect(await get()).toEqual([{ role: "user", content: "hi" }]);
    expect(server.calls(HISTORY)[0].url).toBe("/api/dynamic-ai/chat?sessionId=s%201");
  });

  it("rejects a 503 with its status, request id, category and hint", async () => {
    server.route(HISTORY, () => json(503, { ok: false, error: "upstream down", hint: "later" }, { "x-request-id": "r-503" }));
    const error = await rejection(get());
    expect([error.status, error.requestId, error.category, error.reason, error.hint]).toEqual([503, "r-503", "server", "http", "later"]);
    expect(error.message).toContain("upstream down");
  });

  it("rejects a network failure as category network, keeping the cause", async () => {
    server.route(HISTORY, networkError);
    const error = await rejection(get());
    expect([error.status, error.category, error.reason]).toEqual([null, "network", "network"]);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it("times out with setTimeout, so a fake clock controls it", async () => {
    vi.useFakeTimers();
    server.route(HISTORY, hang);
    const pending = rejection(get());
    await vi.advanceTimersByTimeAsync(999);
    expect(server.calls(HISTORY)[0].signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await pending;
    expect([error.reason, error.category]).toEqual(["timeout", "network"]);
  });

  it("rejects a malformed body as a server error", async () => {
    server.route(HISTORY, () => json(200, { ok: true, messages: [{ role: "robot", content: 1 }] }));
    const error = await rejection(get());
    expect([error.reason, error.category, error.status]).toEqual(["malformed", "server", 200]);
    server.route(HISTORY, () => new Response("<html>", { status: 200 }));
    expect((await rejection(get())).reason).toBe("malformed");
  });

  it("says cancelled when the widget aborts it", async () => {
    server.route(HISTORY, hang);
    const outer = new AbortController();
    const pending = rejection(fetchHistory("s", { timeoutMs: 1000, signal: outer.signal, fetchImpl: server.fetch }));
    outer.abort();
    expect((await pending).reason).toBe("aborted");
  });
});

describe("sendChat", () => {
  const payload = { sessionId: "s1", message: "hi", history: [] };

  it("streams: tokens are reported cumulatively, done gives the answer and history", async () => {
    server.route(SEND, () => answer("hi", "Hello there friend", [], { requestId: "r-1" }));
    const seen: string[] = [];
    const result = await sendChat(payload, {
      timeoutMs: 1000,
      idempotencyKey: "k1",
      fetchImpl: server.fetch,
      onToken: (content) => seen.push(content),
    });
    expect(seen).toEqual(["Hello ", "Hello there ", "Hello there friend"]);
    expect(result.assistantMessage).toEqual({ role: "assistant", content: "Hello there friend" });
    expect(result.history).toHaveLength(2);
    expect(result.requestId).toBe("r-1");
    const request = server.calls(SEND)[0];
    expect(request.url).toBe("/api/dynamic-ai/chat?stream=1");
    expect(request.headers["idempotency-key"]).toBe("k1");
    expect(request.body).toEqual(payload);
  });

  it("accepts a plain JSON answer", async () => {
    server.route(SEND, () => json(200, { ok: true, assistantMessage: { role: "assistant", content: "Hi" }, history: [] }));
    const result = await sendChat(payload, { timeoutMs: 1000, idempotencyKey: "k", fetchImpl: server.fetch });
    expect(result.assistantMessage.content).toBe("Hi");
    expect(result.history).toEqual([]);
  });

  it("accepts a string message in done, and a missing history", async () => {
    server.route(SEND, () => sseFrames([{ type: "ack" }, { type: "done", message: "Plain" }]));
    const result = await sendChat(payload, { timeoutMs: 1000, idempotencyKey: "k", fetchImpl: server.fetch });
    expect(result).toMatchObject({ assistantMessage: { role: "assistant", content: "Plain" }, history: null });
  });

  it("turns an in-stream error event into a retryable server error", async () => {
    server.route(SEND, () => sseFrames([{ type: "ack" }, { type: "error", message: "engine reset", status: 502, requestId: "r-e" }]));
    const error = await rejection(sendChat(payload, { timeoutMs: 1000, idempotencyKey: "k", fetchImpl: server.fetch }));
    expect([error.status, error.requestId, error.reason, error.retryable]).toEqual([502, "r-e", "stream-error", true]);
  });

  it("treats a stream that ends before done as a cut, retryable", async () => {
    server.route(SEND, () => answer("hi", "one two three", [], { cutAfter: 2 }));
    const error = await rejection(sendChat(payload, { timeoutMs: 1000, idempotencyKey: "k", fetchImpl: server.fetch }));
    expect([error.reason, error.category, error.retryable]).toEqual(["stream-cut", "network", true]);
  });

  it("treats a stream that errors midway as a cut", async () => {
    server.route(SEND, () => answer("hi", "one two three", [], { failAfter: 2 }));
    const error = await rejection(sendChat(payload, { timeoutMs: 1000, idempotencyKey: "k", fetchImpl: server.fetch }));
    expect(error.reason).toBe("stream-cut");
  });

  it("reads Retry-After and the hint of a 429", async () => {
    server.route(SEND, () => json(429, { ok: false, error: "too many", hint: "wait 7 seconds" }, { "retry-after": "7" }));
    const error = await rejection(sendChat(payload, { timeoutMs: 1000, idempotencyKey: "k", fetchImpl: server.fetch }));
    expect([error.category, error.retryAfterS, error.hint, error.recoverable]).toEqual(["rate-limit", 7, "wait 7 seconds", true]);
  });

  it("times out a stream that stops sending (an idle timeout, pushed back by each chunk)", async () => {
    vi.useFakeTimers();
    let push: ((text: string) => void) | undefined;
    server.route(SEND, (request) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (text) => controller.enqueue(new TextEncoder().encode(text));
          request.signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
    const pending = rejection(sendChat(payload, { timeoutMs: 1000, idempotencyKey: "k", fetchImpl: server.fetch }));
    await vi.advanceTimersByTimeAsync(800);
    push?.('data: {"type":"ack"}\n\n');
    await vi.advanceTimersByTimeAsync(800); // 1600 ms in all, but only 800 since the last chunk
    expect(server.calls(SEND)[0].signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect((await pending).reason).toBe("timeout");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("12")).toBe(12);
    expect(parseRetryAfter("1.2")).toBe(2);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30);
  });
});

describe("postEvent", () => {
  it("never throws, even when the network fails", async () => {
    server.route("POST /api/analytics", networkError);
    expect(() => postEvent("/api/analytics", { event: "x" }, server.fetch)).not.toThrow();
    await Promise.resolve();
    expect(server.analytics()).toEqual([{ event: "x" }]);
  });
});
