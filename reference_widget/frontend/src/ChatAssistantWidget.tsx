import { useId, useState, type FormEvent } from "react";
import { DEFAULT_OPTIONS, type ChatOptions, type DisplayMessage, type SyncStatus } from "./chatController";
import { Toasts } from "./Toasts";
import { useDynamicChat } from "./useDynamicChat";

export const BADGE_TEXT: Record<SyncStatus, string> = {
  idle: "⚪ Ready",
  syncing: "🟡 Syncing…",
  connected: "🟢 Online",
  error: "🔴 Offline",
};

export const INPUT_LABEL = "Ask the Dynamic Capital assistant a question";
export const MAX_MESSAGE_CHARS = 2000;

type Props = {
  options?: Partial<ChatOptions>;
  onClose?: () => void;
};

function MessageBody({ message, asHtml }: { message: DisplayMessage; asHtml: boolean }) {
  if (asHtml) {
    // The `messages-rendered-as-html` regression: exactly the bug the text rendering prevents.
    return <div className="message-body" dangerouslySetInnerHTML={{ __html: message.content }} />;
  }
  return <div className="message-body">{message.content}</div>;
}

export function ChatAssistantWidget({ options = {}, onClose }: Props) {
  const chat = useDynamicChat(options);
  const [minimized, setMinimized] = useState(false);
  const guidanceId = useId();
  const regressions = options.regressions ?? DEFAULT_OPTIONS.regressions;
  const asHtml = regressions.has("messages-rendered-as-html");
  const badge =
    chat.status === "idle" && regressions.has("idle-connected-same-badge") ? BADGE_TEXT.connected : BADGE_TEXT[chat.status];
  const blocked = chat.retryAfterS > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void chat.sendMessage(chat.draft);
  };

  return (
    <section className="chat" aria-label="Dynamic Capital assistant" data-minimized={minimized ? "true" : "false"}>
      <header className="chat-header">
        <div className="chat-title">
          <h2>Dynamic Capital assistant</h2>
          <span className={`badge badge-${chat.status}`} role="status" aria-label="Connection status" data-sync-status={chat.status}>
            {badge}
          </span>
        </div>
        <div className="chat-controls">
          <button type="button" className="icon-button" aria-label="Reset conversation" title="Reset conversation" onClick={chat.reset}>
            ↺
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={minimized ? "Expand chat" : "Minimize chat"}
            title={minimized ? "Expand chat" : "Minimize chat"}
            aria-expanded={!minimized}
            onClick={() => setMinimized(!minimized)}
          >
            {minimized ? "▴" : "▾"}
          </button>
          <button type="button" className="icon-button" aria-label="Close chat" title="Close chat" onClick={onClose}>
            ×
          </button>
        </div>
      </header>
      {!minimized && (
        <div className="chat-body">
          {chat.fallback !== null && (
            <div className="fallback" role="note" aria-label="Assistant offline notice" data-fallback="true">
              {chat.fallback}
            </div>
          )}
          {chat.status === "error" && (
            <button type="button" className="retry" onClick={() => void chat.retryConnection()}>
              Retry connection
            </button>
          )}
          <ol className="messages" aria-label="Conversation">
            {chat.messages.map((message, index) => (
              <li
                key={index}
                className={`message message-${message.role}`}
                data-role={message.role}
                data-fallback={message.fallback ? "true" : undefined}
              >
                <MessageBody message={message} asHtml={asHtml} />
              </li>
            ))}
            {chat.pendingQuestion !== null && (
              <li className="message message-user message-pending" data-role="user" data-pending="true">
                <MessageBody message={{ role: "user", content: chat.pendingQuestion }} asHtml={asHtml} />
              </li>
            )}
            {chat.streaming !== null && (
              <li className="message message-assistant" data-role="assistant" data-streaming="true">
                <MessageBody message={{ role: "assistant", content: chat.streaming }} asHtml={asHtml} />
              </li>
            )}
          </ol>
          <form className="composer" onSubmit={submit}>
            <input
              type="text"
              aria-label={INPUT_LABEL}
              placeholder="Ask about accounts, deposits, fees…"
              maxLength={MAX_MESSAGE_CHARS}
              value={chat.draft}
              readOnly={chat.sending}
              aria-describedby={chat.guidance ? guidanceId : undefined}
              onChange={(event) => chat.setDraft(event.target.value)}
            />
            <button type="submit" disabled={chat.sending || blocked || chat.draft.trim() === ""}>
              Send
            </button>
          </form>
          {chat.guidance !== null && (
            <p id={guidanceId} className="guidance" role="note" aria-label="Message guidance" data-guidance={chat.guidance.kind}>
              {chat.guidance.text}
              {blocked && (
                <span className="countdown" data-countdown={chat.retryAfterS}>
                  {" "}
                  You can send again in {chat.retryAfterS} s.
                </span>
              )}
            </p>
          )}
        </div>
      )}
      <Toasts toasts={chat.toasts} onDismiss={chat.dismissToast} />
    </section>
  );
}
