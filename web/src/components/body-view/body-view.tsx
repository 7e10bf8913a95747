import { createMemo, createSignal, type JSX, Match, Show, Switch } from "solid-js";
import { formatCount } from "../../lib/format";
import { useI18n } from "../../lib/i18n";
import { CopyButton } from "../copy-button";
import { KeyValues, MessageList, PartView, ToolList } from "./parts";
import { RawBody, rawOf } from "./raw";
import { readBody } from "./read";
import type { ReplyView, RequestView, Style } from "./types";

/** A folding section with a title and a count, like the original console's. */
function Fold(props: {
  id: string;
  title: string;
  count?: number;
  open?: boolean;
  extra?: JSX.Element;
  children: JSX.Element;
}) {
  return (
    <details class="bv-fold" data-fold={props.id} open={props.open}>
      <summary>
        <span class="bv-fold-title">{props.title}</span>
        <Show when={props.count !== undefined}>
          <span class="bv-count">{props.count}</span>
        </Show>
        <Show when={props.extra}>
          <span class="bv-fold-extra">{props.extra}</span>
        </Show>
      </summary>
      <div class="bv-fold-body">{props.children}</div>
    </details>
  );
}

function RequestStructured(props: { view: RequestView }) {
  const { t } = useI18n();
  const v = () => props.view;
  return (
    <div class="bv-structured">
      <Show when={v().model}>
        <div class="bv-meta">
          <span class="muted">{t("bv.model")}:</span> <span class="mono">{v().model}</span>
        </div>
      </Show>
      <Show when={v().system.length}>
        <Fold id="system" title={t("bv.system")} extra={v().system[0]?.slice(0, 100)}>
          <div class="bv-text">{v().system.join("\n\n")}</div>
        </Fold>
      </Show>
      <Fold id="messages" title={t("bv.messages")} count={v().messages.length} open>
        <MessageList messages={v().messages} />
      </Fold>
      <Show when={v().tools.length}>
        <Fold id="tools" title={t("bv.tools")} count={v().tools.length}>
          <ToolList tools={v().tools} />
        </Fold>
      </Show>
      <Show when={v().params.length}>
        <Fold id="params" title={t("bv.params")} count={v().params.length}>
          <KeyValues entries={v().params} />
        </Fold>
      </Show>
    </div>
  );
}

function ReplyStructured(props: { view: ReplyView }) {
  const { t } = useI18n();
  const v = () => props.view;
  const preview = () => {
    const first = v().parts.find((p) => p.type === "text");
    return first?.type === "text" ? first.text.slice(0, 100) : undefined;
  };
  return (
    <div class="bv-structured">
      <div class="bv-meta">
        <Show when={v().model}>
          <span>
            <span class="muted">{t("bv.model")}:</span> <span class="mono">{v().model}</span>
          </span>
        </Show>
        <Show when={v().finishReason}>
          <span>
            <span class="muted">{t("bv.finish")}:</span> <span class="tag bv-finish">{v().finishReason}</span>
          </span>
        </Show>
      </div>
      <Show when={v().error}>
        <pre class="error-box">{v().error}</pre>
      </Show>
      <Fold id="content" title={t("bv.content")} count={v().parts.length} open extra={preview()}>
        <Show when={v().parts.length} fallback={<span class="muted">{t("bv.noContent")}</span>}>
          <div class="bv-parts">
            {v().parts.map((p) => (
              <PartView part={p} />
            ))}
          </div>
        </Show>
      </Fold>
      <Show when={v().usage.length}>
        <Fold id="usage" title={t("bv.usage")} count={v().usage.length} open>
          <KeyValues entries={v().usage} />
        </Fold>
      </Show>
    </div>
  );
}

/**
 * One logged body read in its client protocol: a request as messages (with roles), tools and parameters;
 * a reply, whole or assembled from the logged stream, as text, thinking and tool calls with the finish
 * reason and usage. A switch shows the raw JSON or SSE as logged.
 */
export function BodyView(props: {
  style: Style;
  which: "request" | "response";
  title: string;
  text: string | null;
}) {
  const { t } = useI18n();
  const text = () => props.text ?? "";
  const read = createMemo(() => readBody(props.style, props.which, props.text));
  const raw = createMemo(() => rawOf(text()));
  const readable = () => read().kind !== "raw";
  const [showRaw, setShowRaw] = createSignal(false);
  const rawLabel = () =>
    raw().kind === "json" ? t("bv.rawJson") : raw().kind === "sse" ? t("bv.rawSse") : t("bv.rawText");
  const reply = () => {
    const r = read();
    return r.kind === "reply" ? r.view : undefined;
  };
  const request = () => {
    const r = read();
    return r.kind === "request" ? r.view : undefined;
  };
  return (
    <section class="body-viewer bv" data-which={props.which}>
      <div class="body-head">
        <h4>{props.title}</h4>
        <Show when={reply()?.stream}>
          <span class="tag tag-stream">{t("bv.stream")}</span>
          <span class="muted small">{t("bv.events", { n: reply()?.events ?? 0 })}</span>
        </Show>
        <Show when={text()}>
          <span class="muted small">{t("logs.body.chars", { n: formatCount(text().length) })}</span>
        </Show>
        <div class="toolbar-spacer" />
        <Show when={readable()}>
          <div class="segmented" role="group">
            <button type="button" classList={{ active: !showRaw() }} onClick={() => setShowRaw(false)}>
              {t("bv.structured")}
            </button>
            <button type="button" classList={{ active: showRaw() }} onClick={() => setShowRaw(true)}>
              {rawLabel()}
            </button>
          </div>
        </Show>
        <Show when={text()}>
          <CopyButton text={() => raw().shown} />
        </Show>
      </div>
      <Switch>
        <Match when={!text().trim()}>
          <div class="body-empty muted">{t("logs.body.empty")}</div>
        </Match>
        <Match when={showRaw() || !readable()}>
          <Show when={!readable() && raw().kind !== "text"}>
            <p class="muted small">{t("bv.unreadable")}</p>
          </Show>
          <RawBody kind={raw().kind} text={raw().shown} />
        </Match>
        <Match when={request()}>{(v) => <RequestStructured view={v()} />}</Match>
        <Match when={reply()}>{(v) => <ReplyStructured view={v()} />}</Match>
      </Switch>
    </section>
  );
}
