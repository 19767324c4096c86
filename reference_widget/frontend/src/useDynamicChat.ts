import { useEffect, useState } from "react";
import { fetchHistory, type ChatMessage } from "./api";

export type SyncStatus = "idle" | "syncing" | "connected" | "error";

const SESSION_KEY = "chat-assistant-session-id";

function sessionId(): string {
  const existing = localStorage.getItem(SESSION_KEY);
  if (existing) return existing;
  const created = crypto.randomUUID();
  localStorage.setItem(SESSION_KEY, created);
  return created;
}

export function useDynamicChat() {
  const [status, setStatus] = useState<SyncStatus>("idle");
  const [messages, setMessages] = useState<ChatMessage[]>([]);

  useEffect(() => {
    let cancelled = false;
    setStatus("syncing");
    fetchHistory(sessionId()).then(
      (history) => {
        if (cancelled) return;
        setMessages(history);
        setStatus(history.length > 0 ? "connected" : "idle");
      },
      () => {
        if (!cancelled) setStatus("error");
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  return { status, messages };
}
