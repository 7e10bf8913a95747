import { For, Show } from "solid-js";
import "./charts.css";

export interface BarItem {
  label: string;
  value: number;
  /** A second figure shown after the value (tokens beside calls). */
  detail?: string;
}

/** A ranking: one row per item, rank, label, a bar proportional to the largest value, the value. */
export function BarList(props: { items: BarItem[]; format: (n: number) => string; color?: string }) {
  const max = () => Math.max(1, ...props.items.map((i) => i.value));
  return (
    <ol class="bar-list">
      <For each={props.items}>
        {(item, i) => (
          <li>
            <span class="bar-rank" classList={{ top: i() < 3 }}>
              {i() + 1}
            </span>
            <span class="bar-label" title={item.label}>
              {item.label}
            </span>
            <span class="bar-track">
              <span
                class="bar-fill"
                style={{
                  width: `${(item.value / max()) * 100}%`,
                  background: props.color ?? "var(--accent)",
                }}
              />
            </span>
            <span class="bar-value">{props.format(item.value)}</span>
            <Show when={item.detail}>
              <span class="bar-detail">{item.detail}</span>
            </Show>
          </li>
        )}
      </For>
    </ol>
  );
}
