import type { Part, ToolDef } from "./types";

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** JSON text pretty-printed when it parses (tool arguments arrive as compact or partial JSON). */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Any value as readable text: strings as they are, the rest as pretty JSON. */
export function asText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  return JSON.stringify(v, null, 2);
}

/** Numeric leaves of a usage object, with dotted paths, in body order. */
export function flattenUsage(v: unknown, prefix = ""): [string, number][] {
  if (!isObj(v)) return [];
  const out: [string, number][] = [];
  for (const [k, val] of Object.entries(v)) {
    const key = prefix + k;
    if (typeof val === "number") out.push([key, val]);
    else if (isObj(val)) out.push(...flattenUsage(val, `${key}.`));
  }
  return out;
}

/** Top-level fields not otherwise shown, in body order. */
export function restOf(body: Obj, shown: readonly string[]): [string, unknown][] {
  return Object.entries(body).filter(([k]) => !shown.includes(k));
}

/** A function tool from its name, description and JSON schema. */
export function functionTool(name: unknown, description: unknown, schema: unknown): ToolDef {
  return {
    name: str(name) ?? "?",
    ...(str(description) ? { description: str(description) } : {}),
    ...(schema !== undefined ? { schema: JSON.stringify(schema, null, 2) } : {}),
  };
}

/** An image reference for display: the URL, or the media type of inline data (never the data). */
export function imageSource(url: string | undefined, mediaType?: string): string {
  if (url && !url.startsWith("data:")) return url;
  const m = url ? /^data:([^;,]+)/.exec(url) : null;
  return `${m?.[1] ?? mediaType ?? "image"} (inline)`;
}

/** The text of an error body in any of the four protocols' shapes, if the body is one. */
export function errorMessage(body: Obj): string | undefined {
  const e = body.error;
  if (typeof e === "string") return e;
  if (isObj(e)) return str(e.message) ?? JSON.stringify(e);
  return undefined;
}

/**
 * Builds the parts of a streamed reply: text and thinking deltas join the part before them when it is of
 * the same kind; tool calls are keyed (by index or id) so their argument deltas land on the right call.
 */
export class PartsBuilder {
  readonly parts: Part[] = [];
  readonly #calls = new Map<string, Extract<Part, { type: "tool_call" }>>();

  text(type: "text" | "thinking", delta: string | undefined): void {
    if (!delta) return;
    const last = this.parts[this.parts.length - 1];
    if (last && last.type === type) last.text += delta;
    else this.parts.push({ type, text: delta });
  }

  /** Starts a tool call (or names one that argument deltas opened first). */
  call(key: string, id: string | undefined, name: string | undefined, args = ""): void {
    const known = this.#calls.get(key);
    if (known) {
      if (id) known.id = id;
      if (name) known.name = name;
      known.args += args;
      return;
    }
    const part: Extract<Part, { type: "tool_call" }> = { type: "tool_call", name: name ?? "?", args };
    if (id) part.id = id;
    this.#calls.set(key, part);
    this.parts.push(part);
  }

  args(key: string, delta: string | undefined): void {
    if (!delta) return;
    const known = this.#calls.get(key);
    if (known) known.args += delta;
    else this.call(key, undefined, undefined, delta);
  }

  /** The parts, tool arguments pretty-printed once complete. */
  done(): Part[] {
    for (const p of this.parts) if (p.type === "tool_call") p.args = prettyJson(p.args);
    return this.parts;
  }
}
