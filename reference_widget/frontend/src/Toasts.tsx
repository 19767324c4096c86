import type { Toast } from "./chatController";

// A live region that is always in the DOM (so screen readers announce what is
// added to it); each toast is itself a status, or an alert when destructive.
// Probes read `data-toast-title` and `[data-toast-description]`.
export function Toasts({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {toasts.map((toast) => (
        <div
          key={toast.id}
          className={`toast toast-${toast.tone}`}
          role={toast.tone === "error" ? "alert" : "status"}
          data-toast-title={toast.title}
          data-toast-tone={toast.tone}
        >
          <div className="toast-text">
            <strong className="toast-title">{toast.title}</strong>
            <p className="toast-description" data-toast-description="">
              {toast.description}
            </p>
          </div>
          <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => onDismiss(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
