// chaos-harness probes: record what the user can see, independent of the
// widget's framework. Events go to the harness through the exposed binding
// `__chaosEmit`; until it exists they wait in a queue. Selectors come from the
// target profile.
(() => {
  if (window.__chaosProbes) return;
  window.__chaosProbes = true;
  const config = __CHAOS_CONFIG__;

  // Every random choice of the page (backoff jitter, ids) derives from the
  // scenario's seed, so a failing run replays exactly with the same seed.
  if (config.seed !== null) {
    let state = config.seed >>> 0;
    Math.random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const queue = [];
  const flush = () => {
    if (typeof window.__chaosEmit !== "function") return;
    while (queue.length) {
      const [kind, data, at] = queue.shift();
      window.__chaosEmit(kind, data, at).catch(() => {});
    }
  };
  // Events read from one DOM update share a batch number, so the harness can
  // tell a settled state from the middle of an update.
  let batch = 0;
  const emit = (kind, data) => {
    queue.push([kind, kind.startsWith("ui.") ? { ...data, batch } : data, Date.now()]);
    flush();
  };
  const text = (el) => (el ? (el.textContent || "").replace(/\s+/g, " ").trim() : "");
  const short = (s, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

  // --- status ---------------------------------------------------------------
  let lastStatus = null;
  const noteStatus = (value) => {
    if (value == null || value === lastStatus) return;
    const badge = text(document.querySelector(config.status.selector));
    emit("ui.status", { status: value, previous: lastStatus, text: badge });
    lastStatus = value;
  };
  const statusOf = (el) => {
    if (!el) return null;
    if (config.status.attribute) return el.getAttribute(config.status.attribute);
    const label = text(el);
    return config.status.text_map[label] ?? `unknown:${label}`;
  };
  const readStatus = () => statusOf(document.querySelector(config.status.selector));

  // --- toasts -----------------------------------------------------------------
  const seenToasts = new WeakSet();
  const readToasts = () => {
    for (const el of document.querySelectorAll(config.toasts.selector)) {
      if (seenToasts.has(el)) continue;
      seenToasts.add(el);
      const title = config.toasts.title_attribute
        ? el.getAttribute(config.toasts.title_attribute) || ""
        : text(config.toasts.title_selector ? el.querySelector(config.toasts.title_selector) : el);
      const desc = config.toasts.description_selector
        ? text(el.querySelector(config.toasts.description_selector))
        : "";
      const role = el.getAttribute("role") || el.closest("[role]")?.getAttribute("role") || "";
      emit("ui.toast", { title, description: short(desc), kind: role });
    }
  };

  // --- messages, fallback, retry CTA, guidance ------------------------------
  let lastMessages = "";
  const readMessages = () => {
    const items = [...document.querySelectorAll(config.messages.selector)];
    const roles = items.map((el) => el.getAttribute(config.messages.role_attribute) || "?");
    const last = items.length ? short(text(items[items.length - 1])) : "";
    const key = `${roles.join(",")}|${last}`;
    if (key === lastMessages) return;
    lastMessages = key;
    emit("ui.messages", {
      count: items.length,
      user: roles.filter((r) => r === "user").length,
      assistant: roles.filter((r) => r === "assistant").length,
      last_role: roles[roles.length - 1] || null,
      last_text: last,
      fallback_inside: items.some((el) => el.matches(config.fallback) || el.querySelector(config.fallback)),
    });
  };
  let lastFallback = -1;
  const readFallback = () => {
    const els = document.querySelectorAll(config.fallback);
    if (els.length === lastFallback) return;
    lastFallback = els.length;
    emit("ui.fallback", { count: els.length, text: short(text(els[0])) });
  };
  const namedButton = (name) =>
    [...document.querySelectorAll("button,[role=button]")].find(
      (el) => (el.getAttribute("aria-label") || text(el)) === name,
    );
  let lastCta = null;
  const readCta = () => {
    if (!config.retryName) return;
    const present = Boolean(namedButton(config.retryName));
    if (present === lastCta) return;
    lastCta = present;
    emit("ui.retry_cta", { present });
  };
  let lastGuidance = null;
  const readGuidance = () => {
    if (!config.guidance) return;
    const value = short(text(document.querySelector(config.guidance)));
    if (value === lastGuidance) return;
    lastGuidance = value;
    if (value || lastGuidance !== null) emit("ui.guidance", { text: value });
  };

  const readAll = () => {
    noteStatus(readStatus());
    readToasts();
    readMessages();
    readFallback();
    readCta();
    readGuidance();
  };

  const observer = new MutationObserver((records) => {
    batch += 1;
    // Replay attribute changes in order, so two changes in one task are both seen.
    const changes = records.filter(
      (r) => r.type === "attributes" && r.attributeName === config.status.attribute,
    );
    for (let i = 1; i < changes.length; i += 1) {
      if (changes[i].target === changes[i - 1].target) noteStatus(changes[i].oldValue);
    }
    readAll();
  });
  const start = () => {
    batch += 1;
    observer.observe(document.documentElement, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeOldValue: true,
    });
    readAll();
    flush();
  };
  if (document.documentElement) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });

  // --- network, as the page sees it --------------------------------------------
  let nextId = 0;
  const pathOf = (url) => {
    try {
      const u = new URL(url, location.href);
      return u.pathname + u.search;
    } catch {
      return String(url);
    }
  };
  const originalFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const id = `f${(nextId += 1)}`;
    const method = ((init && init.method) || (input instanceof Request ? input.method : "GET")).toUpperCase();
    const url = pathOf(input instanceof Request ? input.url : String(input));
    const t0 = Date.now();
    emit("net.request", { id, method, url, via: "fetch" });
    return originalFetch(input, init).then(
      (response) => {
        const requestId = response.headers.get("x-request-id");
        emit("net.response", {
          id,
          method,
          url,
          status: response.status,
          request_id: requestId,
          retry_after: response.headers.get("retry-after"),
          ms: Date.now() - t0,
        });
        // The body may still stream (SSE): the request is in flight until it ends.
        response
          .clone()
          .arrayBuffer()
          .then(
            (buf) => emit("net.end", { id, method, url, bytes: buf.byteLength, ms: Date.now() - t0 }),
            (err) => emit("net.end", { id, method, url, error: String(err), ms: Date.now() - t0 }),
          );
        return response;
      },
      (error) => {
        emit("net.error", { id, method, url, error: short(String(error)), ms: Date.now() - t0 });
        emit("net.end", { id, method, url, error: short(String(error)), ms: Date.now() - t0 });
        throw error;
      },
    );
  };
  const XHR = window.XMLHttpRequest;
  if (XHR) {
    const open = XHR.prototype.open;
    const send = XHR.prototype.send;
    XHR.prototype.open = function (method, url, ...rest) {
      this.__chaos = { id: `x${(nextId += 1)}`, method: String(method).toUpperCase(), url: pathOf(url) };
      return open.call(this, method, url, ...rest);
    };
    XHR.prototype.send = function (...args) {
      const info = this.__chaos;
      if (info) {
        const t0 = Date.now();
        emit("net.request", { ...info, via: "xhr" });
        this.addEventListener("loadend", () => {
          emit("net.response", { ...info, status: this.status, request_id: this.getResponseHeader("x-request-id"), ms: Date.now() - t0 });
          emit("net.end", { ...info, ms: Date.now() - t0 });
        });
      }
      return send.apply(this, args);
    };
  }
  const ES = window.EventSource;
  if (ES) {
    window.EventSource = function (url, init) {
      const source = new ES(url, init);
      const info = { id: `e${(nextId += 1)}`, method: "GET", url: pathOf(url), via: "eventsource" };
      emit("net.request", info);
      source.addEventListener("open", () => emit("net.response", { ...info, status: 200 }));
      source.addEventListener("error", () => emit("net.error", { ...info, error: "eventsource error" }));
      return source;
    };
    window.EventSource.prototype = ES.prototype;
  }

})();
