/**
 * A scripted fake LLM upstream on 127.0.0.1 that can drive an agent's tool loop, in each of the four wire
 * protocols (OpenAI chat, OpenAI Responses, Anthropic Messages, Gemini generateContent), stream and
 * non-stream, in the real APIs' shapes. For every request it reads the conversation in the protocol's own
 * terms (tools offered, tool results sent back, last user text) and asks the test's script what to answer:
 * a tool call, or text (with optional reasoning). Deliberately independent of src/: it parses and renders
 * each protocol by hand, so a test through the gateway's codecs is not checked by the same codecs.
 */
import type { Server } from "bun";
import { upstreamRoute } from "./fake-upstream";

export type WireStyle = "openai" | "openai-responses" | "anthropic" | "gemini";

export interface ToolResult {
  /** The call id the result answers (Gemini: the function name, or its `id` when the call had one). */
  id: string;
  /** The function name, when the protocol's result carries it (Gemini). */
  name?: string;
  /** The result's text, flattened from whatever shape the protocol uses. */
  content: string;
}

/** One request as the scripted upstream read it. */
export interface Turn {
  style: WireStyle;
  path: string;
  model: string;
  stream: boolean;
  headers: Record<string, string>;
  body: Record<string, any>;
  /** Names of the function tools offered. */
  tools: string[];
  /** Tool results sent back in this request, in order. */
  toolResults: ToolResult[];
  /** Tool calls the assistant made earlier in this conversation, as sent back in this request. */
  priorCalls: { id: string; name: string; args: string }[];
  /** The last user text. */
  userText: string;
}

export interface ToolCallReply {
  name: string;
  args: Record<string, unknown>;
  /** The call id; one is made up (in the protocol's usual form) when omitted. Gemini omits it unless set. */
  id?: string;
}

/** What the script answers: text, a tool call, or both; `thinking` becomes the protocol's reasoning. */
export interface Reply {
  text?: string;
  thinking?: string;
  toolCall?: ToolCallReply;
}

export type Script = (turn: Turn) => Reply;

/** The usage every answer reports: 30 fresh input tokens, 10 cached, 8 output (2 of them reasoning). */
export const SCRIPTED_USAGE = { input: 30, cached: 10, output: 8, reasoning: 2 } as const;
/** The thinking signature the Anthropic upstream signs its thinking block with. */
export const THINKING_SIGNATURE = "sig-scripted-0001";
/** The encrypted_content of the Responses upstream's reasoning items. */
export const ENCRYPTED_REASONING = "enc-scripted";
/** The thoughtSignature the Gemini upstream puts on its function call and thought parts. */
export const THOUGHT_SIGNATURE = "c2NyaXB0ZWQtdGhvdWdodA==";

export interface ScriptedUpstream {
  url: string;
  server: Server<undefined>;
  /** Every generation request, in arrival order. */
  turns: Turn[];
  /** Every tool call the upstream made, with the id it gave it (Gemini: none unless the script set one). */
  calls: { turn: number; id?: string; name: string; args: string }[];
  /** Every count-tokens request (Anthropic count_tokens, Gemini countTokens). */
  counts: { style: WireStyle; body: Record<string, any> }[];
  stop(): Promise<void>;
}

/**
 * The usual agent script: when the request offers `tool` and carries no tool result yet, call it with
 * `args`; once a tool result is back, answer `finalText`; any other request (an agent's side requests:
 * titles, summaries, topic checks) gets a short plain answer.
 */
export function toolLoop(opts: {
  tool: string | ((tools: string[]) => string | undefined);
  args: Record<string, unknown> | ((tool: string) => Record<string, unknown>);
  finalText: string;
  sideText?: string;
  /** Reasoning the upstream sends with its tool call (in its protocol's own form). */
  thinking?: string;
}): Script {
  return (turn) => {
    const tool =
      typeof opts.tool === "string"
        ? turn.tools.includes(opts.tool)
          ? opts.tool
          : undefined
        : opts.tool(turn.tools);
    if (turn.toolResults.length > 0 && tool !== undefined) return { text: opts.finalText };
    if (tool !== undefined) {
      const args = typeof opts.args === "function" ? opts.args(tool) : opts.args;
      return { thinking: opts.thinking, toolCall: { name: tool, args } };
    }
    return { text: opts.sideText ?? "ok" };
  };
}

// ---- reading a request -------------------------------------------------------------------------------

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((p) => {
        if (typeof p === "string") return p;
        if (p && typeof p === "object") {
          const o = p as Record<string, unknown>;
          if (typeof o.text === "string") return o.text;
          if (o.content !== undefined) return textOf(o.content);
        }
        return "";
      })
      .join("");
  if (content && typeof content === "object") return JSON.stringify(content);
  return "";
}

function readTurn(
  style: WireStyle,
  body: Record<string, any>,
): Pick<Turn, "tools" | "toolResults" | "priorCalls" | "userText"> {
  const tools: string[] = [];
  const toolResults: ToolResult[] = [];
  const priorCalls: Turn["priorCalls"] = [];
  let userText = "";
  switch (style) {
    case "openai":
      for (const t of body.tools ?? []) if (t?.type === "function") tools.push(t.function?.name);
      for (const m of body.messages ?? []) {
        if (m.role === "tool") toolResults.push({ id: m.tool_call_id, content: textOf(m.content) });
        if (m.role === "user") userText = textOf(m.content);
        for (const c of m.tool_calls ?? [])
          priorCalls.push({ id: c.id, name: c.function?.name, args: c.function?.arguments });
      }
      break;
    case "openai-responses": {
      for (const t of body.tools ?? []) if (t?.type === "function") tools.push(t.name);
      const input =
        typeof body.input === "string" ? [{ role: "user", content: body.input }] : (body.input ?? []);
      for (const item of input) {
        if (item.type === "function_call_output")
          toolResults.push({ id: item.call_id, content: textOf(item.output) });
        if (item.type === "function_call")
          priorCalls.push({ id: item.call_id, name: item.name, args: item.arguments });
        if ((item.type === "message" || item.type === undefined) && item.role === "user")
          userText = textOf(item.content);
      }
      break;
    }
    case "anthropic":
      for (const t of body.tools ?? [])
        if (typeof t?.name === "string" && (t.type === undefined || t.type === "custom")) tools.push(t.name);
      for (const m of body.messages ?? []) {
        const blocks =
          typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content ?? []);
        if (m.role === "user") {
          const texts = blocks.filter((b: any) => b.type === "text").map((b: any) => b.text);
          if (texts.length) userText = texts.join("");
          for (const b of blocks)
            if (b.type === "tool_result") toolResults.push({ id: b.tool_use_id, content: textOf(b.content) });
        } else {
          for (const b of blocks)
            if (b.type === "tool_use")
              priorCalls.push({ id: b.id, name: b.name, args: JSON.stringify(b.input) });
        }
      }
      break;
    case "gemini":
      for (const t of body.tools ?? []) for (const f of t.functionDeclarations ?? []) tools.push(f.name);
      for (const c of body.contents ?? []) {
        for (const p of c.parts ?? []) {
          if (p.functionResponse)
            toolResults.push({
              id: p.functionResponse.id ?? p.functionResponse.name,
              name: p.functionResponse.name,
              content: JSON.stringify(p.functionResponse.response),
            });
          if (p.functionCall)
            priorCalls.push({
              id: p.functionCall.id ?? p.functionCall.name,
              name: p.functionCall.name,
              args: JSON.stringify(p.functionCall.args),
            });
        }
        const texts = (c.parts ?? [])
          .filter((p: any) => typeof p.text === "string" && !p.thought)
          .map((p: any) => p.text);
        if (c.role !== "model" && texts.length) userText = texts.join("");
      }
      break;
  }
  return { tools, toolResults, priorCalls, userText };
}

// ---- rendering an answer -----------------------------------------------------------------------------

const sse = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;

/** Splits a string into up to `n` consecutive non-empty pieces (one piece for an empty string). */
function pieces(s: string, n: number): string[] {
  if (s.length === 0) return [""];
  const size = Math.ceil(s.length / Math.min(n, s.length));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

interface Plan {
  id: string;
  model: string;
  text?: string;
  thinking?: string;
  call?: { id: string; name: string; args: string };
}

const U = SCRIPTED_USAGE;

function openaiUsage() {
  return {
    prompt_tokens: U.input + U.cached,
    completion_tokens: U.output,
    total_tokens: U.input + U.cached + U.output,
    prompt_tokens_details: { cached_tokens: U.cached },
    completion_tokens_details: { reasoning_tokens: U.reasoning },
  };
}

function responsesUsage() {
  return {
    input_tokens: U.input + U.cached,
    input_tokens_details: { cached_tokens: U.cached },
    output_tokens: U.output,
    output_tokens_details: { reasoning_tokens: U.reasoning },
    total_tokens: U.input + U.cached + U.output,
  };
}

function anthropicUsage(output: number) {
  return {
    input_tokens: U.input,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: U.cached,
    output_tokens: output,
  };
}

function geminiUsage() {
  return {
    promptTokenCount: U.input + U.cached,
    cachedContentTokenCount: U.cached,
    candidatesTokenCount: U.output - U.reasoning,
    thoughtsTokenCount: U.reasoning,
    totalTokenCount: U.input + U.cached + U.output,
  };
}

function openaiWhole(p: Plan) {
  const message: Record<string, unknown> = { role: "assistant", content: p.text ?? null, refusal: null };
  if (p.thinking !== undefined) message.reasoning_content = p.thinking;
  if (p.call)
    message.tool_calls = [
      { id: p.call.id, type: "function", function: { name: p.call.name, arguments: p.call.args } },
    ];
  return {
    id: p.id,
    object: "chat.completion",
    created: 1_700_000_000,
    model: p.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: p.call ? "tool_calls" : "stop" }],
    usage: openaiUsage(),
    system_fingerprint: "fp_scripted",
  };
}

function openaiStream(p: Plan, includeUsage: boolean): string[] {
  const base = {
    id: p.id,
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: p.model,
    system_fingerprint: "fp_scripted",
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    sse({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const out = [chunk({ role: "assistant", content: "", refusal: null })];
  if (p.thinking !== undefined)
    for (const t of pieces(p.thinking, 2)) out.push(chunk({ reasoning_content: t }));
  if (p.text !== undefined) for (const t of pieces(p.text, 3)) out.push(chunk({ content: t }));
  if (p.call) {
    out.push(
      chunk({
        tool_calls: [
          { index: 0, id: p.call.id, type: "function", function: { name: p.call.name, arguments: "" } },
        ],
      }),
    );
    for (const a of pieces(p.call.args, 3))
      out.push(chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] }));
  }
  out.push(chunk({}, p.call ? "tool_calls" : "stop"));
  if (includeUsage) out.push(sse({ ...base, choices: [], usage: openaiUsage() }));
  out.push(sse("[DONE]"));
  return out;
}

function anthropicBlocks(p: Plan): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (p.thinking !== undefined)
    blocks.push({ type: "thinking", thinking: p.thinking, signature: THINKING_SIGNATURE });
  if (p.text !== undefined) blocks.push({ type: "text", text: p.text });
  if (p.call)
    blocks.push({ type: "tool_use", id: p.call.id, name: p.call.name, input: JSON.parse(p.call.args) });
  return blocks;
}

function anthropicWhole(p: Plan) {
  return {
    id: p.id,
    type: "message",
    role: "assistant",
    model: p.model,
    content: anthropicBlocks(p),
    stop_reason: p.call ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: anthropicUsage(U.output),
  };
}

function anthropicStream(p: Plan): string[] {
  const ev = (type: string, data: Record<string, unknown>) => sse({ type, ...data }, type);
  const out = [
    ev("message_start", {
      message: {
        id: p.id,
        type: "message",
        role: "assistant",
        model: p.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: anthropicUsage(1),
      },
    }),
  ];
  anthropicBlocks(p).forEach((b, index) => {
    if (b.type === "thinking") {
      out.push(
        ev("content_block_start", {
          index,
          content_block: { type: "thinking", thinking: "", signature: "" },
        }),
      );
      for (const t of pieces(b.thinking as string, 2))
        out.push(ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: t } }));
      out.push(
        ev("content_block_delta", {
          index,
          delta: { type: "signature_delta", signature: THINKING_SIGNATURE },
        }),
      );
    } else if (b.type === "text") {
      out.push(ev("content_block_start", { index, content_block: { type: "text", text: "" } }));
      for (const t of pieces(b.text as string, 3))
        out.push(ev("content_block_delta", { index, delta: { type: "text_delta", text: t } }));
    } else {
      out.push(
        ev("content_block_start", {
          index,
          content_block: { type: "tool_use", id: b.id, name: b.name, input: {} },
        }),
      );
      for (const a of pieces(JSON.stringify(b.input), 3))
        out.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: a } }));
    }
    out.push(ev("content_block_stop", { index }));
  });
  out.push(
    ev("message_delta", {
      delta: { stop_reason: p.call ? "tool_use" : "end_turn", stop_sequence: null },
      usage: { output_tokens: U.output },
    }),
  );
  out.push(ev("message_stop", {}));
  return out;
}

function geminiParts(p: Plan): Record<string, unknown>[] {
  const parts: Record<string, unknown>[] = [];
  if (p.thinking !== undefined) parts.push({ text: p.thinking, thought: true });
  if (p.text !== undefined) parts.push({ text: p.text });
  if (p.call) {
    const fc: Record<string, unknown> = { name: p.call.name, args: JSON.parse(p.call.args) };
    if (!p.call.id.startsWith("gemini-noid:")) fc.id = p.call.id;
    parts.push({ functionCall: fc, thoughtSignature: THOUGHT_SIGNATURE });
  }
  return parts;
}

function geminiWhole(p: Plan) {
  return {
    candidates: [{ content: { role: "model", parts: geminiParts(p) }, finishReason: "STOP", index: 0 }],
    usageMetadata: geminiUsage(),
    modelVersion: p.model,
    responseId: p.id,
  };
}

function geminiStream(p: Plan): string[] {
  const parts = geminiParts(p).flatMap((part) =>
    typeof part.text === "string" && !part.thought ? pieces(part.text, 3).map((t) => ({ text: t })) : [part],
  );
  return parts.map((part, i) => {
    const last = i === parts.length - 1;
    return sse({
      candidates: [
        { content: { role: "model", parts: [part] }, index: 0, ...(last ? { finishReason: "STOP" } : {}) },
      ],
      usageMetadata: last
        ? geminiUsage()
        : { promptTokenCount: U.input + U.cached, totalTokenCount: U.input + U.cached },
      modelVersion: p.model,
      responseId: p.id,
    });
  });
}

function responsesItems(p: Plan): Record<string, any>[] {
  const items: Record<string, any>[] = [];
  if (p.thinking !== undefined)
    items.push({
      type: "reasoning",
      id: `rs_${p.id}`,
      summary: [{ type: "summary_text", text: p.thinking }],
      encrypted_content: ENCRYPTED_REASONING,
    });
  if (p.text !== undefined)
    items.push({
      type: "message",
      id: `msg_${p.id}`,
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: p.text, annotations: [], logprobs: [] }],
    });
  if (p.call)
    items.push({
      type: "function_call",
      id: `fc_${p.id}`,
      call_id: p.call.id,
      name: p.call.name,
      arguments: p.call.args,
      status: "completed",
    });
  return items;
}

function responsesWhole(p: Plan, body: Record<string, any>) {
  return {
    id: `resp_${p.id}`,
    object: "response",
    created_at: 1_700_000_000,
    status: "completed",
    error: null,
    incomplete_details: null,
    model: p.model,
    output: responsesItems(p),
    parallel_tool_calls: true,
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    usage: responsesUsage(),
  };
}

function responsesStream(p: Plan, body: Record<string, any>): string[] {
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) =>
    sse({ type, sequence_number: seq++, ...data }, type);
  const whole = responsesWhole(p, body);
  const pending = { ...whole, status: "in_progress", output: [], usage: null };
  const out = [
    ev("response.created", { response: pending }),
    ev("response.in_progress", { response: pending }),
  ];
  responsesItems(p).forEach((item, output_index) => {
    if (item.type === "reasoning") {
      out.push(ev("response.output_item.added", { output_index, item: { ...item, summary: [] } }));
      out.push(
        ev("response.reasoning_summary_part.added", {
          item_id: item.id,
          output_index,
          summary_index: 0,
          part: { type: "summary_text", text: "" },
        }),
      );
      for (const t of pieces(item.summary[0].text, 2))
        out.push(
          ev("response.reasoning_summary_text.delta", {
            item_id: item.id,
            output_index,
            summary_index: 0,
            delta: t,
          }),
        );
      out.push(
        ev("response.reasoning_summary_text.done", {
          item_id: item.id,
          output_index,
          summary_index: 0,
          text: item.summary[0].text,
        }),
      );
      out.push(
        ev("response.reasoning_summary_part.done", {
          item_id: item.id,
          output_index,
          summary_index: 0,
          part: item.summary[0],
        }),
      );
    } else if (item.type === "message") {
      const text = item.content[0].text as string;
      out.push(
        ev("response.output_item.added", {
          output_index,
          item: { ...item, status: "in_progress", content: [] },
        }),
      );
      out.push(
        ev("response.content_part.added", {
          item_id: item.id,
          output_index,
          content_index: 0,
          part: { type: "output_text", text: "", annotations: [] },
        }),
      );
      for (const t of pieces(text, 3))
        out.push(
          ev("response.output_text.delta", {
            item_id: item.id,
            output_index,
            content_index: 0,
            delta: t,
            logprobs: [],
          }),
        );
      out.push(
        ev("response.output_text.done", {
          item_id: item.id,
          output_index,
          content_index: 0,
          text,
          logprobs: [],
        }),
      );
      out.push(
        ev("response.content_part.done", {
          item_id: item.id,
          output_index,
          content_index: 0,
          part: item.content[0],
        }),
      );
    } else {
      out.push(
        ev("response.output_item.added", {
          output_index,
          item: { ...item, status: "in_progress", arguments: "" },
        }),
      );
      for (const a of pieces(item.arguments, 3))
        out.push(ev("response.function_call_arguments.delta", { item_id: item.id, output_index, delta: a }));
      out.push(
        ev("response.function_call_arguments.done", {
          item_id: item.id,
          output_index,
          arguments: item.arguments,
        }),
      );
    }
    out.push(ev("response.output_item.done", { output_index, item }));
  });
  out.push(ev("response.completed", { response: whole }));
  return out;
}

// ---- the server --------------------------------------------------------------------------------------

const CALL_ID_PREFIX: Record<WireStyle, string> = {
  openai: "call_",
  "openai-responses": "call_",
  anthropic: "toolu_",
  gemini: "gemini-noid:",
};

/** Starts the scripted upstream on 127.0.0.1 and a free port. */
export function startScriptedUpstream(script: Script): ScriptedUpstream {
  const turns: Turn[] = [];
  const counts: ScriptedUpstream["counts"] = [];
  const calls: ScriptedUpstream["calls"] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const r = upstreamRoute(url.pathname);
      if (!r || r.op === "embed")
        return Response.json({ error: { message: `no such path ${url.pathname}` } }, { status: 404 });
      if (r.op === "models")
        return Response.json({
          object: "list",
          data: [{ id: "scripted", object: "model", owned_by: "test" }],
        });
      const body = (await req.json()) as Record<string, any>;
      if (r.op === "count") {
        counts.push({ style: r.style, body });
        return Response.json(r.style === "gemini" ? { totalTokens: 42 } : { input_tokens: 42 });
      }
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        headers[k] = v;
      });
      const stream = r.style === "gemini" ? r.op === "stream" : body.stream === true;
      const model = r.model ?? String(body.model ?? "");
      const turn: Turn = {
        style: r.style,
        path: url.pathname + url.search,
        model,
        stream,
        headers,
        body,
        ...readTurn(r.style, body),
      };
      turns.push(turn);
      const reply = script(turn);
      const n = turns.length;
      const plan: Plan = {
        id: `scripted${n}`,
        model,
        text: reply.text,
        thinking: reply.thinking,
        call: reply.toolCall && {
          id: reply.toolCall.id ?? `${CALL_ID_PREFIX[r.style]}scripted${n}`,
          name: reply.toolCall.name,
          args: JSON.stringify(reply.toolCall.args),
        },
      };
      if (plan.call)
        calls.push({
          turn: n - 1,
          id: plan.call.id.startsWith("gemini-noid:") ? undefined : plan.call.id,
          name: plan.call.name,
          args: plan.call.args,
        });
      if (!stream) {
        const whole =
          r.style === "openai"
            ? openaiWhole(plan)
            : r.style === "anthropic"
              ? anthropicWhole(plan)
              : r.style === "gemini"
                ? geminiWhole(plan)
                : responsesWhole(plan, body);
        return Response.json(whole);
      }
      if (r.style === "gemini" && url.searchParams.get("alt") !== "sse")
        return Response.json(
          {
            error: {
              code: 400,
              message: "the scripted upstream streams with alt=sse only",
              status: "INVALID_ARGUMENT",
            },
          },
          { status: 400 },
        );
      const events =
        r.style === "openai"
          ? openaiStream(plan, body.stream_options?.include_usage === true)
          : r.style === "anthropic"
            ? anthropicStream(plan)
            : r.style === "gemini"
              ? geminiStream(plan)
              : responsesStream(plan, body);
      return new Response(events.join(""), {
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    server,
    turns,
    calls,
    counts,
    stop: async () => {
      await server.stop(true);
    },
  };
}
