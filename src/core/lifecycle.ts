/**
 * The gateway's shutdown state, shared by the entry point (which drives it on SIGTERM), the readiness probe
 * and the proxy (which refuses new requests while draining and ends the ones left when the grace is over).
 */
export class Lifecycle {
  #draining = false;
  readonly #interrupt = new AbortController();
  readonly #inFlight = new Set<object>();
  readonly #onInterrupt = new Set<() => void>();
  #onIdle: (() => void)[] = [];

  /** True from the moment shutdown began: readiness answers 503 and new requests are refused. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Fires when the grace is over: requests still in flight end with their protocol's error. */
  get interrupted(): AbortSignal {
    return this.#interrupt.signal;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** A request started; `leave` with the same token when its record is made. */
  enter(token: object): void {
    this.#inFlight.add(token);
  }

  /** A request ended (idempotent). */
  leave(token: object): void {
    if (!this.#inFlight.delete(token) || this.#inFlight.size) return;
    const waiting = this.#onIdle;
    this.#onIdle = [];
    for (const resolve of waiting) resolve();
  }

  /** Stops taking requests. */
  drain(): void {
    this.#draining = true;
  }

  /** Resolves once no request is in flight. */
  idle(): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#onIdle.push(resolve));
  }

  /**
   * Calls `fn` once when the grace ends (at once when it has); returns what cancels the call. A request
   * awaiting its answer registers here: cheaper than a listener on `interrupted` for each.
   */
  whenInterrupted(fn: () => void): () => void {
    if (this.#interrupt.signal.aborted) {
      fn();
      return () => {};
    }
    this.#onInterrupt.add(fn);
    return () => this.#onInterrupt.delete(fn);
  }

  /** Ends the grace: every request still in flight is told to stop. */
  interrupt(): void {
    this.#interrupt.abort("shutdown");
    const waiting = [...this.#onInterrupt];
    this.#onInterrupt.clear();
    for (const fn of waiting) fn();
  }
}

/** The error text of a request ended by shutdown, as its record and its client see it. */
export const INTERRUPTED_BY_SHUTDOWN = "interrupted by shutdown";
