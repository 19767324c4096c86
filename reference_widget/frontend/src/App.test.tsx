import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { DEFAULT_CONFIG, loadConfig, parseConfig } from "./config";
import { FakeServer, json, networkError } from "./test/fakeServer";

let server: FakeServer;

async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  });
}

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  server = new FakeServer();
  vi.stubGlobal("fetch", server.fetch);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const launcher = () => screen.queryByRole("button", { name: "Open Dynamic Capital assistant" });

describe("App", () => {
  it("mounts the chat (and loads history) only when the launcher is clicked", async () => {
    render(<App />);
    await settle();
    expect(document.querySelector("main")?.dataset.chatWidget).toBe("enabled");
    expect(server.calls("GET /api/dynamic-ai/chat")).toHaveLength(0);
    fireEvent.click(launcher()!);
    await settle();
    expect(screen.getByRole("region", { name: "Dynamic Capital assistant" })).toBeTruthy();
    expect(server.calls("GET /api/dynamic-ai/chat")).toHaveLength(1);
    fireEvent.click(screen.getByRole("button", { name: "Close chat" }));
    expect(launcher()).not.toBeNull();
  });

  it("the feature flag removes the widget entirely", async () => {
    server.route("GET /api/config", () => json(200, { ok: true, flags: { chat_widget_enabled: false }, regressions: [] }));
    render(<App />);
    await settle();
    expect(document.querySelector("main")?.dataset.chatWidget).toBe("disabled");
    expect(launcher()).toBeNull();
  });

  it("regression kill-switch-ignored: the widget shows despite the flag", async () => {
    const body = { ok: true, flags: { chat_widget_enabled: false }, regressions: ["kill-switch-ignored"] };
    server.route("GET /api/config", () => json(200, body));
    render(<App />);
    await settle();
    expect(launcher()).not.toBeNull();
    expect(document.querySelector("main")?.dataset.regressions).toBe("kill-switch-ignored");
  });

  it("shows the widget when the config cannot be read (fail open)", async () => {
    server.route("GET /api/config", networkError);
    render(<App />);
    await settle();
    expect(launcher()).not.toBeNull();
  });
});

describe("loadConfig", () => {
  it("forwards the page's flags and regression parameters only", async () => {
    await loadConfig("?flags=chat_widget_enabled%3Doff&regression=no-backoff&utm=x", server.fetch);
    expect(server.calls("GET /api/config")[0].url).toBe("/api/config?flags=chat_widget_enabled%3Doff&regression=no-backoff");
    await loadConfig("", server.fetch);
    expect(server.calls("GET /api/config")[1].url).toBe("/api/config");
  });

  it("falls back to the defaults on an error status", async () => {
    server.route("GET /api/config", () => json(422, { ok: false }));
    expect(await loadConfig("?flags=nope", server.fetch)).toBe(DEFAULT_CONFIG);
  });

  it("reads tuning and keeps only known regressions", () => {
    const config = parseConfig({
      flags: { chat_widget_enabled: true },
      regressions: ["no-backoff", "history-oldest-fifty", 7],
      client: { retry_base_ms: 50, max_retries: 2, request_timeout_ms: 1000 },
    });
    expect([...config.regressions]).toEqual(["no-backoff"]);
    expect(config.tuning).toEqual({ retryBaseMs: 50, maxRetries: 2, requestTimeoutMs: 1000 });
    expect(parseConfig(null).enabled).toBe(true);
  });
});
