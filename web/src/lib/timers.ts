import { type Accessor, createEffect, createSignal, onCleanup } from "solid-js";

/** Calls `fn` every `ms` while `enabled()` is true (always when omitted); stops with the owner. */
export function createInterval(fn: () => void, ms: number, enabled: Accessor<boolean> = () => true): void {
  createEffect(() => {
    if (!enabled()) return;
    const id = setInterval(fn, ms);
    onCleanup(() => clearInterval(id));
  });
}

/** The current time (epoch ms) as a signal that ticks every `ms`, for countdowns. */
export function createNow(ms = 1000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  createInterval(() => setNow(Date.now()), ms);
  return now;
}

/**
 * The server's current time (epoch ms) as a ticking signal, for countdowns to instants the server set:
 * `sync(serverNow)` with the time a response carried learns this browser's clock offset.
 */
export function createServerNow(ms = 1000): { now: Accessor<number>; sync: (serverNow: number) => void } {
  const local = createNow(ms);
  const [offset, setOffset] = createSignal(0);
  return { now: () => local() + offset(), sync: (serverNow) => setOffset(serverNow - Date.now()) };
}
