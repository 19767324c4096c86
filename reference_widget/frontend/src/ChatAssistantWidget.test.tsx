import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BADGE_TEXT, ChatAssistantWidget, INPUT_LABEL } from "./ChatAssistantWidget";
import type { ChatOptions } from "./chatController";
import type { RegressionName } from "./regressions";
import { HISTORY_KEY } from "./storage";
import { answer, FakeServer, json, networkError } from "./test/fakeServer";

const HISTORY = "GET /api/dynamic-ai/chat";
const SEND = "POST /api/dynamic-ai/chat";

let server: FakeServer;

async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i += 1) await vi.advanceTimersByTimeAsync(0);
  });
}

async function renderWidget(regressions: RegressionName[] = [], options: Partial<ChatOptions> = {}, onClose = () => {}) {
  const view = render(
    <ChatAssistantWidget
      options={{ fetchImpl: server.fetch, random: () => 0.5, regressions: new Set(regressions), ...options }}
      onClose={onClose}
    />,
  );
  await settle();
  return view;
}

const badge = () => screen.getByRole("status", { name: "Connection status" });
const conversation = () => screen.getByRole("list", { name: "Conversation" });
const input = () => screen.getByRole<HTMLInputElement>("textbox", { name: INPUT_LABEL });
const send = () => screen.getByRole<HTMLButtonElement>("button", { name: "Send" });
const retry = () => screen.queryByRole("button", { name: "Retry connection" });
const toasts = () => [...document.querySelectorAll<HTMLElement>("[data-toast-title]")];

async function ask(text: string): Promise<void> {
  fireEvent.change(input(), { target: { value: text } });
  fireEvent.click(send());
  await settle();
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  localStorage.clear();
  sessionStorage.clear();
  server = new FakeServer();
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("ChatAssistantWidget", () => {
  it("has the production widget's accessible names", async () => {
    await renderWidget();
    expect(input()).toBeTruthy();
    for (const name of ["Send", "Reset conversation", "Minimize chat", "Close chat"]) {
      expect(screen.getByRole("button", { name })).toBeTruthy();
    }
    expect(retry()).toBeNull(); // only in error
  });

  it("shows a distinct badge per status, and the status as data-sync-status", async () => {
    expect(new Set(Object.values(BADGE_TEXT)).size).toBe(4);
    await renderWidget();
    expect(badge().dataset.syncStatus).toBe("connected");
    expect(badge().textContent).toBe(BADGE_TEXT.connected);
  });

  it("regression idle-connected-same-badge: idle looks like connected", async () => {
    server.route(SEND, () => json(422, { ok: false, error: "bad" }));
    await renderWidget(["idle-connected-same-badge"]);
    await ask("x");
    expect(badge().dataset.syncStatus).toBe("idle");
    expect(badge().textContent).toBe(BADGE_TEXT.connected);
  });

  it("history failure: error badge, alert toast, one fallback outside the list, the retry CTA; retry recovers", async () => {
    server.route(HISTORY, () => json(503, { ok: false }), () => json(200, { ok: true, messages: [] }));
    await renderWidget();
    expect(badge().dataset.syncStatus).toBe("error");
    const [toast] = toasts();
    expect(toast.getAttribute("role")).toBe("alert");
    expect(toast.dataset.toastTitle).toBe("Unable to sync history");
    expect(toast.querySelector("[data-toast-description]")?.textContent).toBeTruthy();
    const fallbacks = document.querySelectorAll("[data-fallback]");
    expect(fallbacks).toHaveLength(1);
    expect(conversation().contains(fallbacks[0])).toBe(false);
    expect(screen.getByRole("note", { name: "Assistant offline notice" })).toBe(fallbacks[0]);

    fireEvent.click(retry()!);
    expect(badge().dataset.syncStatus).toBe("syncing");
    await settle();
    expect(badge().dataset.syncStatus).toBe("connected");
    expect(retry()).toBeNull();
    expect(document.querySelectorAll("[data-fallback]")).toHaveLength(0);
    const back = toasts().find((t) => t.dataset.toastTitle === "Back online");
    expect(back?.getAttribute("role")).toBe("status");
  });

  it("renders the fallback once however many failures there are", async () => {
    server.route(HISTORY, networkError);
    server.route(SEND, networkError);
    await renderWidget([], { maxRetries: 0 });
    fireEvent.click(retry()!);
    await settle();
    await ask("hello?");
    expect(badge().dataset.syncStatus).toBe("error");
    expect(document.querySelectorAll("[data-fallback]")).toHaveLength(1);
    expect(toasts().map((t) => t.dataset.toastTitle)).toEqual(["Unable to sync history", "Assistant temporarily offline"]);
  });

  it("regression fallback-duplicated-on-reconnect: two fallbacks after the retry", async () => {
    server.route(HISTORY, () => json(503, {}), () => json(200, { ok: true, messages: [] }));
    await renderWidget(["fallback-duplicated-on-reconnect"]);
    fireEvent.click(retry()!);
    await settle();
    expect(document.querySelectorAll("[data-fallback]")).toHaveLength(2);
  });

  it("sends a question and shows both messages by role", async () => {
    await renderWidget();
    await ask("What are your fees?");
    const items = within(conversation()).getAllByRole("listitem");
    expect(items.map((li) => [li.dataset.role, li.textContent])).toEqual([
      ["user", "What are your fees?"],
      ["assistant", "You asked: What are your fees?"],
    ]);
    expect(input().value).toBe("");
  });

  it("a send that fails for good puts the question back and shows the retry CTA", async () => {
    server.route(SEND, () => json(503, {}));
    await renderWidget([], { maxRetries: 1, retryBaseMs: 10 });
    await ask("Can I withdraw?");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    await settle();
    expect(badge().dataset.syncStatus).toBe("error");
    expect(input().value).toBe("Can I withdraw?");
    expect(retry()).not.toBeNull();
    expect(toasts().map((t) => t.dataset.toastTitle)).toEqual(["Assistant temporarily offline"]);
  });

  it("renders messages as text, never as HTML", async () => {
    const markup = '<img src="x" data-injected="1">';
    localStorage.setItem(HISTORY_KEY, JSON.stringify([{ role: "user", content: markup }]));
    await renderWidget();
    expect(conversation().querySelector("[data-injected]")).toBeNull();
    expect(within(conversation()).getByRole("listitem").textContent).toBe(markup);
  });

  it("regression messages-rendered-as-html: markup becomes elements", async () => {
    localStorage.setItem(HISTORY_KEY, JSON.stringify([{ role: "user", content: '<b data-injected="1">x</b>' }]));
    await renderWidget(["messages-rendered-as-html"]);
    expect(conversation().querySelector("[data-injected]")).not.toBeNull();
  });

  it("a validation error keeps idle, shows inline guidance tied to the input, and keeps the question", async () => {
    server.route(SEND, () => json(422, { ok: false, error: "message is empty", hint: "type a question before sending" }));
    await renderWidget();
    await ask("hm");
    expect(badge().dataset.syncStatus).toBe("idle");
    const guidance = screen.getByRole("note", { name: "Message guidance" });
    expect(guidance.dataset.guidance).toBe("validation");
    expect(guidance.textContent).toBe("type a question before sending");
    expect(input().getAttribute("aria-describedby")).toBe(guidance.id);
    expect(input().value).toBe("hm");
    const [toast] = toasts();
    expect([toast.dataset.toastTitle, toast.getAttribute("role")]).toEqual(["Message not sent", "status"]);
  });

  it("a 429 disables Send with a countdown until Retry-After has passed", async () => {
    server.route(SEND, () => json(429, { ok: false, error: "too many", hint: "wait 2 seconds" }, { "retry-after": "2" }));
    await renderWidget();
    await ask("hi");
    expect(send().disabled).toBe(true);
    expect(document.querySelector("[data-countdown]")?.textContent).toContain("You can send again in 2 s.");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1000);
    });
    expect(document.querySelector("[data-countdown]")?.getAttribute("data-countdown")).toBe("1");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1000);
    });
    expect(send().disabled).toBe(false);
    expect(screen.queryByRole("note", { name: "Message guidance" })).toBeNull();
  });

  it("Send is disabled for an empty question", async () => {
    await renderWidget();
    expect(send().disabled).toBe(true);
    fireEvent.change(input(), { target: { value: "  " } });
    expect(send().disabled).toBe(true);
  });

  it("minimizes, expands, resets and closes", async () => {
    const onClose = vi.fn();
    localStorage.setItem(HISTORY_KEY, JSON.stringify([{ role: "user", content: "old" }]));
    await renderWidget([], {}, onClose);
    fireEvent.click(screen.getByRole("button", { name: "Minimize chat" }));
    expect(screen.queryByRole("list", { name: "Conversation" })).toBeNull();
    expect(badge()).toBeTruthy(); // the status stays visible
    fireEvent.click(screen.getByRole("button", { name: "Expand chat" }));
    expect(within(conversation()).getAllByRole("listitem")).toHaveLength(1);
    fireEvent.click(screen.getByRole("button", { name: "Reset conversation" }));
    expect(within(conversation()).queryAllByRole("listitem")).toHaveLength(0);
    expect(badge().dataset.syncStatus).toBe("idle");
    fireEvent.click(screen.getByRole("button", { name: "Close chat" }));
    expect(onClose).toHaveBeenCalledOnce();
  });

  it("a toast can be dismissed", async () => {
    server.route(HISTORY, networkError);
    await renderWidget();
    fireEvent.click(screen.getByRole("button", { name: "Dismiss notification" }));
    expect(toasts()).toHaveLength(0);
  });

  it("stops its requests when unmounted", async () => {
    server.route(SEND, (request) => new Promise((_, reject) => request.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")))));
    const view = await renderWidget();
    await ask("hi");
    view.unmount();
    expect(server.calls(SEND)[0].signal?.aborted).toBe(true);
  });

  it("keeps the streamed answer visible while it arrives", async () => {
    let release: (() => void) | undefined;
    server.route(SEND, () => new Promise<Response>((resolve) => {
      release = () => resolve(answer("hi", "Hello there"));
    }));
    await renderWidget();
    await ask("hi");
    const pending = conversation().querySelector<HTMLElement>("[data-pending]");
    expect(pending?.dataset.role).toBe("user");
    release?.();
    await settle();
    expect(conversation().querySelector("[data-pending]")).toBeNull();
  });
});
