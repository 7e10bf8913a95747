import { For, Match, Show, Switch } from "solid-js";
import type { DictKey } from "../../lib/i18n";
import { useI18n } from "../../lib/i18n";
import type { Message, Part, ToolDef } from "./types";

const ROLES = new Set(["system", "developer", "user", "assistant", "model", "tool"]);

export function RoleBadge(props: { role: string }) {
  const { t } = useI18n();
  const label = () => (ROLES.has(props.role) ? t(`bv.role.${props.role}` as DictKey) : props.role);
  return <span class={`bv-role bv-role-${ROLES.has(props.role) ? props.role : "other"}`}>{label()}</span>;
}

/** One content part: text, thinking (folded), a tool call with its arguments, a tool result, an image. */
export function PartView(props: { part: Part }) {
  const { t } = useI18n();
  return (
    <Switch>
      <Match when={props.part.type === "text" && props.part}>
        {(p) => <div class="bv-text">{p().text}</div>}
      </Match>
      <Match when={props.part.type === "thinking" && props.part}>
        {(p) => (
          <details class="bv-thinking">
            <summary>
              {t("bv.thinking")}
              <Show when={p().redacted}>
                <span class="muted small"> {t("bv.redacted")}</span>
              </Show>
              <Show when={!p().redacted && p().text}>
                <span class="bv-preview muted">{p().text.slice(0, 120)}</span>
              </Show>
            </summary>
            <div class="bv-text">{p().text}</div>
          </details>
        )}
      </Match>
      <Match when={props.part.type === "tool_call" && props.part}>
        {(p) => (
          <div class="bv-call">
            <div class="bv-call-head">
              <span class="tag">{t("bv.toolCall")}</span>
              <strong class="mono">{p().name}</strong>
              <Show when={p().id}>
                <span class="mono small muted">{p().id}</span>
              </Show>
            </div>
            <pre class="code bv-args">{p().args}</pre>
          </div>
        )}
      </Match>
      <Match when={props.part.type === "tool_result" && props.part}>
        {(p) => (
          <div class="bv-call" classList={{ "bv-call-error": p().error }}>
            <div class="bv-call-head">
              <span class="tag">{p().error ? t("bv.toolError") : t("bv.toolResult")}</span>
              <Show when={p().name}>
                <strong class="mono">{p().name}</strong>
              </Show>
              <Show when={p().id}>
                <span class="mono small muted">{p().id}</span>
              </Show>
            </div>
            <pre class="code bv-args">{p().text}</pre>
          </div>
        )}
      </Match>
      <Match when={props.part.type === "image" && props.part}>
        {(p) => (
          <div class="bv-image">
            <span class="tag">{t("bv.image")}</span> <span class="mono small">{p().source}</span>
          </div>
        )}
      </Match>
      <Match when={props.part.type === "other" && props.part}>
        {(p) => (
          <div class="bv-call">
            <div class="bv-call-head">
              <span class="tag">{p().label}</span>
            </div>
            <pre class="code bv-args">{p().json}</pre>
          </div>
        )}
      </Match>
    </Switch>
  );
}

export function MessageList(props: { messages: Message[] }) {
  return (
    <ol class="bv-messages">
      <For each={props.messages}>
        {(m, i) => (
          <li class="bv-message">
            <div class="bv-message-head">
              <span class="muted small num">#{i() + 1}</span>
              <RoleBadge role={m.role} />
            </div>
            <div class="bv-parts">
              <For each={m.parts}>{(p) => <PartView part={p} />}</For>
            </div>
          </li>
        )}
      </For>
    </ol>
  );
}

export function ToolList(props: { tools: ToolDef[] }) {
  const { t } = useI18n();
  return (
    <ul class="bv-tools">
      <For each={props.tools}>
        {(tool) => (
          <li class="bv-tool">
            <div class="bv-call-head">
              <strong class="mono">{tool.name}</strong>
              <Show when={tool.builtin}>
                <span class="tag">{t("bv.builtin")}</span>
              </Show>
              <Show when={tool.description}>
                <span class="muted small">{tool.description}</span>
              </Show>
            </div>
            <Show when={tool.schema}>
              {(schema) => (
                <details>
                  <summary class="small muted">{t("bv.schema")}</summary>
                  <pre class="code bv-args">{schema()}</pre>
                </details>
              )}
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}

/** A key → value list; objects shown as compact JSON. */
export function KeyValues(props: { entries: [string, unknown][] }) {
  return (
    <dl class="bv-kv">
      <For each={props.entries}>
        {([k, v]) => (
          <div>
            <dt class="mono">{k}</dt>
            <dd class="mono">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
          </div>
        )}
      </For>
    </dl>
  );
}
