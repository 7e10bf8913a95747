import { createMemo, createSignal, type JSX, Show } from "solid-js";
import { formatCount } from "../lib/format";
import { useI18n } from "../lib/i18n";
import { CopyButton } from "./copy-button";

type Parsed =
  | { kind: "json"; pretty: string }
  | { kind: "sse"; events: number }
  | { kind: "text" }
  | { kind: "empty" };

/** Above this size the body is shown without colouring, so a huge body stays responsive. */
const HIGHLIGHT_LIMIT = 200_000;

function parse(text: string): Parsed {
  if (!text.trim()) return { kind: "empty" };
  try {
    return { kind: "json", pretty: JSON.stringify(JSON.parse(text), null, 2) };
  } catch {
    // Not JSON: an event stream when it has `data:` lines, plain text otherwise.
  }
  if (/^(data|event):/m.test(text)) {
    const events = text.split(/\r?\n\r?\n/).filter((b) => /^(data|event):/m.test(b)).length;
    return { kind: "sse", events };
  }
  return { kind: "text" };
}

const JSON_TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Pretty JSON split into coloured spans (keys, strings, numbers, literals). */
function highlightJson(text: string): JSX.Element {
  if (text.length > HIGHLIGHT_LIMIT) return text;
  const out: JSX.Element[] = [];
  let last = 0;
  for (const m of text.matchAll(JSON_TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    if (m[1] !== undefined) {
      out.push(<span class={m[2] ? "j-key" : "j-str"}>{m[1]}</span>);
      if (m[2]) out.push(m[2]);
    } else if (m[3] !== undefined) out.push(<span class="j-lit">{m[3]}</span>);
    else out.push(<span class="j-num">{m[4]}</span>);
    last = at + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

/** Raw SSE with the field names (`event:`, `data:`) dimmed so the payloads stand out. */
function highlightSse(text: string): JSX.Element {
  if (text.length > HIGHLIGHT_LIMIT) return text;
  return text.split("\n").map((line) => {
    const m = /^(event|data|id|retry):/.exec(line);
    return m ? (
      <>
        <span class={m[1] === "event" ? "sse-event" : "sse-field"}>{m[0]}</span>
        {`${line.slice(m[0].length)}\n`}
      </>
    ) : (
      `${line}\n`
    );
  });
}

/**
 * One kept body: pretty-printed JSON when it parses, the raw event stream otherwise, with a copy
 * button and a switch back to the raw text for JSON.
 */
export function BodyViewer(props: { title: string; text: string | null }) {
  const { t } = useI18n();
  const [raw, setRaw] = createSignal(false);
  const text = () => props.text ?? "";
  const parsed = createMemo(() => parse(text()));
  const shown = () => {
    const p = parsed();
    return p.kind === "json" && !raw() ? p.pretty : text();
  };
  const kindLabel = () => {
    const p = parsed();
    if (p.kind === "json") return t("logs.body.json");
    if (p.kind === "sse") return t("logs.body.sse", { count: p.events });
    return t("logs.body.text");
  };
  return (
    <section class="body-viewer">
      <div class="body-head">
        <h4>{props.title}</h4>
        <Show when={parsed().kind !== "empty"}>
          <span class="tag">{kindLabel()}</span>
          <span class="muted small">{t("logs.body.chars", { n: formatCount(text().length) })}</span>
        </Show>
        <div class="toolbar-spacer" />
        <Show when={parsed().kind === "json"}>
          <div class="segmented" role="group">
            <button type="button" classList={{ active: !raw() }} onClick={() => setRaw(false)}>
              {t("logs.body.json")}
            </button>
            <button type="button" classList={{ active: raw() }} onClick={() => setRaw(true)}>
              {t("logs.body.raw")}
            </button>
          </div>
        </Show>
        <Show when={parsed().kind !== "empty"}>
          <CopyButton text={shown} />
        </Show>
      </div>
      <Show
        when={parsed().kind !== "empty"}
        fallback={<div class="body-empty muted">{t("logs.body.empty")}</div>}
      >
        <pre class="code" data-kind={parsed().kind}>
          {parsed().kind === "json" && !raw()
            ? highlightJson(shown())
            : parsed().kind === "sse"
              ? highlightSse(shown())
              : shown()}
        </pre>
      </Show>
    </section>
  );
}
