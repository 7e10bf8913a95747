import type { Clock } from "../../core/clock";
import { GatewayError } from "../../core/errors";
import { type RequestRecord, totalTokens } from "../../telemetry/record";

/** What a client key allows per minute and in total (null: unlimited), and what it had spent at snapshot time. */
export interface KeyLimits {
  rpmLimit: number | null;
  tpmLimit: number | null;
  budget: number | null;
  /** `spent` as the database had it when the snapshot was built. */
  spent: number;
  currency: string;
}

const WINDOW_MS = 60_000;

/** A 429 or 403 that tells the client when to come back. */
export type LimitError = GatewayError & { retryAfterS?: number };

const rateLimited = (message: string, retryAtMs: number, now: number): LimitError =>
  Object.assign(new GatewayError(429, "rate_limited", message), {
    retryAfterS: Math.max(1, Math.ceil((retryAtMs - now) / 1000)),
  });

/**
 * Per-key request, token and spend limits, in memory (one instance per gateway, surviving snapshot
 * rebuilds). Windows slide over the last 60 s of the injected monotonic clock. Spend since a snapshot
 * is kept per snapshot object, so a rebuilt snapshot (which re-reads `spent` from the database) starts
 * counting afresh; records still queued for the writer at that moment are missed until the next rebuild.
 */
export class KeyLimiter {
  private readonly requests = new Map<number, number[]>();
  private readonly tokens = new Map<number, { at: number; n: number }[]>();
  private readonly spentSince = new WeakMap<object, Map<number, number>>();

  constructor(private readonly clock: Clock) {}

  /**
   * Admits one request of a key or throws: 403 once the budget is spent, 429 (with Retry-After) while the
   * last minute's tokens or requests are at the limit. An admitted request takes one slot of its minute.
   */
  admit(keyId: number, limits: KeyLimits, snapshot: object): void {
    const now = this.clock.mono();
    if (limits.budget !== null) {
      const spent = limits.spent + (this.spentSince.get(snapshot)?.get(keyId) ?? 0);
      if (spent >= limits.budget) {
        throw new GatewayError(
          403,
          "forbidden",
          `budget exhausted: this API key has spent ${round(spent)} of its ${limits.budget} ${limits.currency}`,
        );
      }
    }
    if (limits.tpmLimit !== null) {
      const used = this.prune(this.tokens, keyId, now, (e) => e.at);
      let sum = used.reduce((s, e) => s + e.n, 0);
      if (sum >= limits.tpmLimit) {
        // The window frees up once enough of its oldest tokens have aged out.
        let i = 0;
        while (i < used.length - 1 && sum - (used[i] as { n: number }).n >= limits.tpmLimit) {
          sum -= (used[i] as { n: number }).n;
          i++;
        }
        throw rateLimited(
          `token rate limit reached: ${limits.tpmLimit} tokens per minute for this API key`,
          (used[i] as { at: number }).at + WINDOW_MS,
          now,
        );
      }
    }
    if (limits.rpmLimit !== null) {
      const times = this.prune(this.requests, keyId, now, (t) => t);
      if (times.length >= limits.rpmLimit) {
        throw rateLimited(
          `request rate limit reached: ${limits.rpmLimit} requests per minute for this API key`,
          (times[times.length - limits.rpmLimit] as number) + WINDOW_MS,
          now,
        );
      }
      times.push(now);
      this.requests.set(keyId, times);
    }
  }

  /** Counts a finished record's tokens (now) and cost (against the current snapshot) for its key. */
  observe(record: RequestRecord, snapshot: object): void {
    const keyId = record.key_id;
    if (keyId === null) return;
    const n = totalTokens(record.usage);
    if (n > 0) {
      // Pruned here too: a key without tpm_limit never reaches admit's pruning, and would grow forever.
      const now = this.clock.mono();
      const list = this.prune(this.tokens, keyId, now, (e) => e.at);
      list.push({ at: now, n });
      this.tokens.set(keyId, list);
    }
    if (record.cost > 0) {
      let costs = this.spentSince.get(snapshot);
      if (!costs) this.spentSince.set(snapshot, (costs = new Map()));
      costs.set(keyId, (costs.get(keyId) ?? 0) + record.cost);
    }
  }

  /** Drops entries older than the window; forgets a key whose window is empty. */
  private prune<T>(map: Map<number, T[]>, keyId: number, now: number, at: (e: T) => number): T[] {
    const list = map.get(keyId) ?? [];
    let i = 0;
    while (i < list.length && at(list[i] as T) <= now - WINDOW_MS) i++;
    const kept = i ? list.slice(i) : list;
    if (kept.length) map.set(keyId, kept);
    else map.delete(keyId);
    return kept;
  }
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
