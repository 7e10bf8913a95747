import type { HealthSync, SharedLinkState } from "../routing/shared-health";

/** One request's claim on its key's shared windows and budget. */
export interface AdmitRequest {
  keyId: number;
  rpmLimit: number | null;
  tpmLimit: number | null;
  budget: number | null;
  /** The key's `spent` as the database has it (taken when it is above the shared figure). */
  spent: number;
  /** The request's worst case, held back until it settles. */
  tokens: number;
  cost: number;
}

/** What the shared limits answer: admitted (with the reservation's name) or which limit refused. */
export type AdmitVerdict =
  | { ok: true; ref: string }
  | { ok: false; reason: "budget_spent"; spent: number }
  | { ok: false; reason: "budget_reserved" }
  | { ok: false; reason: "tpm"; retryAfterMs: number }
  | { ok: false; reason: "tpm_reserved" }
  | { ok: false; reason: "rpm"; retryAfterMs: number };

/** Client-key windows and spend kept for every instance at once. */
export interface SharedLimits {
  /** Checks every limit and reserves the worst case in one round trip; rejects when unreachable. */
  admit(req: AdmitRequest): Promise<AdmitVerdict>;
  /** Releases a reservation and counts the request's real tokens and cost (off the request path). */
  settle(keyId: number, ref: string, tokens: number, cost: number): void;
}

/** A gateway instance as the live list shows it. */
export interface InstanceInfo {
  id: string;
  started_at: number;
  /** Wall ms of its last heartbeat. */
  seen_at: number;
  version: string;
}

/** The state several instances share, or this instance alone ("memory"). */
export interface Cluster {
  readonly instance: string;
  readonly mode: "memory" | "redis";
  /** True while the shared state cannot be reached: each instance runs on its own state meanwhile. */
  readonly degraded: boolean;
  /** Shared link health; null in memory. */
  readonly health: HealthSync | null;
  /** Shared key limits; null in memory (and unused while degraded). */
  readonly limits: SharedLimits | null;
  /** Tells every other instance that the configuration changed. */
  publishConfigChange(): void;
  /** Runs `fn` when another instance changed the configuration, or when this one rejoins the shared state. */
  onConfigChange(fn: () => void): void;
  /** Runs `fn` with each link's merged shared health as it changes anywhere (and on rejoining). */
  onLinkState(fn: (linkId: number, state: SharedLinkState) => void): void;
  /** The instances alive now (this one alone in memory, or while degraded). */
  instances(): Promise<InstanceInfo[]>;
  close(): Promise<void>;
}
