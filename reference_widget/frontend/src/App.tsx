import { useEffect, useState } from "react";
import { ChatAssistantWidget } from "./ChatAssistantWidget";
import { loadConfig, type WidgetConfig } from "./config";

type Props = { config?: WidgetConfig };

// A stand-in host page. The chat panel mounts when the launcher opens it:
// mounting is what loads history (the harness relies on that order).
export function App({ config: given }: Props) {
  const [loaded, setLoaded] = useState<WidgetConfig | null>(null);
  const config = given ?? loaded;
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (given) return;
    let live = true;
    void loadConfig(window.location.search).then((value) => {
      if (live) setLoaded(value);
    });
    return () => {
      live = false;
    };
  }, [given]);

  const state = config === null ? "loading" : config.enabled || config.regressions.has("kill-switch-ignored") ? "enabled" : "disabled";
  return (
    <main className="host" data-chat-widget={state} data-regressions={config ? [...config.regressions].join(" ") : ""}>
      <section className="host-copy">
        <h1>Dynamic Capital</h1>
        <p>Accounts, deposits and withdrawals, with an assistant to answer questions.</p>
      </section>
      {state === "enabled" && config !== null && (
        <div className="widget-dock">
          {open ? (
            <ChatAssistantWidget
              options={{
                regressions: config.regressions,
                retryBaseMs: config.tuning.retryBaseMs,
                maxRetries: config.tuning.maxRetries,
                requestTimeoutMs: config.tuning.requestTimeoutMs,
              }}
              onClose={() => setOpen(false)}
            />
          ) : (
            <button type="button" className="launcher" onClick={() => setOpen(true)}>
              Open Dynamic Capital assistant
            </button>
          )}
        </div>
      )}
    </main>
  );
}
