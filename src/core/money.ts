/**
 * Costs are priced per link in USD or CNY. A key's spend and budget are kept in the key's own currency:
 * a cost in the other currency is converted at one configured rate (setting `usd_cny_rate`, CNY per USD),
 * so every request counts against the budget and no two currencies are ever added as one.
 */

/** The currencies a link can be priced in. */
export const CURRENCIES = ["USD", "CNY"] as const;
export type Currency = (typeof CURRENCIES)[number];

/** A link's prices per 1M tokens, in its currency. */
export interface Prices {
  input: number;
  cached: number;
  cacheWrite: number;
  output: number;
  currency: Currency;
}

/** CNY per USD when the admin has not set `usd_cny_rate`. */
export const DEFAULT_USD_CNY_RATE = 7.2;

/** The settings key of the rate. */
export const USD_CNY_RATE_SETTING = "usd_cny_rate";

/** `amount` in `from` as an amount in `to` (null `from`: no price, taken as already in `to`). */
export function convertCost(amount: number, from: string | null, to: string, usdCnyRate: number): number {
  if (!amount || from === null || from === to) return amount;
  if (from === "USD" && to === "CNY") return amount * usdCnyRate;
  if (from === "CNY" && to === "USD") return amount / usdCnyRate;
  return amount;
}

/** A usable rate from a stored setting: a finite number above zero, else the default. */
export function usdCnyRateOf(stored: unknown): number {
  return typeof stored === "number" && Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_USD_CNY_RATE;
}
