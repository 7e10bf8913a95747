/** Words that depend on the language: relative times and failure kinds (see i18n.tsx for the strings). */
import type { DictKey } from "./i18n";

type Translate = (key: DictKey, vars?: Record<string, string | number>) => string;

/** A past instant relative to now, in words of the current language: `3 分钟前`, `3 min ago`. */
export function agoText(t: Translate, at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return t("ago.s", { n: s });
  if (s < 3600) return t("ago.m", { n: Math.floor(s / 60) });
  if (s < 86_400) return t("ago.h", { n: Math.floor(s / 3600) });
  return t("ago.d", { n: Math.floor(s / 86_400) });
}

const KINDS = new Set([
  "network",
  "timeout",
  "server",
  "rate_limited",
  "auth",
  "not_found",
  "matched_error",
  "bad_response",
  "client",
]);

/** Why an attempt failed (`server`, `rate_limited`…) in the current language; an unknown kind as it is. */
export function kindText(t: Translate, kind: string): string {
  return KINDS.has(kind) ? t(`kind.${kind}` as DictKey) : kind;
}
