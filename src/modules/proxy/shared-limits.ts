import type { Cluster, SharedLimits } from "../../cluster/types";
import { convertCost } from "../../core/money";
import { totalTokens, type RequestRecord } from "../../storage/request-record";
import { type KeyLimiter, type KeyLimits, type Limiter, type Reservation, refusals } from "./limits";
import type { WorstCase } from "./worst-case";

/**
 * Key limits kept for every instance at once: one round trip to the shared state admits (or refuses) and
 * reserves. While the shared state is unreachable this instance's own limiter decides (limits then hold per
 * instance); each reservation is settled where it was made.
 */
export class SharedKeyLimiter implements Limiter {
  /** Each limited key's currency and rate as last admitted: its settled costs are converted into it. */
  private readonly currencies = new Map<number, { currency: string; usdCnyRate: number }>();

  constructor(
    private readonly cluster: Pick<Cluster, "degraded">,
    private readonly shared: SharedLimits,
    private readonly local: KeyLimiter,
    private readonly now: () => number,
  ) {}

  admit(keyId: number, limits: KeyLimits, worst: WorstCase): Reservation | Promise<Reservation> {
    // A key without limits (most keys) never waits on the shared state.
    const limited = limits.rpmLimit !== null || limits.tpmLimit !== null || limits.budget !== null;
    if (!limited || this.cluster.degraded) return this.local.admit(keyId, limits, worst);
    this.currencies.set(keyId, { currency: limits.currency, usdCnyRate: limits.usdCnyRate });
    return this.shared
      .admit({
        keyId,
        rpmLimit: limits.rpmLimit,
        tpmLimit: limits.tpmLimit,
        budget: limits.budget,
        spent: limits.spent,
        tokens: worst.tokens,
        cost: worst.cost,
      })
      .then(
        (v) => {
          if (v.ok) return { keyId, tokens: worst.tokens, cost: worst.cost, at: this.now(), ref: v.ref };
          switch (v.reason) {
            case "budget_spent":
              throw refusals.budgetSpent(limits, v.spent);
            case "budget_reserved":
              throw refusals.budgetReserved(limits);
            case "tpm":
              throw refusals.tpm(limits, v.retryAfterMs);
            case "tpm_reserved":
              throw refusals.tpmReserved(limits);
            case "rpm":
              throw refusals.rpm(limits, v.retryAfterMs);
          }
        },
        // Unreachable right now (the connection marks itself degraded): this instance decides alone.
        () => this.local.admit(keyId, limits, worst),
      );
  }

  settle(record: RequestRecord, reservation: Reservation | null): void {
    if (reservation?.ref === undefined) return this.local.settle(record, reservation);
    // The shared spend is in the key's currency, like its budget; a link priced in the other one converts.
    const key = this.currencies.get(reservation.keyId);
    const cost = key ? convertCost(record.cost, record.currency, key.currency, key.usdCnyRate) : record.cost;
    this.shared.settle(reservation.keyId, reservation.ref, totalTokens(record.usage), cost);
  }
}
