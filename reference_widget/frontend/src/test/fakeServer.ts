// A scripted stand-in for the API, installed as the widget's fetch in tests.
// Each route answers with its handlers in turn (the last one repeats), and
// every request is recorded, including analytics and telemetry bodies.

export type FakeRequest = {
  method: string;
  path: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal | null;
};

export type Handler = (request: FakeRequest) => Response | Promise<Response>;

export const encoder = new TextEncoder();

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "x-request-id": `req-${status}`, ...headers },
  });
}

export type SseOptions = {
  /** Stop after this many frames, without a done event (a cut stream). */
  cutAfter?: number;
  /** End the body with an error after the frames (a reset mid-stream). */
  failAfter?: number;
  requestId?: string;
};

export function sseFrames(frames: unknown[], options: SseOptions = {}): Response {
  const sent = options.cutAfter !== undefined ? frames.slice(0, options.cutAfter) : frames;
  const failAt = options.failAfter;
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAt !== undefined && index === failAt) {
        controller.error(new TypeError("network error"));
        return;
      }
      if (index >= sent.length) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(`data: ${JSON.stringify(sent[index])}\n\n`));
      index += 1;
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "text/event-stream", "x-request-id": options.requestId ?? "req-sse" },
  });
}

/** A well-formed streamed answer: ack, one token per word, done with history. */
export function answer(question: string, text: string, history: unknown[] = [], options: SseOptions = {}): Response {
  const words = text.split(/(?<= )/);
  let content = "";
  const frames: unknown[] = [{ type: "ack" }];
  for (const token of words) {
    content += token;
    frames.push({ type: "token", token, content });
  }
  frames.push({
    type: "done",
    message: { role: "assistant", content: text },
    history: [...history, { role: "user", content: question }, { role: "assistant", content: text }],
  });
  return sseFrames(frames, options);
}

export const networkError: Handler = () => Promise.reject(new TypeError("Failed to fetch"));

/** Never answers; rejects when the request is aborted (a timeout, or the widget closing). */
export const hang: Handler = (request) =>
  new Promise((_, reject) => {
    request.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
  });

export class FakeServer {
  readonly requests: FakeRequest[] = [];
  private readonly routes = new Map<string, Handler[]>();
  private readonly served = new Map<string, number>();

  constructor() {
    this.route("GET /api/dynamic-ai/chat", () => json(200, { ok: true, messages: [] }));
    this.route("POST /api/dynamic-ai/chat", (request) => {
      const question = (request.body as { message: string }).message;
      return answer(question, `You asked: ${question}`);
    });
    this.route("POST /api/analytics", () => json(202, { ok: true }));
    this.route("POST /api/telemetry", () => json(202, { ok: true }));
    this.route("GET /api/config", () => json(200, { ok: true, flags: { chat_widget_enabled: true }, regressions: [] }));
  }

  /** Answer `METHOD /path` with these handlers in turn; the last one repeats. */
  route(key: string, ...handlers: Handler[]): this {
    this.routes.set(key, handlers);
    this.served.set(key, 0);
    return this;
  }

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input instanceof URL ? input.href : input, "http://widget.test");
    const method = (init.method ?? "GET").toUpperCase();
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body: unknown = typeof init.body === "string" ? JSON.parse(init.body) : null;
    const request: FakeRequest = { method, path: url.pathname, url: url.pathname + url.search, headers, body, signal: init.signal ?? null };
    this.requests.push(request);
    const key = `${method} ${url.pathname}`;
    const handlers = this.routes.get(key);
    if (!handlers) return json(404, { ok: false, error: `no fake route ${key}` });
    const count = this.served.get(key) ?? 0;
    this.served.set(key, count + 1);
    return await handlers[Math.min(count, handlers.length - 1)](request);
  };

  calls(key: string): FakeRequest[] {
    const [method, path] = key.split(" ");
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  /** Bodies of analytics events, optionally of one name. */
  analytics(event?: string): Record<string, unknown>[] {
    return this.calls("POST /api/analytics")
      .map((r) => r.body as Record<string, unknown>)
      .filter((b) => event === undefined || b.event === event);
  }

  telemetry(): Record<string, unknown>[] {
    return this.calls("POST /api/telemetry").map((r) => r.body as Record<string, unknown>);
  }

  /** The status sequence as analytics reported it. */
  statusTrail(): string[] {
    return this.analytics("chat_status_changed").map((e) => String(e.status));
  }
}
