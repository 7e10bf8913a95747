import { RedisClient } from "bun";
import { redactUrl } from "../core/logger";
import type { Logger } from "../core/logger";

/** The shared state cannot be reached: the caller falls back to this instance's own state. */
export class SharedStateDown extends Error {}

const CLIENT_OPTIONS = {
  // Fail at once while disconnected (the caller falls back to local state) rather than queue.
  enableOfflineQueue: false,
  // Reconnection is ours: a fresh pair of clients, the subscription renewed, the state resynced.
  autoReconnect: false,
  connectionTimeout: 2_000,
  enableAutoPipelining: true,
};

export interface ConnectionHandlers {
  /** A message on the cluster's channel. */
  message(text: string): void;
  /** Connected again after an outage (or for the first time): resync before serving from shared state. */
  joined(): Promise<void>;
}

/** How often a lost connection is retried, and how long a command may take before the link counts as lost. */
export interface ConnectionOptions {
  retryMs: number;
  commandTimeoutMs: number;
}

/**
 * A command client and a subscriber to one Redis, supervised: any failure marks the shared state down (logged
 * once), and a retry loop brings both clients back, renews the subscription and runs `joined` before the
 * state counts as up again.
 */
export class RedisConnection {
  #cmd: RedisClient | null = null;
  #sub: RedisClient | null = null;
  #up = false;
  #closed = false;
  #retrying: ReturnType<typeof setTimeout> | null = null;
  readonly #shas = new Map<string, string>();
  readonly #shown: string;

  constructor(
    private readonly url: string,
    readonly channel: string,
    private readonly logger: Logger,
    private readonly handlers: ConnectionHandlers,
    private readonly opts: ConnectionOptions,
  ) {
    this.#shown = redactUrl(url);
  }

  /** Whether the shared state is reachable now. */
  get up(): boolean {
    return this.#up;
  }

  /** Connects at startup; throws a one-line error naming the (password-free) URL when Redis is unreachable. */
  async start(): Promise<void> {
    try {
      await this.#open();
    } catch (err) {
      throw new Error(`cannot reach Redis at ${this.#shown}: ${this.#reason(err)}`);
    }
  }

  /** Runs one command; throws SharedStateDown (and starts the outage) when Redis cannot answer in time. */
  async send(command: string, args: string[]): Promise<unknown> {
    const cmd = this.#cmd;
    if (!this.#up || !cmd) throw new SharedStateDown("shared state unreachable");
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        cmd.send(command, args),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new SharedStateDown(`no answer within ${this.opts.commandTimeoutMs} ms`)),
            this.opts.commandTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      // An error reply (a script not loaded yet, a bug) is the caller's to handle, not an outage; one that
      // says Redis is still loading or stuck in a script is.
      if ((err as { code?: string }).code === "ERR_REDIS_SERVER_ERROR" && !/LOADING|BUSY/.test(String(err)))
        throw err;
      if (!(err instanceof SharedStateDown) || this.#up) this.#lost(err);
      throw err instanceof SharedStateDown ? err : new SharedStateDown(this.#reason(err));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Loads scripts ahead of their first use, so a request's script is one round trip from the start. */
  async load(bodies: string[]): Promise<void> {
    const shas = await Promise.all(bodies.map((b) => this.send("SCRIPT", ["LOAD", b])));
    bodies.forEach((b, i) => this.#shas.set(b, shas[i] as string));
  }

  /** Runs a Lua script by its SHA, loading it on the first use and after a Redis restart. */
  async script(body: string, keys: string[], args: string[]): Promise<unknown> {
    let sha = this.#shas.get(body);
    if (sha === undefined) {
      sha = (await this.send("SCRIPT", ["LOAD", body])) as string;
      this.#shas.set(body, sha);
    }
    try {
      return await this.send("EVALSHA", [sha, String(keys.length), ...keys, ...args]);
    } catch (err) {
      if (!/NOSCRIPT/.test(String(err))) throw err;
      this.#shas.delete(body);
      return this.send("EVAL", [body, String(keys.length), ...keys, ...args]);
    }
  }

  /** Publishes on the cluster's channel (fire and forget: a lost notice is covered by the rejoin's resync). */
  publish(text: string): void {
    this.send("PUBLISH", [this.channel, text]).catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#up = false;
    if (this.#retrying) clearTimeout(this.#retrying);
    this.#drop();
  }

  async #open(): Promise<void> {
    const cmd = new RedisClient(this.url, CLIENT_OPTIONS);
    const sub = new RedisClient(this.url, CLIENT_OPTIONS);
    try {
      await Promise.all([cmd.connect(), sub.connect()]);
      await sub.subscribe(this.channel, (text) => this.handlers.message(text));
    } catch (err) {
      cmd.close();
      sub.close();
      throw err;
    }
    const lost = (err: Error) => this.#lost(err);
    cmd.onclose = lost;
    sub.onclose = lost;
    this.#cmd = cmd;
    this.#sub = sub;
    this.#up = true;
    this.#shas.clear();
    try {
      await this.handlers.joined();
    } catch (err) {
      this.#lost(err);
      throw err;
    }
  }

  #lost(err: unknown): void {
    if (this.#closed) return;
    if (this.#up) {
      this.#up = false;
      this.logger.warn(
        `shared state degraded: Redis at ${this.#shown} is unreachable (${this.#reason(err)}); this instance runs on its own state (limits per instance) until it returns`,
      );
    }
    this.#drop();
    this.#retry();
  }

  #retry(): void {
    if (this.#retrying || this.#closed) return;
    this.#retrying = setTimeout(async () => {
      this.#retrying = null;
      if (this.#closed || this.#up) return;
      try {
        await this.#open();
        this.logger.info(`shared state rejoined: Redis at ${this.#shown} is back`);
      } catch {
        this.#drop();
        this.#retry();
      }
    }, this.opts.retryMs);
  }

  #drop(): void {
    const cmd = this.#cmd;
    const sub = this.#sub;
    this.#cmd = null;
    this.#sub = null;
    for (const c of [cmd, sub]) {
      if (!c) continue;
      c.onclose = null;
      try {
        c.close();
      } catch {}
    }
  }

  #reason(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    const password = (() => {
      try {
        return new URL(this.url).password;
      } catch {
        return "";
      }
    })();
    return (password ? text.replaceAll(password, "***") : text).split("\n")[0] || "unknown error";
  }
}
