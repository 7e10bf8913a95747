import { For } from "solid-js";
import type { LinkHealth } from "../lib/api";
import { formatTime } from "../lib/format";
import { useI18n } from "../lib/i18n";

/** How many bars the strip shows (the newest); the registry keeps a few more. */
const BARS = 20;

/** A link's last outcomes as a strip of small bars, green for a success and red for a failure, oldest first. */
export function ResultStrip(props: { results: LinkHealth["recent_results"] }) {
  const { t } = useI18n();
  const shown = () => props.results.slice(-BARS);
  const ok = () => shown().filter((r) => r.ok).length;
  const title = () =>
    shown().length
      ? t("strip.title", { n: shown().length, ok: ok(), fail: shown().length - ok() })
      : t("strip.none");
  return (
    <div
      class="result-strip"
      role="img"
      aria-label={title()}
      title={title()}
      data-results={shown()
        .map((r) => (r.ok ? "1" : "0"))
        .join("")}
    >
      <For each={Array.from({ length: BARS - shown().length })}>{() => <span class="bar empty" />}</For>
      <For each={shown()}>
        {(r) => <span class="bar" classList={{ ok: r.ok, fail: !r.ok }} title={formatTime(r.at, true)} />}
      </For>
    </div>
  );
}
