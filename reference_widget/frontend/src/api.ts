export type ChatMessage = { role: "user" | "assistant"; content: string };

export const CHAT_ENDPOINT = "/api/dynamic-ai/chat";

export class ChatRequestError extends Error {
  readonly status: number | null;
  readonly requestId: string | null;

  constructor(message: string, status: number | null, requestId: string | null) {
    super(message);
    this.name = "ChatRequestError";
    this.status = status;
    this.requestId = requestId;
  }
}

export async function fetchHistory(sessionId: string): Promise<ChatMessage[]> {
  let response: Response;
  try {
    response = await fetch(`${CHAT_ENDPOINT}?sessionId=${encodeURIComponent(sessionId)}`);
  } catch (cause) {
    throw new ChatRequestError(`history request failed: ${String(cause)}`, null, null);
  }
  const requestId = response.headers.get("x-request-id");
  if (!response.ok) {
    throw new ChatRequestError(`history request answered ${response.status}`, response.status, requestId);
  }
  const body = (await response.json()) as { ok?: boolean; messages?: ChatMessage[] };
  if (!body.ok || !Array.isArray(body.messages)) {
    throw new ChatRequestError("history response is malformed", response.status, requestId);
  }
  return body.messages;
}
