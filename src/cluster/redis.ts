import type { Logger } from "../core/logger";
import type { HealthSync, LinkChange, SharedLinkState } from "../routing/shared-health";
import { RedisConnection, SharedStateDown } from "./connection";
import { ADMIT, HEARTBEAT, INSTANCES, LINK_CHANGE, SETTLE } from "./scripts";
import type { AdmitRequest, AdmitVerdict, Cluster, InstanceInfo, SharedLimits } from "./types";

export interface RedisClusterOptions {
  url: string;
  /** Prefix of every key and of the channel, so several gateways (or tests) can share one Redis. */
  prefix: string;
  instance: string;
  version: string;
  startedAt: number;
  logger: Logger;
  /** How often this instance says it is alive; it counts as gone after `instanceTtlMs` of silence. */
  heartbeatMs?: number;
  instanceTtlMs?: number;
  /** How often a lost Redis is retried. */
  retryMs?: number;
  /** A command slower than this counts as Redis lost (the request falls back to local state). */
  commandTimeoutMs?: number;
}

/** Matches RESERVATION_TTL_MS of the in-memory limiter: a reservation never settled stops counting. */
const RESERVATION_TTL_MS = 30 * 60_000;
/** Settles waiting for Redis to come back, at most. */
const MAX_UNSETTLED = 10_000;

interface StoredLinkState {
  c: number;
  rs: number;
  b: "closed" | "open";
  o: number;
  t: number;
  v: number;
}

const toShared = (s: StoredLinkState, free: boolean): SharedLinkState => ({
  cooldownUntil: s.c,
  rateLimitStreak: s.rs,
  breaker: s.b,
  openUntil: s.o,
  trips: s.t,
  trialFree: free,
});

const REASONS = ["", "budget_spent", "budget_reserved", "tpm", "tpm_reserved", "rpm"] as const;

/**
 * The live state several instances share through one Redis: link health (mirrored locally, changes merged
 * by a script and pushed to every instance over pub/sub), client-key limits (one script per admission),
 * config-change notices and the list of live instances (heartbeats). Unreachable, it says `degraded` and
 * each instance runs on its own state until it rejoins (resync: link states, config, pending settles).
 */
export class RedisCluster implements Cluster {
  readonly mode = "redis" as const;
  readonly instance: string;
  readonly health: HealthSync;
  readonly limits: SharedLimits;
  readonly #conn: RedisConnection;
  readonly #o: Required<RedisClusterOptions>;
  readonly #configListeners: (() => void)[] = [];
  readonly #linkListeners: ((id: number, s: SharedLinkState) => void)[] = [];
  /** The newest version of each link's state seen, so a late message never undoes a newer one. */
  readonly #versions = new Map<number, number>();
  readonly #unsettled: [number, string, number, number][] = [];
  #seq = 0;
  #beat: ReturnType<typeof setInterval> | null = null;
  #joinedOnce = false;

  constructor(opts: RedisClusterOptions) {
    this.#o = { heartbeatMs: 2_000, instanceTtlMs: 10_000, retryMs: 500, commandTimeoutMs: 1_000, ...opts };
    this.instance = opts.instance;
    this.#conn = new RedisConnection(
      opts.url,
      `${opts.prefix}events`,
      opts.logger,
      { message: (text) => this.#message(text), joined: () => this.#joined() },
      { retryMs: this.#o.retryMs, commandTimeoutMs: this.#o.commandTimeoutMs },
    );
    this.health = {
      changed: (linkId, change) => this.#linkChange(linkId, change),
      claimTrial: (linkId, ttlMs) => this.#claimTrial(linkId, ttlMs),
    };
    this.limits = {
      admit: (req) => this.#admit(req),
      settle: (keyId, ref, tokens, cost) => this.#settle(keyId, ref, tokens, cost),
    };
  }

  get degraded(): boolean {
    return !this.#conn.up;
  }

  /** Connects (throws a one-line error naming the URL when Redis is unreachable) and starts the heartbeat. */
  async start(): Promise<void> {
    await this.#conn.start();
    this.#beat = setInterval(() => void this.#heartbeat().catch(() => {}), this.#o.heartbeatMs);
  }

  publishConfigChange(): void {
    if (this.#conn.up) this.#conn.publish(JSON.stringify({ t: "config", from: this.instance }));
  }

  onConfigChange(fn: () => void): void {
    this.#configListeners.push(fn);
  }

  onLinkState(fn: (linkId: number, state: SharedLinkState) => void): void {
    this.#linkListeners.push(fn);
  }

  async instances(): Promise<InstanceInfo[]> {
    const self = async (): Promise<InstanceInfo[]> => [
      { id: this.instance, started_at: this.#o.startedAt, seen_at: Date.now(), version: this.#o.version },
    ];
    if (!this.#conn.up) return self();
    let raw: string[];
    try {
      raw = (await this.#conn.script(INSTANCES, this.#instanceKeys(), [
        String(this.#o.instanceTtlMs),
      ])) as string[];
    } catch {
      return self();
    }
    const out: InstanceInfo[] = [];
    for (let i = 0; i + 2 < raw.length; i += 3) {
      const info = JSON.parse(raw[i + 2] as string) as Partial<InstanceInfo>;
      out.push({
        id: raw[i] as string,
        started_at: info.started_at ?? 0,
        seen_at: Number(raw[i + 1]),
        version: info.version ?? "",
      });
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.#beat) clearInterval(this.#beat);
    await this.#conn.close();
  }

  #key(...parts: (string | number)[]): string {
    return this.#o.prefix + parts.join(":");
  }

  #instanceKeys(): string[] {
    return [this.#key("instances"), this.#key("instance-info")];
  }

  #heartbeat(): Promise<unknown> {
    const info = JSON.stringify({ started_at: this.#o.startedAt, version: this.#o.version });
    return this.#conn.script(HEARTBEAT, this.#instanceKeys(), [this.instance, info]);
  }

  /** Connected (again): say this instance is alive, take every link's shared state, reload, settle. */
  async #joined(): Promise<void> {
    await this.#conn.load([ADMIT, SETTLE, LINK_CHANGE, HEARTBEAT, INSTANCES]);
    await this.#heartbeat();
    // A restarted Redis counts versions from scratch.
    this.#versions.clear();
    const all = (await this.#conn.send("HGETALL", [this.#key("links")])) as Record<string, string> | null;
    for (const [id, raw] of Object.entries(all ?? {})) this.#adopt(Number(id), JSON.parse(raw), false);
    // Notices sent while this instance was away are lost: rebuild from the database once.
    if (this.#joinedOnce) for (const fn of this.#configListeners) fn();
    this.#joinedOnce = true;
    const pending = this.#unsettled.splice(0);
    for (const [keyId, ref, tokens, cost] of pending) this.#settle(keyId, ref, tokens, cost);
  }

  #message(text: string): void {
    let msg: { t?: string; from?: string; id?: number; free?: boolean; s?: StoredLinkState };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.t === "config" && msg.from !== this.instance) {
      for (const fn of this.#configListeners) fn();
    } else if (msg.t === "link" && typeof msg.id === "number" && msg.s) {
      this.#adopt(msg.id, msg.s, msg.free === true);
    }
  }

  #adopt(linkId: number, s: StoredLinkState, free: boolean): void {
    if (s.v <= (this.#versions.get(linkId) ?? 0)) return;
    this.#versions.set(linkId, s.v);
    const shared = toShared(s, free);
    for (const fn of this.#linkListeners) fn(linkId, shared);
  }

  #linkChange(linkId: number, change: LinkChange): void {
    if (!this.#conn.up) return;
    let a = "0";
    let b = "0";
    let endsTrial = "0";
    if (change.kind === "cooldown") {
      a = String(change.until);
      b = String(change.streak);
      endsTrial = change.endsTrial ? "1" : "0";
    } else if (change.kind === "trip") {
      a = String(change.openUntil);
      b = String(change.trips);
    }
    this.#conn
      .script(
        LINK_CHANGE,
        [this.#key("links"), this.#key("trial", linkId)],
        [String(linkId), change.kind, a, b, endsTrial, this.instance, this.#conn.channel],
      )
      .catch(() => {});
  }

  async #claimTrial(linkId: number, ttlMs: number): Promise<boolean> {
    if (!this.#conn.up) return true;
    try {
      const ok = await this.#conn.send("SET", [
        this.#key("trial", linkId),
        this.instance,
        "NX",
        "PX",
        String(ttlMs),
      ]);
      return ok === "OK";
    } catch {
      // Unreachable: each instance decides on its own.
      return true;
    }
  }

  async #admit(req: AdmitRequest): Promise<AdmitVerdict> {
    const ref = `${this.instance}|${++this.#seq}`;
    const k = (part: string) => this.#key("key", req.keyId, part);
    const r = (await this.#conn.script(
      ADMIT,
      [k("rpm"), k("tpm"), k("res"), k("spent"), this.#key("instances"), k("tpm-sum")],
      [
        String(req.rpmLimit ?? -1),
        String(req.tpmLimit ?? -1),
        String(req.budget ?? -1),
        String(req.spent),
        ref,
        String(req.tokens),
        String(req.cost),
        String(this.#o.instanceTtlMs),
        String(RESERVATION_TTL_MS),
      ],
    )) as [number, string | number | undefined];
    const reason = REASONS[r[0]];
    switch (reason) {
      case "":
        return { ok: true, ref };
      case "budget_spent":
        return { ok: false, reason, spent: Number(r[1]) };
      case "tpm":
      case "rpm":
        return { ok: false, reason, retryAfterMs: Number(r[1]) };
      case "budget_reserved":
      case "tpm_reserved":
        return { ok: false, reason };
      default:
        throw new Error(`unexpected answer from the admit script: ${JSON.stringify(r)}`);
    }
  }

  #settle(keyId: number, ref: string, tokens: number, cost: number): void {
    const k = (part: string) => this.#key("key", keyId, part);
    const keep = () => {
      if (this.#unsettled.length < MAX_UNSETTLED) this.#unsettled.push([keyId, ref, tokens, cost]);
    };
    if (!this.#conn.up) return keep();
    this.#conn
      .script(SETTLE, [k("tpm"), k("res"), k("spent"), k("tpm-sum")], [ref, String(tokens), String(cost)])
      .catch((err) => {
        if (err instanceof SharedStateDown) keep();
      });
  }
}
