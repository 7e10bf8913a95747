/**
 * What a client got, reassembled from a whole body or a stream in its own protocol, with the stream's
 * event order checked as that protocol's SDK stream helpers would.
 */
import type { Wire } from "./answers";

export interface Received {
  text: string;
  thinking: string;
  toolCalls: { id: string; name: string; args: unknown }[];
  /** Normalised as the gateway records it: input excludes cached reads; output includes reasoning. */
  usage: { input: number; cached: number; output: number; reasoning?: number } | null;
  finish: string | null;
}

type J = Record<string, any>;

/** SSE blocks of a body: event name and data. */
export function sseEvents(text: string): { event?: string; data: string }[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((b) => b.trim())
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join("\n") };
    });
}

const parseArgs = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return { unparsable: s };
  }
};

export function readWhole(wire: Wire, body: J): Received {
  switch (wire) {
    case "openai": {
      const m = body.choices[0].message;
      return {
        text: m.content ?? "",
        thinking: m.reasoning_content ?? m.reasoning ?? "",
        toolCalls: (m.tool_calls ?? []).map((c: J) => ({
          id: c.id,
          name: c.function.name,
          args: parseArgs(c.function.arguments),
        })),
        usage: body.usage ? openaiUsage(body.usage) : null,
        finish: body.choices[0].finish_reason,
      };
    }
    case "anthropic": {
      const r: Received = { text: "", thinking: "", toolCalls: [], usage: null, finish: body.stop_reason };
      for (const b of body.content) {
        if (b.type === "text") r.text += b.text;
        else if (b.type === "thinking") r.thinking += b.thinking;
        else if (b.type === "tool_use") r.toolCalls.push({ id: b.id, name: b.name, args: b.input });
      }
      r.usage = anthropicUsage(body.usage);
      return r;
    }
    case "gemini": {
      const r: Received = {
        text: "",
        thinking: "",
        toolCalls: [],
        usage: body.usageMetadata ? geminiUsage(body.usageMetadata) : null,
        finish: body.candidates?.[0]?.finishReason ?? null,
      };
      for (const p of body.candidates?.[0]?.content?.parts ?? []) geminiPart(r, p);
      return r;
    }
    case "openai-responses":
      return responsesOutput(body);
  }
}

function geminiPart(r: Received, p: J): void {
  if (p.functionCall)
    r.toolCalls.push({ id: p.functionCall.id ?? "", name: p.functionCall.name, args: p.functionCall.args });
  else if (p.thought) r.thinking += p.text ?? "";
  else if (typeof p.text === "string") r.text += p.text;
}

function responsesOutput(resp: J): Received {
  const r: Received = {
    text: "",
    thinking: "",
    toolCalls: [],
    usage: resp.usage ? responsesUsage(resp.usage) : null,
    finish: resp.status,
  };
  for (const item of resp.output ?? []) {
    if (item.type === "message") for (const c of item.content) if (c.type === "output_text") r.text += c.text;
    if (item.type === "reasoning") for (const s of item.summary ?? []) r.thinking += s.text;
    if (item.type === "function_call")
      r.toolCalls.push({ id: item.call_id, name: item.name, args: parseArgs(item.arguments) });
  }
  return r;
}

/** Reassembles a stream; throws with a clear message on an event order the protocol's SDKs reject. */
export function readStream(wire: Wire, text: string): Received {
  const events = sseEvents(text);
  const fail = (why: string): never => {
    throw new Error(`${wire} stream: ${why}\n${text.slice(0, 3000)}`);
  };
  switch (wire) {
    case "openai": {
      const r: Received = { text: "", thinking: "", toolCalls: [], usage: null, finish: null };
      if (events.at(-1)?.data !== "[DONE]") fail("does not end with [DONE]");
      const calls = new Map<number, { id: string; name: string; args: string }>();
      events.slice(0, -1).forEach((e, i) => {
        const c = JSON.parse(e.data) as J;
        if (c.error) fail(`error chunk: ${e.data}`);
        if (c.usage) r.usage = openaiUsage(c.usage);
        const choice = c.choices?.[0];
        if (!choice) return;
        if (i === 0 && choice.delta?.role !== "assistant") fail("first chunk has no role");
        const d = choice.delta ?? {};
        if (d.content) r.text += d.content;
        if (d.reasoning_content) r.thinking += d.reasoning_content;
        for (const tc of d.tool_calls ?? []) {
          let call = calls.get(tc.index);
          if (!call) {
            if (!tc.id || !tc.function?.name) fail(`tool call ${tc.index} starts without id and name`);
            call = { id: tc.id, name: tc.function.name, args: "" };
            calls.set(tc.index, call);
          }
          call.args += tc.function?.arguments ?? "";
        }
        if (choice.finish_reason) r.finish = choice.finish_reason;
      });
      r.toolCalls = [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([, c]) => ({ id: c.id, name: c.name, args: parseArgs(c.args) }));
      return r;
    }
    case "anthropic": {
      const r: Received = { text: "", thinking: "", toolCalls: [], usage: null, finish: null };
      const names = events.map((e) => e.event);
      if (names[0] !== "message_start") fail("does not start with message_start");
      if (names.at(-1) !== "message_stop") fail("does not end with message_stop");
      let open: number | null = null;
      let next = 0;
      let usage: J = {};
      const blocks: J[] = [];
      for (const e of events) {
        const d = JSON.parse(e.data) as J;
        if (d.type !== e.event) fail(`event ${e.event} carries type ${d.type}`);
        if (d.type === "message_start") usage = { ...d.message.usage };
        else if (d.type === "content_block_start") {
          if (open !== null) fail(`block ${d.index} starts while ${open} is open`);
          if (d.index !== next) fail(`block index ${d.index}, expected ${next}`);
          open = d.index;
          blocks[d.index] = { ...d.content_block, json: "" };
        } else if (d.type === "content_block_delta") {
          if (d.index !== open) fail(`delta for block ${d.index} while ${open} is open`);
          const b = blocks[d.index] as J;
          if (d.delta.type === "text_delta") b.text += d.delta.text;
          else if (d.delta.type === "thinking_delta") b.thinking += d.delta.thinking;
          else if (d.delta.type === "input_json_delta") b.json += d.delta.partial_json;
          else if (d.delta.type !== "signature_delta") fail(`unknown delta ${d.delta.type}`);
        } else if (d.type === "content_block_stop") {
          if (d.index !== open) fail(`stop for block ${d.index} while ${open} is open`);
          open = null;
          next++;
        } else if (d.type === "message_delta") {
          r.finish = d.delta.stop_reason;
          usage = {
            ...usage,
            ...Object.fromEntries(Object.entries(d.usage ?? {}).filter(([, v]) => v != null)),
          };
        } else if (d.type === "error") fail(`error event: ${e.data}`);
      }
      for (const b of blocks) {
        if (b.type === "text") r.text += b.text;
        if (b.type === "thinking") r.thinking += b.thinking;
        if (b.type === "tool_use")
          r.toolCalls.push({ id: b.id, name: b.name, args: parseArgs(b.json || "{}") });
      }
      r.usage = anthropicUsage(usage);
      return r;
    }
    case "gemini": {
      const r: Received = { text: "", thinking: "", toolCalls: [], usage: null, finish: null };
      for (const e of events) {
        const c = JSON.parse(e.data) as J;
        if (c.error) fail(`error chunk: ${e.data}`);
        for (const p of c.candidates?.[0]?.content?.parts ?? []) geminiPart(r, p);
        if (c.usageMetadata) r.usage = geminiUsage(c.usageMetadata);
        if (c.candidates?.[0]?.finishReason) r.finish = c.candidates[0].finishReason;
      }
      if (!r.finish) fail("no chunk carries a finishReason");
      return r;
    }
    case "openai-responses": {
      const types = events.map((e) => (JSON.parse(e.data) as J).type);
      if (types[0] !== "response.created") fail("does not start with response.created");
      const last = types.at(-1);
      if (last !== "response.completed" && last !== "response.incomplete") fail(`ends with ${last}`);
      let seq = -1;
      let deltas = "";
      for (const e of events) {
        const d = JSON.parse(e.data) as J;
        if (e.event !== undefined && e.event !== d.type) fail(`event ${e.event} carries type ${d.type}`);
        if (typeof d.sequence_number === "number") {
          if (d.sequence_number <= seq) fail("sequence_number does not increase");
          seq = d.sequence_number;
        }
        if (d.type === "response.output_text.delta") deltas += d.delta;
        if (d.type === "error" || d.type === "response.failed") fail(`error event: ${e.data}`);
      }
      const final = JSON.parse((events.at(-1) as { data: string }).data) as J;
      const r = responsesOutput(final.response);
      if (deltas !== r.text) fail(`text deltas "${deltas}" differ from the final text "${r.text}"`);
      return r;
    }
  }
}

function openaiUsage(u: J) {
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input: u.prompt_tokens - cached,
    cached,
    output: u.completion_tokens,
    reasoning: u.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

function anthropicUsage(u: J) {
  return { input: u.input_tokens ?? 0, cached: u.cache_read_input_tokens ?? 0, output: u.output_tokens ?? 0 };
}

function geminiUsage(u: J) {
  const cached = u.cachedContentTokenCount ?? 0;
  return {
    input: (u.promptTokenCount ?? 0) - cached,
    cached,
    output: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
    reasoning: u.thoughtsTokenCount ?? 0,
  };
}

function responsesUsage(u: J) {
  const cached = u.input_tokens_details?.cached_tokens ?? 0;
  return {
    input: u.input_tokens - cached,
    cached,
    output: u.output_tokens,
    reasoning: u.output_tokens_details?.reasoning_tokens ?? 0,
  };
}
