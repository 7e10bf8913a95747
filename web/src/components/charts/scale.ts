import { type Accessor, createSignal, onCleanup } from "solid-js";

/** Slice colours: distinct on light and dark surfaces; the biggest share takes the first. */
export const PALETTE = [
  "#3b63f6",
  "#10b981",
  "#f59e0b",
  "#a855f7",
  "#f43f5e",
  "#06b6d4",
  "#84cc16",
  "#ec4899",
];
/** The colour of the "others" slice: a muted teal, like the original console's. */
export const OTHERS_COLOR = "#3f7f93";

/**
 * A linear axis from 0 split into `intervals` equal round steps (1, 2, 2.5 or 5 × 10ⁿ) covering `max`;
 * `integer` keeps steps whole (request counts). Two axes with the same `intervals` share gridlines.
 */
export function niceScale(max: number, intervals = 4, integer = false): { step: number; top: number } {
  const raw = Math.max(max, 0) / intervals;
  let step = integer ? 1 : 0.25;
  if (raw > 0) {
    const mag = 10 ** Math.floor(Math.log10(raw));
    step = ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag) as number;
    if (integer) step = Math.max(1, Math.ceil(step));
  }
  return { step, top: step * intervals };
}

/** The rendered size of an element as a signal (0×0 until laid out); attach the setter as its `ref`. */
export function createSize(): [Accessor<{ width: number; height: number }>, (el: HTMLElement) => void] {
  const [size, setSize] = createSignal({ width: 0, height: 0 });
  let observer: ResizeObserver | undefined;
  onCleanup(() => observer?.disconnect());
  const ref = (el: HTMLElement) => {
    observer = new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (box) setSize({ width: box.width, height: box.height });
    });
    observer.observe(el);
  };
  return [size, ref];
}
