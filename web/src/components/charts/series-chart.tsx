import { createMemo, createSignal, For, type JSX, Show } from "solid-js";
import { formatCompact } from "../../lib/format";
import { createSize, niceScale } from "./scale";
import "./charts.css";

export interface SeriesChartPoint {
  t: number;
  reqs: number;
  errors: number;
  tokens: number;
}

/** The least height; the chart grows to fill its container (`.series-chart` is a flex item). */
const MIN_HEIGHT = 240;
const M = { top: 14, right: 52, bottom: 28, left: 46 };
const INTERVALS = 4;
export const TOKENS_COLOR = "#10b981";

/**
 * Requests as bars (failed ones stacked in red on top) on the left axis and tokens as a line on the
 * right axis, over equal time buckets. Hovering a bucket shows `tooltip(point)`.
 */
export function SeriesChart(props: {
  points: SeriesChartPoint[];
  /** The axis label of a bucket start. */
  tick: (t: number) => string;
  tooltip: (p: SeriesChartPoint) => JSX.Element;
  label: string;
}) {
  const [size, ref] = createSize();
  const [hover, setHover] = createSignal<number | null>(null);

  const layout = createMemo(() => {
    const pts = props.points;
    const w = Math.max(size().width, 200);
    const h = Math.max(size().height, MIN_HEIGHT);
    const innerW = w - M.left - M.right;
    const innerH = h - M.top - M.bottom;
    const band = innerW / Math.max(pts.length, 1);
    const reqs = niceScale(Math.max(0, ...pts.map((p) => p.reqs)), INTERVALS, true);
    const toks = niceScale(Math.max(0, ...pts.map((p) => p.tokens)), INTERVALS);
    const yReq = (v: number) => M.top + innerH - (v / reqs.top) * innerH;
    const yTok = (v: number) => M.top + innerH - (v / toks.top) * innerH;
    const cx = (i: number) => M.left + band * (i + 0.5);
    const barW = Math.max(1, Math.min(band * 0.62, 28));
    const line = pts
      .map((p, i) => `${i ? "L" : "M"}${cx(i).toFixed(1)} ${yTok(p.tokens).toFixed(1)}`)
      .join("");
    const base = M.top + innerH;
    const area = pts.length
      ? `${line}L${cx(pts.length - 1).toFixed(1)} ${base}L${cx(0).toFixed(1)} ${base}Z`
      : "";
    // Axis labels at least ~64 px apart, counted back from the newest bucket so "now" is always labelled.
    const every = Math.max(1, Math.ceil(64 / band));
    const ticks = pts.map((_, i) => i).filter((i) => (pts.length - 1 - i) % every === 0);
    return { w, h, innerW, innerH, band, reqs, toks, yReq, yTok, cx, barW, line, area, base, ticks };
  });

  const grid = () => Array.from({ length: INTERVALS + 1 }, (_, k) => k);
  const hovered = () => {
    const i = hover();
    return i === null ? null : props.points[i];
  };

  return (
    <div class="series-chart" ref={ref}>
      <svg width={layout().w} height={layout().h} role="img" aria-label={props.label}>
        <defs>
          <linearGradient id="tokens-area" x1="0" x2="0" y1="0" y2="1">
            <stop offset="0%" stop-color={TOKENS_COLOR} stop-opacity="0.22" />
            <stop offset="100%" stop-color={TOKENS_COLOR} stop-opacity="0" />
          </linearGradient>
        </defs>
        <g class="chart-grid">
          <For each={grid()}>
            {(k) => {
              const y = () => layout().yReq((layout().reqs.step * k) as number);
              return (
                <>
                  <line
                    x1={M.left}
                    x2={layout().w - M.right}
                    y1={y()}
                    y2={y()}
                    classList={{ base: k === 0 }}
                  />
                  <text class="axis-left" x={M.left - 8} y={y()} text-anchor="end" dominant-baseline="middle">
                    {formatCompact(layout().reqs.step * k)}
                  </text>
                  <text class="axis-right" x={layout().w - M.right + 8} y={y()} dominant-baseline="middle">
                    {formatCompact(layout().toks.step * k)}
                  </text>
                </>
              );
            }}
          </For>
        </g>
        <g class="chart-bars">
          <For each={props.points}>
            {(p, i) => {
              const x = () => layout().cx(i()) - layout().barW / 2;
              const ok = () => p.reqs - p.errors;
              return (
                <g classList={{ dim: hover() !== null && hover() !== i() }}>
                  <Show when={ok() > 0}>
                    <rect
                      class="bar-ok"
                      x={x()}
                      width={layout().barW}
                      y={layout().yReq(ok())}
                      height={layout().base - layout().yReq(ok())}
                      rx={Math.min(2, layout().barW / 4)}
                    />
                  </Show>
                  <Show when={p.errors > 0}>
                    <rect
                      class="bar-err"
                      x={x()}
                      width={layout().barW}
                      y={layout().yReq(p.reqs)}
                      height={layout().yReq(ok()) - layout().yReq(p.reqs)}
                      rx={Math.min(2, layout().barW / 4)}
                    />
                  </Show>
                </g>
              );
            }}
          </For>
        </g>
        <path d={layout().area} fill="url(#tokens-area)" />
        <path class="tokens-line" d={layout().line} stroke={TOKENS_COLOR} />
        <Show when={hover() !== null}>
          <circle
            class="tokens-dot"
            cx={layout().cx(hover() ?? 0)}
            cy={layout().yTok(hovered()?.tokens ?? 0)}
            r="3.5"
            fill={TOKENS_COLOR}
          />
        </Show>
        <g class="chart-x">
          <For each={layout().ticks}>
            {(i) => (
              <text x={layout().cx(i)} y={layout().h - 8} text-anchor="middle">
                {props.tick(props.points[i]?.t ?? 0)}
              </text>
            )}
          </For>
        </g>
        <g>
          <For each={props.points}>
            {(_, i) => (
              <rect
                class="hover-band"
                classList={{ on: hover() === i() }}
                x={M.left + layout().band * i()}
                y={M.top}
                width={layout().band}
                height={layout().innerH}
                onMouseEnter={() => setHover(i())}
                onMouseLeave={() => setHover(null)}
              />
            )}
          </For>
        </g>
      </svg>
      <Show when={hovered()}>
        {(p) => {
          const left = () => layout().cx(hover() ?? 0);
          return (
            <div
              class="chart-tooltip"
              classList={{ flip: left() > layout().w * 0.65 }}
              style={{ left: `${left()}px`, top: `${M.top}px` }}
            >
              {props.tooltip(p())}
            </div>
          );
        }}
      </Show>
    </div>
  );
}
