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
