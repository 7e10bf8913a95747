/** Display formatting shared by the console pages (numbers, durations, times, money). */

const pad = (n: number) => String(n).padStart(2, "0");

/** `2025-11-27 10:58:41` in local time; with `short`, `11-27 10:58:41`. */
export function formatTime(ms: number, short = false): string {
  const d = new Date(ms);
  const date = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return short ? `${date} ${time}` : `${d.getFullYear()}-${date} ${time}`;
}

/** A duration in milliseconds: `820 ms`, `1.35 s`, `2 m 05 s`; null as an em dash. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} m ${pad(s % 60)} s`;
}

/** A countdown to `until` as `m:ss` (or `s s` under a minute); `0s` once passed. */
export function formatCountdown(until: number, now: number): string {
  const s = Math.max(0, Math.ceil((until - now) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}:${pad(s % 60)}`;
}

/** Thousands separators for counts. */
export const formatCount = (n: number) => n.toLocaleString("en-US");

/** A log total: exact, estimated ("≈ 123,456"), or only known to exceed what was counted ("10,000+"). */
export const formatTotal = (p: { total: number; total_exact: boolean; total_lower_bound: boolean }) =>
  p.total_exact
    ? formatCount(p.total)
    : p.total_lower_bound
      ? `${formatCount(p.total)}+`
      : `≈ ${formatCount(p.total)}`;

/** A byte size: `512 B`, `3.4 KB`, `1.2 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Money with its currency sign; small amounts keep enough digits to be non-zero. */
export function formatCost(cost: number, currency: string | null): string {
  const sign = currency === "CNY" ? "¥" : "$";
  if (!cost) return `${sign}0`;
  const digits = cost >= 1 ? 2 : cost >= 0.01 ? 4 : 6;
  return `${sign}${cost.toFixed(digits)}`;
}

/** Output tokens per second: whole numbers from 100 up, one decimal below; null as an em dash. */
export function formatTps(tps: number | null, unit = " tok/s"): string {
  if (tps === null) return "—";
  return `${tps >= 100 ? Math.round(tps) : tps.toFixed(1)}${unit}`;
}

/** A short count for chart axes and legends: `950`, `1.2K`, `34K`, `5.6M`, `1.2B`. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  const [div, unit] = abs >= 1e9 ? [1e9, "B"] : abs >= 1e6 ? [1e6, "M"] : abs >= 1e3 ? [1e3, "K"] : [1, ""];
  const v = n / div;
  return `${div > 1 && Math.abs(v) < 10 ? v.toFixed(1).replace(/\.0$/, "") : Math.round(v)}${unit}`;
}

/** Costs in several currencies, `$1.20 · ¥3.40`; none as `$0`. */
export function formatCosts(costs: readonly { currency: string; amount: number }[]): string {
  if (costs.length === 0) return formatCost(0, "USD");
  return costs.map((c) => formatCost(c.amount, c.currency)).join(" · ");
}

/** A share as a percentage with one decimal under 10 %: `0.4%`, `12%`; nothing of nothing as `0%`. */
export function formatPercent(part: number, whole: number): string {
  if (!whole) return "0%";
  const p = (part / whole) * 100;
  return `${p > 0 && p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}
