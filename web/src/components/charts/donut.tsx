import { createMemo, createSignal, For, Show } from "solid-js";
import { formatCount, formatPercent } from "../../lib/format";
import "./charts.css";

export interface Slice {
  label: string;
  value: number;
  color: string;
}

const TAU = Math.PI * 2;

/** A ring segment between angles `a0` and `a1` (radians clockwise from 12 o'clock). */
function ringPath(c: number, r0: number, r1: number, a0: number, a1: number): string {
  // A full ring would start and end on the same point, which SVG draws as nothing.
  const end = Math.min(a1, a0 + TAU - 1e-4);
  const at = (r: number, a: number) =>
    `${(c + r * Math.sin(a)).toFixed(2)} ${(c - r * Math.cos(a)).toFixed(2)}`;
  const large = end - a0 > Math.PI ? 1 : 0;
  return `M${at(r1, a0)}A${r1} ${r1} 0 ${large} 1 ${at(r1, end)}L${at(r0, end)}A${r0} ${r0} 0 ${large} 0 ${at(r0, a0)}Z`;
}

/**
 * A donut of shares with a legend (label, value, percentage). Hovering a slice or a legend entry lifts
 * it and shows it in the middle; otherwise the middle shows the total under `totalLabel`.
 */
export function DonutChart(props: { slices: Slice[]; totalLabel: string; size?: number }) {
  const size = () => props.size ?? 240;
  const [active, setActive] = createSignal<number | null>(null);
  const total = createMemo(() => props.slices.reduce((n, s) => n + s.value, 0));
  const arcs = createMemo(() => {
    const c = size() / 2;
    const r1 = c - 26;
    const r0 = r1 * 0.62;
    let a = 0;
    return props.slices.map((s) => {
      const sweep = total() ? (s.value / total()) * TAU : 0;
      const a0 = a;
      a += sweep;
      const mid = a0 + sweep / 2;
      return {
        path: ringPath(c, r0, r1, a0, a0 + sweep),
        lifted: ringPath(c, r0, r1 + 6, a0, a0 + sweep),
        // Values sit outside the ring; slivers under 4 % stay unlabelled so labels never collide.
        label:
          sweep / TAU >= 0.04
            ? { x: c + (r1 + 14) * Math.sin(mid), y: c - (r1 + 14) * Math.cos(mid), mid }
            : null,
      };
    });
  });
  const shown = () => {
    const i = active();
    return i === null ? null : props.slices[i];
  };

  return (
    <div class="donut-chart">
      <svg
        class="donut"
        width={size()}
        height={size()}
        viewBox={`0 0 ${size()} ${size()}`}
        role="img"
        aria-label={props.slices.map((s) => `${s.label}: ${s.value}`).join(", ")}
      >
        <For each={arcs()}>
          {(arc, i) => (
            <path
              d={active() === i() ? arc.lifted : arc.path}
              fill={props.slices[i()]?.color}
              class="donut-slice"
              classList={{ dim: active() !== null && active() !== i() }}
              onMouseEnter={() => setActive(i())}
              onMouseLeave={() => setActive(null)}
            />
          )}
        </For>
        <For each={arcs()}>
          {(arc, i) => (
            <Show when={arc.label}>
              {(l) => (
                <text
                  class="donut-value"
                  x={l().x}
                  y={l().y}
                  fill={props.slices[i()]?.color}
                  text-anchor={
                    Math.sin(l().mid) > 0.2 ? "start" : Math.sin(l().mid) < -0.2 ? "end" : "middle"
                  }
                  dominant-baseline="middle"
                >
                  {formatCount(props.slices[i()]?.value ?? 0)}
                </text>
              )}
            </Show>
          )}
        </For>
        <text class="donut-center-value" x={size() / 2} y={size() / 2 - 4} text-anchor="middle">
          {formatCount(shown()?.value ?? total())}
        </text>
        <text class="donut-center-label" x={size() / 2} y={size() / 2 + 16} text-anchor="middle">
          {shown() ? formatPercent(shown()?.value ?? 0, total()) : props.totalLabel}
        </text>
      </svg>
      <ul class="legend">
        <For each={props.slices}>
          {(s, i) => (
            <li
              classList={{ active: active() === i() }}
              onMouseEnter={() => setActive(i())}
              onMouseLeave={() => setActive(null)}
            >
              <span class="legend-dot" style={{ background: s.color }} />
              <span class="legend-label" title={s.label}>
                {s.label}
              </span>
              <span class="legend-value">{formatCount(s.value)}</span>
              <span class="legend-share">{formatPercent(s.value, total())}</span>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
