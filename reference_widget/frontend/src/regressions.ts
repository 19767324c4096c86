// Client-side defects of the regression catalogue (reference_widget/regressions.py
// is the source of truth; a backend test keeps this list in step with it). The
// server switches them on through /api/config; normal serving never does.

export const REGRESSION_NAMES = [
  "silent-history-failure",
  "fallback-duplicated-on-reconnect",
  "no-backoff",
  "retry-cta-no-resync",
  "recoverable-as-transport",
  "no-back-online-toast",
  "badge-stuck-syncing",
  "analytics-missing-error-transition",
  "question-stored-twice-on-retry",
  "idle-connected-same-badge",
  "retry-after-ignored",
  "messages-rendered-as-html",
  "kill-switch-ignored",
] as const;

export type RegressionName = (typeof REGRESSION_NAMES)[number];

export type Regressions = ReadonlySet<RegressionName>;

export const NO_REGRESSIONS: Regressions = new Set();

/** Keep the names this client knows; server-side ones are the server's business. */
export function toRegressions(names: unknown): Regressions {
  const known = new Set<string>(REGRESSION_NAMES);
  const list = Array.isArray(names) ? names.filter((n): n is RegressionName => typeof n === "string" && known.has(n)) : [];
  return new Set(list);
}
