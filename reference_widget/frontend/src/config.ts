// The widget's runtime configuration, served by the backend (/api/config): the
// feature flag that removes the widget, client tuning, and (only when a test
// server asks for them) regressions.

import { CONFIG_ENDPOINT } from "./api";
import { NO_REGRESSIONS, toRegressions, type Regressions } from "./regressions";

export type ClientTuning = {
  retryBaseMs: number;
  maxRetries: number;
  requestTimeoutMs: number;
};

export type WidgetConfig = {
  enabled: boolean;
  regressions: Regressions;
  tuning: ClientTuning;
  /** False when /api/config could not be read and the defaults are in use. */
  fromServer: boolean;
};

export const DEFAULT_TUNING: ClientTuning = { retryBaseMs: 500, maxRetries: 3, requestTimeoutMs: 15000 };

export const DEFAULT_CONFIG: WidgetConfig = {
  enabled: true,
  regressions: NO_REGRESSIONS,
  tuning: DEFAULT_TUNING,
  fromServer: false,
};

const FORWARDED_PARAMS = ["flags", "regression"];
const CONFIG_TIMEOUT_MS = 5000;

function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function parseConfig(body: unknown): WidgetConfig {
  const data = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const flags = (typeof data.flags === "object" && data.flags !== null ? data.flags : {}) as Record<string, unknown>;
  const client = (typeof data.client === "object" && data.client !== null ? data.client : {}) as Record<string, unknown>;
  return {
    enabled: flags.chat_widget_enabled !== false,
    regressions: toRegressions(data.regressions),
    tuning: {
      retryBaseMs: num(client.retry_base_ms, DEFAULT_TUNING.retryBaseMs),
      maxRetries: Math.floor(num(client.max_retries, DEFAULT_TUNING.maxRetries)),
      requestTimeoutMs: num(client.request_timeout_ms, DEFAULT_TUNING.requestTimeoutMs),
    },
    fromServer: true,
  };
}

/**
 * Read /api/config, forwarding the page's ?flags= and ?regression= parameters.
 * Fails open: if the config cannot be read the widget shows, since a config
 * outage must not look like a rollback (the widget has its own offline UX).
 */
export async function loadConfig(search: string, fetchImpl: typeof fetch = fetch): Promise<WidgetConfig> {
  const page = new URLSearchParams(search);
  const forwarded = new URLSearchParams();
  for (const name of FORWARDED_PARAMS) {
    const value = page.get(name);
    if (value !== null) forwarded.set(name, value);
  }
  const query = forwarded.toString();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), CONFIG_TIMEOUT_MS);
  try {
    const response = await fetchImpl(`${CONFIG_ENDPOINT}${query ? `?${query}` : ""}`, { signal: controller.signal });
    if (!response.ok) return DEFAULT_CONFIG;
    return parseConfig(await response.json());
  } catch {
    return DEFAULT_CONFIG;
  } finally {
    clearTimeout(timer);
  }
}
