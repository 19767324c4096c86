import { useDynamicChat, type SyncStatus } from "./useDynamicChat";

const BADGE_TEXT: Record<SyncStatus, string> = {
  idle: "⚪ Ready",
  syncing: "🟡 Syncing",
  connected: "🟢 Online",
  error: "🔴 Reconnecting",
};

export function ChatAssistantWidget() {
  const { status, messages } = useDynamicChat();
  return (
    <section aria-label="Dynamic Capital assistant">
      <span role="status" aria-label="Connection status" data-sync-status={status}>
        {BADGE_TEXT[status]}
      </span>
      <ol aria-label="Conversation">
        {messages.map((message, index) => (
          <li key={index} data-role={message.role}>
            {message.content}
          </li>
        ))}
      </ol>
    </section>
  );
}
