import type { Clock } from "../../core/clock";
import { GatewayError } from "../../core/errors";
import { convertCost } from "../../core/money";
import { type RequestRecord, totalTokens } from "../../storage/request-record";
import type { WorstCase } from "./worst-case";

/** What a client key allows per minute and in total (null: unlimited), and what it had spent at snapshot time. */
export interface KeyLimits {
  rpmLimit: number | null;
  tpmLimit: number | null;
  /** In `currency`, like `spent`. */
  budget: number | null;
  /** `spent` as the database had it when the snapshot was built (it lags the batched writer). */
  spent: number;
  /** The key's currency: spend in the other one is converted into it at `usdCnyRate`. */
  currency: string;
  /** CNY per USD (setting `usd_cny_rate`). */
  usdCnyRate: number;
}

/** What an admitted request holds back from its key until it settles: its worst-case tokens and cost. */
export interface Reservation {
  readonly keyId: number;
  readonly tokens: number;
  readonly cost: number;
  readonly at: number;
  /** The reservation's name in the shared state, when the instances' shared limits admitted it. */
  readonly ref?: string;
}

/** Admits requests of keys with limits and settles them once their record is made. */
export interface Limiter {
  /** Resolves (or returns) the request's reservation, or throws the 403 / 429 that refuses it. */
  admit(keyId: number, limits: KeyLimits, worst: WorstCase): Reservation | Promise<Reservation>;
  settle(record: RequestRecord, reservation: Reservation | null): void;
}

const WINDOW_MS = 60_000;
/**
 * A reservation is settled when its request's record is made, which every request does exactly once. Should
 * one ever be lost all the same, it stops holding its key's budget back after this long.
 */
const RESERVATION_TTL_MS = 30 * 60_000;

/** A 429 or 403 that tells the client when to come back. */
export type LimitError = GatewayError & { retryAfterS?: number };

const rateLimited = (message: string, retryAfterMs: number): LimitError =>
  Object.assign(new GatewayError(429, "rate_limited", message), {
    retryAfterS: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });

/** The refusals, worded alike whichever limiter (this instance's or the shared one) refused. */
export const refusals = {
  budgetSpent: (limits: KeyLimits, spent: number) =>
    new GatewayError(
      403,
      "forbidden",
      `budget exhausted: this API key has spent ${round(spent)} of its ${limits.budget} ${limits.currency}`,
    ),
  budgetReserved: (limits: KeyLimits) =>
    rateLimited(
      `budget reserved: requests in flight hold the rest of this API key's ${limits.budget} ${limits.currency}`,
      0,
    ),
  tpm: (limits: KeyLimits, retryAfterMs: number) =>
    rateLimited(
      `token rate limit reached: ${limits.tpmLimit} tokens per minute for this API key`,
      retryAfterMs,
    ),
  tpmReserved: (limits: KeyLimits) =>
    rateLimited(
      `token rate limit reached: requests in flight hold the rest of ${limits.tpmLimit} tokens per minute for this API key`,
      0,
    ),
  rpm: (limits: KeyLimits, retryAfterMs: number) =>
    rateLimited(
      `request rate limit reached: ${limits.rpmLimit} requests per minute for this API key`,
      retryAfterMs,
    ),
};

/** Live state of one key: settled spend, the last minute's settled tokens, requests in flight. */
interface KeyState {
  /**
   * Everything this key has spent: the database's `spent` when the gateway first saw the key, plus the cost
   * of every record settled since. Never re-read from a snapshot, so a reload (whose `spent` lags the
   * writer) neither loses nor double-counts spend.
   */
  spent: number;
  /** The currency `spent` is in, and the rate to convert other costs into it (from the last admission). */
  currency: string;
  usdCnyRate: number;
  tokens: { at: number; n: number }[];
  requests: number[];
  inFlight: Set<Reservation>;
}

/**
 * Per-key request, token and spend limits, in memory (one instance per gateway, independent of routing
 * snapshots). Windows slide over the last 60 s of the injected monotonic clock.
 *
 * Budgets and token limits are exact under concurrency: a request is admitted only while its key's settled
 * spend plus what the requests in flight have reserved is under the limit; it then reserves its own worst
 * case (see `worstCase`) until its record settles it to the real figure. So spend can pass the budget only
 * by the last admitted request's own cost.
 */
export class KeyLimiter implements Limiter {
  private readonly keys = new Map<number, KeyState>();

  constructor(private readonly clock: Clock) {}

  /**
   * Admits one request of a key or throws: 403 once the budget is spent, 429 (with Retry-After) while the
   * last minute's tokens or requests are at the limit, or while requests in flight hold the rest of the
   * budget or token allowance. An admitted request takes one slot of its minute and reserves `worst`.
   */
  admit(keyId: number, limits: KeyLimits, worst: WorstCase): Reservation {
    const now = this.clock.mono();
    const s = this.state(keyId, limits);
    // The admin changed the key's currency: its live spend is converted like the stored one.
    if (s.currency !== limits.currency) {
      s.spent = convertCost(s.spent, s.currency, limits.currency, limits.usdCnyRate);
      s.currency = limits.currency;
    }
    s.usdCnyRate = limits.usdCnyRate;
    // An external increase of `spent` (another instance, an import) is taken as it comes; the live figure
    // is never lowered by a lagging snapshot.
    if (limits.spent > s.spent) s.spent = limits.spent;
    const held = this.held(s, now);
    if (limits.budget !== null) {
      if (s.spent >= limits.budget) throw refusals.budgetSpent(limits, s.spent);
      if (s.spent + held.cost >= limits.budget) throw refusals.budgetReserved(limits);
    }
    if (limits.tpmLimit !== null) {
      const used = this.prune(s.tokens, now, (e) => e.at);
      s.tokens = used;
      let sum = used.reduce((t, e) => t + e.n, 0);
      if (sum >= limits.tpmLimit) {
        // The window frees up once enough of its oldest tokens have aged out.
        let i = 0;
        while (i < used.length - 1 && sum - (used[i] as { n: number }).n >= limits.tpmLimit) {
          sum -= (used[i] as { n: number }).n;
          i++;
        }
        throw refusals.tpm(limits, (used[i] as { at: number }).at + WINDOW_MS - now);
      }
      if (sum + held.tokens >= limits.tpmLimit) throw refusals.tpmReserved(limits);
    }
    if (limits.rpmLimit !== null) {
      const times = this.prune(s.requests, now, (t) => t);
      s.requests = times;
      if (times.length >= limits.rpmLimit) {
        throw refusals.rpm(limits, (times[times.length - limits.rpmLimit] as number) + WINDOW_MS - now);
      }
      times.push(now);
    }
    const reservation: Reservation = { keyId, tokens: worst.tokens, cost: worst.cost, at: now };
    s.inFlight.add(reservation);
    return reservation;
  }

  /**
   * A request's record is made: its reservation (if it had one) is released and its real tokens and cost
   * (in the key's currency) are counted for its key.
   */
  settle(record: RequestRecord, reservation: Reservation | null): void {
    const keyId = record.key_id;
    if (keyId === null) return;
    const s = this.keys.get(keyId);
    // A key never admitted has no limits to keep (only admitted requests carry cost).
    if (!s) return;
    if (reservation) s.inFlight.delete(reservation);
    const n = totalTokens(record.usage);
    if (n > 0) {
      const now = this.clock.mono();
      // Pruned here too, so a key without tpm_limit does not grow its window forever.
      s.tokens = this.prune(s.tokens, now, (e) => e.at);
      s.tokens.push({ at: now, n });
    }
    if (record.cost > 0) s.spent += convertCost(record.cost, record.currency, s.currency, s.usdCnyRate);
  }

  /** The state of a key; the first sight takes the database's `spent` (nothing of this process is in flight). */
  private state(keyId: number, limits: KeyLimits): KeyState {
    let s = this.keys.get(keyId);
    if (!s) {
      s = {
        spent: limits.spent,
        currency: limits.currency,
        usdCnyRate: limits.usdCnyRate,
        tokens: [],
        requests: [],
        inFlight: new Set(),
      };
      this.keys.set(keyId, s);
    }
    return s;
  }

  /** What the key's requests in flight hold back; reservations past their TTL are dropped. */
  private held(s: KeyState, now: number): { cost: number; tokens: number } {
    let cost = 0;
    let tokens = 0;
    for (const r of s.inFlight) {
      if (now - r.at > RESERVATION_TTL_MS) {
        s.inFlight.delete(r);
        continue;
      }
      cost += r.cost;
      tokens += r.tokens;
    }
    return { cost, tokens };
  }

  /** Drops entries older than the window. */
  private prune<T>(list: T[], now: number, at: (e: T) => number): T[] {
    let i = 0;
    while (i < list.length && at(list[i] as T) <= now - WINDOW_MS) i++;
    return i ? list.slice(i) : list;
  }
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
