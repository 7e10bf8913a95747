import { Show } from "solid-js";
import type { LogStatus } from "../lib/api";
import { useI18n } from "../lib/i18n";

/** A request outcome as a coloured pill, with the HTTP status the client got beside it. */
export function StatusBadge(props: { status: LogStatus; httpStatus?: number | null }) {
  const { t } = useI18n();
  return (
    <span class={`badge status status-${props.status}`}>
      <span class="status-dot" aria-hidden="true" />
      {t(`logs.status.${props.status}`)}
      <Show when={props.httpStatus}>
        <span class="status-code">{props.httpStatus}</span>
      </Show>
    </span>
  );
}

/** "Stream" or "non-stream" as a small outlined tag. */
export function StreamBadge(props: { stream: boolean }) {
  const { t } = useI18n();
  return (
    <span class="tag" classList={{ "tag-stream": props.stream }}>
      {props.stream ? t("logs.stream") : t("logs.nonStream")}
    </span>
  );
}
