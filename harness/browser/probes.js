// chaos-harness probes: record what the user can see, independent of the
// widget's framework. Events go to the harness through the exposed binding
// `__chaosEmit`; until it exists they wait in a queue.
(() => {
  const config = __CHAOS_CONFIG__;
  const queue = [];
  const emit = (kind, data) => {
    queue.push([kind, data, Date.now()]);
    flush();
  };
  const flush = () => {
    if (typeof window.__chaosEmit !== "function") return;
    while (queue.length) {
      const [kind, data, at] = queue.shift();
      window.__chaosEmit(kind, data, at).catch(() => {});
    }
  };

  let lastStatus = null;
  const noteStatus = (value) => {
    if (value == null || value === lastStatus) return;
    emit("ui.status", { status: value, previous: lastStatus });
    lastStatus = value;
  };
  const readStatus = () => {
    const el = document.querySelector(config.statusSelector);
    if (!el) return null;
    if (config.statusAttribute) return el.getAttribute(config.statusAttribute);
    const text = (el.textContent || "").trim();
    return config.statusTextMap ? config.statusTextMap[text] ?? `unknown:${text}` : text;
  };

  const observer = new MutationObserver((records) => {
    // Replay attribute changes in order, so two changes in one task are both seen.
    const changes = records.filter(
      (r) => r.type === "attributes" && r.attributeName === config.statusAttribute,
    );
    for (let i = 1; i < changes.length; i += 1) {
      if (changes[i].target === changes[i - 1].target) noteStatus(changes[i].oldValue);
    }
    noteStatus(readStatus());
  });

  const start = () => {
    observer.observe(document.documentElement, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeOldValue: true,
    });
    noteStatus(readStatus());
    flush();
  };
  if (document.documentElement) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });

  window.addEventListener("error", (event) => {
    emit("console.page_error", { message: String(event.message || event.error) });
  });
  window.addEventListener("unhandledrejection", (event) => {
    emit("console.page_error", { message: `unhandled rejection: ${String(event.reason)}` });
  });
})();
