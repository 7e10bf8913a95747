import { type Accessor, For, Show } from "solid-js";
import type { LinkHealth } from "../lib/api";
import { formatCountdown, formatTime } from "../lib/format";
import { useI18n } from "../lib/i18n";
import { agoText, kindText } from "../lib/labels";
import { ListIcon } from "./icons";

/**
 * A link's live health in a table cell: one badge in its state's colour (healthy, cooling down after a
 * 429 with its countdown, breaker open, half-open), the run of consecutive failures, and a button that
 * unfolds the recent failures (see `HealthFailures`).
 */
export function HealthCell(props: {
  health: LinkHealth | undefined;
  now: Accessor<number>;
  expanded: boolean;
  onToggle: () => void;
}) {
  const { t } = useI18n();
  const summary = (h: LinkHealth) =>
    [
      h.last_success_at
        ? t("health.lastSuccess", { ago: agoText(t, h.last_success_at, props.now()) })
        : t("health.never"),
      ...h.recent_failures
        .slice(-3)
        .reverse()
        .map(
          (f) =>
            `${formatTime(f.at, true)} ${kindText(t, f.kind)}${f.status ? ` ${f.status}` : ""}: ${f.message}`,
        ),
    ].join("\n");
  // A cooldown shows only while it runs (the countdown reaches zero before the next poll says so).
  const cooling = (h: LinkHealth) =>
    h.cooldown_until !== null && h.cooldown_until > props.now() ? h.cooldown_until : null;
  /** The badge's state: the breaker when it is not closed, else cooling while a cooldown runs. */
  const state = (h: LinkHealth) => (h.breaker !== "closed" ? h.breaker : cooling(h) ? "cooling" : "closed");
  return (
    <Show
      when={props.health}
      fallback={
        <span class="muted" title={t("health.notRouted")}>
          —
        </span>
      }
    >
      {(h) => (
        <div class="health" title={summary(h())}>
          <div class="health-line">
            <span
              class={`badge breaker breaker-${state(h())}`}
              data-breaker={h().breaker}
              data-state={state(h())}
            >
              <span class="status-dot" aria-hidden="true" />
              <Show when={state(h()) === "cooling" && cooling(h())} fallback={t(`health.${h().breaker}`)}>
                {(until) => t("health.cooling", { time: formatCountdown(until(), props.now()) })}
              </Show>
            </span>
            <Show when={h().consecutive_failures > 0}>
              <span class="fail-count" title={t("health.failures", { count: h().consecutive_failures })}>
                ✕{h().consecutive_failures}
              </span>
            </Show>
            <Show when={h().recent_failures.length}>
              <button
                type="button"
                class="btn sm ghost health-toggle"
                aria-expanded={props.expanded}
                aria-label={`${t("health.recent")} (${h().recent_failures.length})`}
                title={t("health.recent")}
                onClick={() => props.onToggle()}
              >
                <ListIcon />
                {h().recent_failures.length}
                <span class="chevron" classList={{ open: props.expanded }} aria-hidden="true">
                  ›
                </span>
              </button>
            </Show>
          </div>
          <Show when={h().breaker === "open" && h().open_until}>
            {(until) => (
              <div class="health-note">
                {t("health.openFor", { time: formatCountdown(until(), props.now()) })}
              </div>
            )}
          </Show>
          <Show when={h().breaker === "half_open" && h().trial_in_flight}>
            <div class="health-note">{t("health.trial")}</div>
          </Show>
          <Show when={h().breaker !== "closed" && cooling(h())}>
            {(until) => (
              <div
                class="health-note warn"
                title={t("health.cooldownTitle", { time: formatCountdown(until(), props.now()) })}
              >
                {t("health.cooldown", { time: formatCountdown(until(), props.now()) })}
              </div>
            )}
          </Show>
        </div>
      )}
    </Show>
  );
}

/** The recent failures of one link, newest first (the unfolded part of a health cell). */
export function HealthFailures(props: { health: LinkHealth; now: Accessor<number> }) {
  const { t } = useI18n();
  const failures = () => [...props.health.recent_failures].reverse();
  return (
    <div class="health-failures">
      <div class="health-failures-head">
        <strong>{t("health.recent")}</strong>
        <span class="muted small">
          {props.health.last_success_at
            ? t("health.lastSuccess", { ago: agoText(t, props.health.last_success_at, props.now()) })
            : t("health.never")}
        </span>
      </div>
      <ul>
        <For each={failures()} fallback={<li class="muted">{t("health.noFailures")}</li>}>
          {(f) => (
            <li>
              <span class="mono small muted" title={formatTime(f.at)}>
                {agoText(t, f.at, props.now())}
              </span>
              <span class="tag" data-kind={f.kind}>
                {kindText(t, f.kind)}
              </span>
              <Show when={f.status}>
                <span class="mono small">{f.status}</span>
              </Show>
              <span class="mono small failure-message">{f.message}</span>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
