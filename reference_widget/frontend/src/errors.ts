// Structured request errors: what failed, how, and what the widget should do.

export type ErrorCategory = "network" | "server" | "rate-limit" | "validation" | "client";

/** How a request failed, finer than its category (for telemetry and tests). */
export type FailureReason =
  | "network" // the request never got a response
  | "timeout" // no response (or no stream bytes) within the time limit
  | "aborted" // the widget cancelled it (closed, reset)
  | "http" // an HTTP error status
  | "malformed" // a 2xx whose body is not what the contract says
  | "stream-error" // an `error` event inside the stream
  | "stream-cut"; // the stream ended before its `done` event

/** The brief's rule: no status → network; ≥500 → server; 429; 400/422; other 4xx. */
export function categorize(status: number | null): ErrorCategory {
  if (status === null) return "network";
  if (status >= 500) return "server";
  if (status === 429) return "rate-limit";
  if (status === 400 || status === 422) return "validation";
  return "client";
}

export type ChatRequestErrorInit = {
  status: number | null;
  requestId: string | null;
  reason: FailureReason;
  category?: ErrorCategory;
  hint?: string | null;
  retryAfterS?: number | null;
  cause?: unknown;
};

export class ChatRequestError extends Error {
  readonly status: number | null;
  readonly requestId: string | null;
  readonly category: ErrorCategory;
  readonly reason: FailureReason;
  readonly hint: string | null;
  readonly retryAfterS: number | null;

  constructor(message: string, init: ChatRequestErrorInit) {
    super(message, { cause: init.cause });
    this.name = "ChatRequestError";
    this.status = init.status;
    this.requestId = init.requestId;
    this.reason = init.reason;
    this.category = init.category ?? categorize(init.status);
    this.hint = init.hint ?? null;
    this.retryAfterS = init.retryAfterS ?? null;
  }

  /** Network and server failures may succeed on a later attempt. */
  get retryable(): boolean {
    return this.reason !== "aborted" && (this.category === "network" || this.category === "server");
  }

  /** Validation and rate-limit errors: the user can fix or wait; the connection is fine. */
  get recoverable(): boolean {
    return this.category === "validation" || this.category === "rate-limit";
  }

  /** The fields every analytics and telemetry event about this error carries. */
  fields(): Record<string, string | number | null> {
    return {
      status: this.status,
      request_id: this.requestId,
      category: this.category,
      reason: this.reason,
      message: this.message,
    };
  }
}

export function isAborted(error: unknown): boolean {
  return error instanceof ChatRequestError && error.reason === "aborted";
}

/** Anything thrown inside a request becomes a ChatRequestError (a bug is a client error). */
export function asChatError(error: unknown): ChatRequestError {
  if (error instanceof ChatRequestError) return error;
  return new ChatRequestError(`unexpected error: ${String(error)}`, {
    status: null,
    requestId: null,
    reason: "malformed",
    category: "client",
    cause: error,
  });
}
