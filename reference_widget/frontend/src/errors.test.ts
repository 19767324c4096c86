import { describe, expect, it } from "vitest";
import { asChatError, categorize, ChatRequestError, isAborted } from "./errors";

describe("categorize", () => {
  it.each([
    [null, "network"],
    [500, "server"],
    [502, "server"],
    [504, "server"],
    [429, "rate-limit"],
    [400, "validation"],
    [422, "validation"],
    [404, "client"],
    [413, "client"],
  ] as const)("status %s is %s", (status, category) => {
    expect(categorize(status)).toBe(category);
  });
});

describe("ChatRequestError", () => {
  it("says what the widget should do", () => {
    const server = new ChatRequestError("x", { status: 503, requestId: "r", reason: "http" });
    expect([server.retryable, server.recoverable]).toEqual([true, false]);
    const limited = new ChatRequestError("x", { status: 429, requestId: "r", reason: "http", retryAfterS: 3 });
    expect([limited.retryable, limited.recoverable, limited.retryAfterS]).toEqual([false, true, 3]);
    const aborted = new ChatRequestError("x", { status: null, requestId: null, reason: "aborted" });
    expect(aborted.retryable).toBe(false);
    expect(isAborted(aborted)).toBe(true);
  });

  it("keeps the cause and reports its fields", () => {
    const cause = new TypeError("Failed to fetch");
    const error = new ChatRequestError("history failed", { status: null, requestId: null, reason: "network", cause });
    expect(error.cause).toBe(cause);
    expect(error.fields()).toEqual({ status: null, request_id: null, category: "network", reason: "network", message: "history failed" });
  });

  it("wraps anything else as a client error", () => {
    const error = asChatError(new Error("bug"));
    expect(error.category).toBe("client");
    expect(asChatError(error)).toBe(error);
  });
});
