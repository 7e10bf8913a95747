import type { JSX } from "solid-js";

/** Above this size a body is shown without colouring, so a huge body stays responsive. */
const HIGHLIGHT_LIMIT = 200_000;

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

export type RawKind = "json" | "sse" | "text";

/** What a body's text is, and the text to show for it (JSON pretty-printed). */
export function rawOf(text: string): { kind: RawKind; shown: string } {
  try {
    return { kind: "json", shown: JSON.stringify(JSON.parse(text), null, 2) };
  } catch {
    return { kind: /^(data|event):/m.test(text) ? "sse" : "text", shown: text };
  }
}

/** A body's text as it was logged: JSON pretty and coloured, SSE with dimmed field names. */
export function RawBody(props: { kind: RawKind; text: string }) {
  return (
    <pre class="code" data-kind={props.kind}>
      {props.kind === "json"
        ? highlightJson(props.text)
        : props.kind === "sse"
          ? highlightSse(props.text)
          : props.text}
    </pre>
  );
}
