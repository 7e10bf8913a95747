import { Show } from "solid-js";
import type { LogStatus, ProviderType } from "../lib/api";
import { useI18n } from "../lib/i18n";
import { TypeBadge } from "./type-badge";

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

/**
 * The protocol path of a request: the client's protocol → the upstream's. Highlighted when they differ
 * (the gateway translated); only the client's when no upstream was reached.
 */
export function ProtocolPath(props: { style: ProviderType; upstream: ProviderType | null }) {
  const { t } = useI18n();
  const translated = () => props.upstream !== null && props.upstream !== props.style;
  return (
    <span
      class="proto-path"
      classList={{ translated: translated() }}
      data-translated={translated() ? "yes" : "no"}
      title={
        props.upstream === null
          ? props.style
          : translated()
            ? t("logs.translated", { from: props.style, to: props.upstream })
            : t("logs.samePath", { from: props.style })
      }
    >
      <TypeBadge type={props.style} />
      <Show when={props.upstream}>
        {(u) => (
          <span class="proto-to">
            <span class="proto-arrow"> → </span>
            <TypeBadge type={u()} />
          </span>
        )}
      </Show>
    </span>
  );
}
