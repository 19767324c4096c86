// The chat's state machine, free of React: history bootstrap, the send pipeline
// with backoff, offline UX and recovery, analytics. `useDynamicChat` is a thin
// hook over it. Every timer is setTimeout, every clock Date.now, so a fake clock
// (Vitest's, Playwright's) drives all of it.

import { fetchHistory, postEvent, sendChat, ANALYTICS_ENDPOINT, TELEMETRY_ENDPOINT, type ChatMessage } from "./api";
import { asChatError, isAborted, type ChatRequestError } from "./errors";
import { NO_REGRESSIONS, type RegressionName, type Regressions } from "./regressions";
import * as store from "./storage";

export type SyncStatus = "idle" | "syncing" | "connected" | "error";

export type ToastTitle = "Unable to sync history" | "Assistant temporarily offline" | "Message not sent" | "Back online";

/** `error` toasts are destructive (role alert); the rest are polite (role status). */
export type Toast = { id: number; title: ToastTitle; description: string; tone: "info" | "success" | "error" };

export type GuidanceKind = "validation" | "rate-limit" | "client";
export type Guidance = { kind: GuidanceKind; text: string };

/** A message as shown; `fallback` marks a fallback copy (only the duplicating regression makes one). */
export type DisplayMessage = ChatMessage & { fallback?: boolean };

export type ChatState = {
  status: SyncStatus;
  messages: DisplayMessage[];
  /** The question being sent, shown until the answer (or a failure) replaces it. */
  pendingQuestion: string | null;
  /** The answer so far while it streams. */
  streaming: string | null;
  fallback: string | null;
  toasts: Toast[];
  guidance: Guidance | null;
  draft: string;
  /** Seconds until Send is allowed again after a 429. */
  retryAfterS: number;
  sending: boolean;
};

export type ChatOptions = {
  retryBaseMs: number;
  maxRetries: number;
  /** Relative jitter of each backoff delay: 0.2 means ±20 %. */
  jitter: number;
  requestTimeoutMs: number;
  historyTimeoutMs: number;
  toastMs: number;
  defaultRetryAfterS: number;
  regressions: Regressions;
  random: () => number;
  now: () => number;
  fetchImpl?: typeof fetch;
};

export const DEFAULT_OPTIONS: ChatOptions = {
  retryBaseMs: 500,
  maxRetries: 3,
  jitter: 0.2,
  requestTimeoutMs: 15000,
  historyTimeoutMs: 10000,
  toastMs: 8000,
  defaultRetryAfterS: 5,
  regressions: NO_REGRESSIONS,
  random: () => Math.random(),
  now: () => Date.now(),
};

export const FALLBACK_TEXT =
  "The Dynamic Capital assistant is temporarily offline. Your conversation is saved on this device; " +
  "use Retry connection to reconnect, or try again in a few minutes.";

const COPY = {
  historyFailed: "We could not load your conversation. Saved messages are shown; retry when you are back online.",
  offline: "Your message was not sent. It is back in the message box, ready to send again.",
  backOnline: "The assistant is reachable again.",
  rateLimited: "You are sending messages too quickly.",
  invalid: "The assistant could not accept this message.",
  rejected: "The request was rejected.",
} as const;

const MAX_HISTORY_SENT = 50;

type Timer = ReturnType<typeof setTimeout>;

export class ChatController {
  private state: ChatState;
  private readonly options: ChatOptions;
  private readonly listeners = new Set<() => void>();
  private readonly inflight = new Set<AbortController>();
  private readonly timers = new Set<Timer>();
  private statusSince: number;
  private started = false;
  private disposed = false;
  private firstTransitionSent = false;
  /** True from entering `error` until the first success after it. */
  private outage: boolean;
  /** Failure toasts already shown in the open outage: each title once per outage. */
  private readonly outageToasts = new Set<ToastTitle>();
  /** The last question not yet answered, and its idempotency key. */
  private pending: { text: string; key: string } | null = null;
  private toastSeq = 0;
  private countdown: Timer | undefined;
  sessionId: string;

  constructor(options: Partial<ChatOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.sessionId = store.loadSessionId();
    const fallback = store.loadFallback();
    // A fallback kept from before a reload means the outage is still open.
    this.outage = fallback !== null;
    this.statusSince = this.options.now();
    this.state = {
      status: "idle",
      messages: store.loadHistory(),
      pendingQuestion: null,
      streaming: null,
      fallback,
      toasts: [],
      guidance: null,
      draft: "",
      retryAfterS: 0,
      sending: false,
    };
  }

  // -- the store protocol (useSyncExternalStore) ----------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): ChatState => this.state;

  private update(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  private has(regression: RegressionName): boolean {
    return this.options.regressions.has(regression);
  }

  // -- life cycle ------------------------------------------------------------------------

  /** Mounting: report the first status, then load history. */
  start = (): void => {
    if (this.started) return;
    this.started = true;
    this.disposed = false;
    if (!this.firstTransitionSent) {
      this.firstTransitionSent = true;
      this.track("chat_status_changed", { status: this.state.status, previous: null, duration_ms: 0 });
    }
    // Sync from a microtask: the mount has committed `idle` by then, and a
    // MutationObserver (the user's eyes, in a harness) sees it before `syncing`.
    queueMicrotask(() => {
      if (this.started && !this.disposed) void this.sync();
    });
  };

  /** Unmounting: cancel requests and timers; late answers are ignored. */
  dispose = (): void => {
    this.started = false;
    this.disposed = true;
    this.cancelAll();
  };

  private cancelAll(): void {
    for (const controller of this.inflight) controller.abort();
    this.inflight.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.countdown = undefined;
  }

  private signal(): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    this.inflight.add(controller);
    return { signal: controller.signal, done: () => this.inflight.delete(controller) };
  }

  private later(ms: number, run: () => void): Timer {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }

  // -- status and analytics ----------------------------------------------------------------

  private setStatus(next: SyncStatus): void {
    const previous = this.state.status;
    if (previous === next) return;
    const now = this.options.now();
    const duration = now - this.statusSince;
    this.statusSince = now;
    this.update({ status: next });
    if (next === "error" && this.has("analytics-missing-error-transition")) return;
    this.track("chat_status_changed", { status: next, previous, duration_ms: duration });
  }

  private track(event: string, fields: Record<string, unknown>): void {
    postEvent(
      ANALYTICS_ENDPOINT,
      { event, session_id: this.sessionId, timestamp: new Date(this.options.now()).toISOString(), ...fields },
      this.options.fetchImpl,
    );
  }

  /** A structured error for the observability log. */
  private report(error: ChatRequestError, operation: "history" | "send", extra: Record<string, unknown> = {}): void {
    postEvent(
      TELEMETRY_ENDPOINT,
      {
        event: "chat_error",
        operation,
        session_id: this.sessionId,
        timestamp: new Date(this.options.now()).toISOString(),
        ...error.fields(),
        ...extra,
      },
      this.options.fetchImpl,
    );
  }

  // -- toasts -------------------------------------------------------------------------------

  private toast(title: ToastTitle, description: string, tone: Toast["tone"]): void {
    const id = ++this.toastSeq;
    this.update({ toasts: [...this.state.toasts, { id, title, description, tone }] });
    this.later(this.options.toastMs, () => this.dismissToast(id));
  }

  dismissToast = (id: number): void => {
    if (this.state.toasts.some((t) => t.id === id)) {
      this.update({ toasts: this.state.toasts.filter((t) => t.id !== id) });
    }
  };

  // -- outage and recovery -------------------------------------------------------------------

  /** Enter (or stay in) an outage; toast `title` unless this outage already did. */
  private enterOutage(title: ToastTitle, description: string): void {
    this.outage = true;
    this.setStatus("error");
    if (this.state.fallback === null) {
      store.saveFallback(FALLBACK_TEXT);
      this.update({ fallback: FALLBACK_TEXT });
    }
    // The badge, the fallback and the CTA already say it: a second failure in
    // the same outage does not toast the same news again.
    if (!this.outageToasts.has(title)) {
      this.outageToasts.add(title);
      this.toast(title, description, "error");
    }
  }

  /** The first success after an outage: clear the fallback, toast "Back online" once. */
  private recovered(): void {
    if (!this.outage) return;
    this.outage = false;
    this.outageToasts.clear();
    const fallback = this.state.fallback;
    if (this.has("fallback-duplicated-on-reconnect")) {
      if (fallback !== null) {
        const messages = [...this.state.messages, { role: "assistant" as const, content: fallback, fallback: true }];
        store.saveHistory(messages);
        this.update({ messages });
      }
    } else {
      store.clearFallback();
      this.update({ fallback: null });
    }
    if (!this.has("no-back-online-toast")) this.toast("Back online", COPY.backOnline, "success");
  }

  // -- history -------------------------------------------------------------------------------

  /** GET the session's history; rejects with a ChatRequestError (status, request id, category, cause). */
  fetchHistory = async (): Promise<ChatMessage[]> => {
    const { signal, done } = this.signal();
    try {
      return await fetchHistory(this.sessionId, {
        timeoutMs: this.options.historyTimeoutMs,
        signal,
        fetchImpl: this.options.fetchImpl,
      });
    } finally {
      done();
    }
  };

  /** `syncing`, then fetchHistory: `connected`, or `error` with a toast and the fallback. */
  sync = async (): Promise<void> => {
    this.setStatus("syncing");
    let messages: ChatMessage[];
    try {
      messages = await this.fetchHistory();
    } catch (thrown) {
      if (this.disposed || isAborted(thrown)) return;
      this.historyFailed(asChatError(thrown));
      return;
    }
    if (this.disposed) return;
    // An empty server history keeps what this device has (a first visit, or a new server).
    if (messages.length > 0) {
      store.saveHistory(messages);
      this.update({ messages });
    }
    this.setStatus("connected");
    this.track("chat_history_synced", { count: messages.length });
    this.recovered();
  };

  private historyFailed(error: ChatRequestError): void {
    if (this.has("silent-history-failure")) {
      this.setStatus("idle");
      return;
    }
    this.enterOutage("Unable to sync history", COPY.historyFailed);
    this.track("chat_history_sync_failed", error.fields());
    this.report(error, "history");
  }

  /** The "Retry connection" CTA: `syncing`, then fetchHistory again. */
  retryConnection = async (): Promise<void> => {
    if (this.has("retry-cta-no-resync")) {
      this.setStatus("idle");
      return;
    }
    if (this.state.status === "syncing") return;
    await this.sync();
  };

  // -- send ------------------------------------------------------------------------------------

  setDraft = (draft: string): void => {
    this.update({ draft });
  };

  /** Exponential backoff with jitter: about base, 2×base, 4×base… */
  backoffDelay(attempt: number): number {
    if (this.has("no-backoff")) return 0;
    const { retryBaseMs, jitter, random } = this.options;
    const factor = 1 - jitter + 2 * jitter * random();
    return Math.round(retryBaseMs * 2 ** attempt * factor);
  }

  /**
   * Send a question. Transient failures are retried with backoff under one
   * idempotency key, so the server stores the question once; recoverable ones
   * keep `idle` with guidance; exhausted retries enter `error` with the fallback.
   */
  sendMessage = async (raw: string): Promise<void> => {
    const text = raw.trim();
    if (!text || this.state.sending || this.state.retryAfterS > 0) return;
    // Re-sending the same unanswered question reuses its key: never stored twice.
    const key = this.pending?.text === text ? this.pending.key : store.uuid();
    this.pending = { text, key };
    const history = this.state.messages
      .filter((m) => !m.fallback)
      .slice(-MAX_HISTORY_SENT)
      .map(({ role, content }) => ({ role, content }));
    this.update({ pendingQuestion: text, draft: "", guidance: null, sending: true, streaming: null });
    this.setStatus("syncing");

    for (let attempt = 0; ; attempt += 1) {
      const attemptKey = this.has("question-stored-twice-on-retry") && attempt > 0 ? store.uuid() : key;
      const { signal, done } = this.signal();
      try {
        const result = await sendChat(
          { sessionId: this.sessionId, message: text, history },
          {
            idempotencyKey: attemptKey,
            timeoutMs: this.options.requestTimeoutMs,
            signal,
            fetchImpl: this.options.fetchImpl,
            onToken: (content) => {
              if (!this.disposed) this.update({ streaming: content });
            },
          },
        );
        if (this.disposed) return;
        this.answered(text, result.assistantMessage, result.history, attempt + 1, result.requestId);
        return;
      } catch (thrown) {
        if (this.disposed || isAborted(thrown)) return;
        const error = asChatError(thrown);
        this.update({ streaming: null });
        const transient = error.retryable || (error.recoverable && this.has("recoverable-as-transport"));
        if (!transient) {
          this.notSent(text, error);
          return;
        }
        this.report(error, "send", { attempt: attempt + 1, final: attempt >= this.options.maxRetries });
        if (attempt >= this.options.maxRetries) {
          this.sendFailed(text, error, attempt + 1);
          return;
        }
        const delay = this.backoffDelay(attempt);
        if (delay > 0) await this.sleep(delay);
        if (this.disposed) return;
      } finally {
        done();
      }
    }
  };

  private answered(
    question: string,
    answer: ChatMessage,
    history: ChatMessage[] | null,
    attempts: number,
    requestId: string | null,
  ): void {
    this.pending = null;
    const messages: DisplayMessage[] = history ?? [...this.state.messages, { role: "user", content: question }, answer];
    store.saveHistory(messages);
    this.update({ messages, pendingQuestion: null, streaming: null, sending: false });
    if (!this.has("badge-stuck-syncing")) this.setStatus("connected");
    this.track("chat_message_sent", { attempts, request_id: requestId });
    this.recovered();
  }

  /** Recoverable: the question goes back in the box, with guidance; the status is `idle`. */
  private notSent(question: string, error: ChatRequestError): void {
    const kind: GuidanceKind =
      error.category === "rate-limit" ? "rate-limit" : error.category === "validation" ? "validation" : "client";
    const text =
      error.hint ?? (kind === "rate-limit" ? COPY.rateLimited : kind === "validation" ? COPY.invalid : COPY.rejected);
    this.update({ pendingQuestion: null, draft: question, sending: false, guidance: { kind, text } });
    // The server answered, so nothing recovered from an open outage: stay in `error` then.
    this.setStatus(this.outage ? "error" : "idle");
    this.toast("Message not sent", text, "info");
    this.track("chat_message_recoverable_error", error.fields());
    this.report(error, "send", { attempt: 1, final: true });
    if (kind === "rate-limit" && !this.has("retry-after-ignored")) {
      this.startCountdown(error.retryAfterS ?? this.options.defaultRetryAfterS);
    }
  }

  private startCountdown(seconds: number): void {
    if (this.countdown !== undefined) {
      clearTimeout(this.countdown);
      this.timers.delete(this.countdown);
    }
    this.update({ retryAfterS: Math.max(1, seconds) });
    const tick = () => {
      const left = this.state.retryAfterS - 1;
      if (left > 0) {
        this.update({ retryAfterS: left });
        this.countdown = this.later(1000, tick);
        return;
      }
      this.countdown = undefined;
      const guidance = this.state.guidance?.kind === "rate-limit" ? null : this.state.guidance;
      this.update({ retryAfterS: 0, guidance });
    };
    this.countdown = this.later(1000, tick);
  }

  /** Transport failure after every retry: `error`, the fallback, the question kept. */
  private sendFailed(question: string, error: ChatRequestError, attempts: number): void {
    this.update({ pendingQuestion: null, draft: question, sending: false });
    this.enterOutage("Assistant temporarily offline", COPY.offline);
    this.track("chat_message_failure", { ...error.fields(), attempts });
  }

  // -- reset -----------------------------------------------------------------------------------

  /** A new conversation: a new session id, nothing kept from the old one. */
  reset = (): void => {
    this.cancelAll();
    this.pending = null;
    this.outage = false;
    this.outageToasts.clear();
    this.sessionId = store.newSessionId();
    store.clearHistory();
    store.clearFallback();
    this.update({
      messages: [],
      pendingQuestion: null,
      streaming: null,
      fallback: null,
      toasts: [],
      guidance: null,
      draft: "",
      retryAfterS: 0,
      sending: false,
    });
    this.setStatus("idle");
  };
}
