import { useState } from "react";
import { ChatAssistantWidget } from "./ChatAssistantWidget";

// The chat panel mounts when the launcher opens it: mounting is what loads history.
export function App() {
  const [open, setOpen] = useState(false);
  return (
    <main>
      {open ? (
        <ChatAssistantWidget />
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          Open Dynamic Capital assistant
        </button>
      )}
    </main>
  );
}
