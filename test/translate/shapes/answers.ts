/**
 * Scripted upstream answers in each API's own shape, whole and streamed, written by hand from the API
 * references (never produced by the gateway's codecs, or the matrix would test the codecs against
 * themselves).
 */
export type Wire = "openai" | "openai-responses" | "anthropic" | "gemini";

export interface ScriptedCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface Script {
  thinking?: string;
  text?: string;
  toolCalls?: ScriptedCall[];
}

/** The usage every scripted answer reports, normalised: input excludes cached reads; output includes reasoning. */
export const SCRIPT_USAGE = { input: 20, cached: 8, output: 10, reasoning: 4 };

const U = SCRIPT_USAGE;
const halves = (s: string): string[] => {
  const mid = Math.ceil(s.length / 2);
  return [s.slice(0, mid), s.slice(mid)].filter((x) => x !== "");
};
const sse = (data: unknown, event?: string, eol = "\n") =>
  `${event ? `event: ${event}${eol}` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}${eol}${eol}`;

/** Gemini's signature for a function call of the script (checked when it comes back). */
export const geminiSignature = (name: string) => `c2lnLW${name}`;

export function wholeAnswer(wire: Wire, model: string, s: Script): unknown {
  const calls = s.toolCalls ?? [];
  switch (wire) {
    case "openai":
      return {
        id: "chatcmpl-up",
        object: "chat.completion",
        created: 1_700_000_000,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: s.text ?? null,
              ...(s.thinking ? { reasoning_content: s.thinking } : {}),
              ...(calls.length
                ? {
                    tool_calls: calls.map((c) => ({
                      id: c.id,
                      type: "function",
                      function: { name: c.name, arguments: JSON.stringify(c.args) },
                    })),
                  }
                : {}),
            },
            finish_reason: calls.length ? "tool_calls" : "stop",
            logprobs: null,
          },
        ],
        usage: openaiUsage(),
      };
    case "anthropic":
      return {
        id: "msg_up",
        type: "message",
        role: "assistant",
        model,
        content: [
          ...(s.thinking ? [{ type: "thinking", thinking: s.thinking, signature: "anthropic-sig" }] : []),
          ...(s.text ? [{ type: "text", text: s.text }] : []),
          ...calls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: c.args })),
        ],
        stop_reason: calls.length ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: anthropicUsage(U.output),
      };
    case "gemini":
      return {
        candidates: [{ content: { role: "model", parts: geminiParts(s) }, finishReason: "STOP", index: 0 }],
        usageMetadata: geminiUsage(),
        modelVersion: model,
        responseId: "gem-up",
      };
    case "openai-responses":
      return responsesObject(model, s, "completed");
  }
}

export function streamedAnswer(wire: Wire, model: string, s: Script): string {
  const calls = s.toolCalls ?? [];
  switch (wire) {
    case "openai": {
      const chunk = (delta: unknown, finish: string | null = null) =>
        sse({
          id: "chatcmpl-up",
          object: "chat.completion.chunk",
          created: 1_700_000_000,
          model,
          choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
        });
      let out = chunk({ role: "assistant", content: "" });
      for (const piece of halves(s.thinking ?? "")) out += chunk({ reasoning_content: piece });
      for (const piece of halves(s.text ?? "")) out += chunk({ content: piece });
      calls.forEach((c, i) => {
        out += chunk({
          tool_calls: [{ index: i, id: c.id, type: "function", function: { name: c.name, arguments: "" } }],
        });
        for (const piece of halves(JSON.stringify(c.args)))
          out += chunk({ tool_calls: [{ index: i, function: { arguments: piece } }] });
      });
      out += chunk({}, calls.length ? "tool_calls" : "stop");
      out += sse({
        id: "chatcmpl-up",
        object: "chat.completion.chunk",
        created: 1_700_000_000,
        model,
        choices: [],
        usage: openaiUsage(),
      });
      return `${out}${sse("[DONE]")}`;
    }
    case "anthropic": {
      let out = sse(
        {
          type: "message_start",
          message: {
            id: "msg_up",
            type: "message",
            role: "assistant",
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: anthropicUsage(1),
          },
        },
        "message_start",
      );
      let index = 0;
      const block = (start: unknown, deltas: unknown[]) => {
        out += sse({ type: "content_block_start", index, content_block: start }, "content_block_start");
        for (const delta of deltas)
          out += sse({ type: "content_block_delta", index, delta }, "content_block_delta");
        out += sse({ type: "content_block_stop", index }, "content_block_stop");
        index++;
      };
      if (s.thinking)
        block({ type: "thinking", thinking: "", signature: "" }, [
          ...halves(s.thinking).map((t) => ({ type: "thinking_delta", thinking: t })),
          { type: "signature_delta", signature: "anthropic-sig" },
        ]);
      if (s.text)
        block(
          { type: "text", text: "" },
          halves(s.text).map((t) => ({ type: "text_delta", text: t })),
        );
      for (const c of calls)
        block(
          { type: "tool_use", id: c.id, name: c.name, input: {} },
          halves(JSON.stringify(c.args)).map((p) => ({ type: "input_json_delta", partial_json: p })),
        );
      out += sse(
        {
          type: "message_delta",
          delta: { stop_reason: calls.length ? "tool_use" : "end_turn", stop_sequence: null },
          usage: { output_tokens: U.output },
        },
        "message_delta",
      );
      return `${out}${sse({ type: "message_stop" }, "message_stop")}`;
    }
    case "gemini": {
      const chunk = (parts: unknown[], last = false) =>
        sse(
          {
            candidates: [
              { content: { role: "model", parts }, index: 0, ...(last ? { finishReason: "STOP" } : {}) },
            ],
            ...(last ? { usageMetadata: geminiUsage() } : {}),
            modelVersion: model,
            responseId: "gem-up",
          },
          undefined,
          "\r\n",
        );
      let out = "";
      for (const piece of halves(s.thinking ?? "")) out += chunk([{ text: piece, thought: true }]);
      for (const piece of halves(s.text ?? "")) out += chunk([{ text: piece }]);
      if (calls.length) out += chunk(geminiCallParts(calls));
      return out + chunk([{ text: "" }], true);
    }
    case "openai-responses":
      return responsesStream(model, s);
  }
}

function openaiUsage() {
  return {
    prompt_tokens: U.input + U.cached,
    completion_tokens: U.output,
    total_tokens: U.input + U.cached + U.output,
    prompt_tokens_details: { cached_tokens: U.cached },
    completion_tokens_details: { reasoning_tokens: U.reasoning },
  };
}

function anthropicUsage(output: number) {
  return {
    input_tokens: U.input,
    cache_read_input_tokens: U.cached,
    cache_creation_input_tokens: 0,
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

function geminiCallParts(calls: ScriptedCall[]) {
  return calls.map((c, i) => ({
    functionCall: { name: c.name, args: c.args },
    // Gemini 3 signs the first function call of a step.
    ...(i === 0 ? { thoughtSignature: geminiSignature(c.name) } : {}),
  }));
}

function geminiParts(s: Script) {
  return [
    ...(s.thinking ? [{ text: s.thinking, thought: true }] : []),
    ...(s.text ? [{ text: s.text }] : []),
    ...geminiCallParts(s.toolCalls ?? []),
  ];
}

function responsesItems(s: Script) {
  const items: Record<string, unknown>[] = [];
  if (s.thinking)
    items.push({
      type: "reasoning",
      id: "rs_up",
      summary: [{ type: "summary_text", text: s.thinking }],
      encrypted_content: "enc-up",
    });
  if (s.text)
    items.push({
      type: "message",
      id: "msg_up",
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: s.text, annotations: [] }],
    });
  for (const c of s.toolCalls ?? [])
    items.push({
      type: "function_call",
      id: `fc_${c.id}`,
      call_id: c.id,
      name: c.name,
      arguments: JSON.stringify(c.args),
      status: "completed",
    });
  return items;
}

function responsesObject(model: string, s: Script, status: string) {
  return {
    id: "resp_up",
    object: "response",
    created_at: 1_700_000_000,
    status,
    model,
    output: status === "completed" ? responsesItems(s) : [],
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    usage:
      status === "completed"
        ? {
            input_tokens: U.input + U.cached,
            input_tokens_details: { cached_tokens: U.cached },
            output_tokens: U.output,
            output_tokens_details: { reasoning_tokens: U.reasoning },
            total_tokens: U.input + U.cached + U.output,
          }
        : null,
  };
}

function responsesStream(model: string, s: Script): string {
  let seq = 0;
  let out = "";
  const ev = (type: string, body: Record<string, unknown>) => {
    out += sse({ type, sequence_number: seq++, ...body }, type);
  };
  ev("response.created", { response: responsesObject(model, s, "in_progress") });
  ev("response.in_progress", { response: responsesObject(model, s, "in_progress") });
  responsesItems(s).forEach((item, output_index) => {
    if (item.type === "reasoning") {
      const text = s.thinking ?? "";
      ev("response.output_item.added", { output_index, item: { ...item, summary: [] } });
      ev("response.reasoning_summary_part.added", {
        item_id: item.id,
        output_index,
        summary_index: 0,
        part: { type: "summary_text", text: "" },
      });
      for (const delta of halves(text))
        ev("response.reasoning_summary_text.delta", {
          item_id: item.id,
          output_index,
          summary_index: 0,
          delta,
        });
      ev("response.reasoning_summary_text.done", { item_id: item.id, output_index, summary_index: 0, text });
      ev("response.reasoning_summary_part.done", {
        item_id: item.id,
        output_index,
        summary_index: 0,
        part: { type: "summary_text", text },
      });
      ev("response.output_item.done", { output_index, item });
    } else if (item.type === "message") {
      const text = s.text ?? "";
      ev("response.output_item.added", {
        output_index,
        item: { ...item, status: "in_progress", content: [] },
      });
      ev("response.content_part.added", {
        item_id: item.id,
        output_index,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [] },
      });
      for (const delta of halves(text))
        ev("response.output_text.delta", { item_id: item.id, output_index, content_index: 0, delta });
      ev("response.output_text.done", { item_id: item.id, output_index, content_index: 0, text });
      ev("response.content_part.done", {
        item_id: item.id,
        output_index,
        content_index: 0,
        part: { type: "output_text", text, annotations: [] },
      });
      ev("response.output_item.done", { output_index, item });
    } else {
      const args = item.arguments as string;
      ev("response.output_item.added", {
        output_index,
        item: { ...item, arguments: "", status: "in_progress" },
      });
      for (const delta of halves(args))
        ev("response.function_call_arguments.delta", { item_id: item.id, output_index, delta });
      ev("response.function_call_arguments.done", { item_id: item.id, output_index, arguments: args });
      ev("response.output_item.done", { output_index, item });
    }
  });
  ev("response.completed", { response: responsesObject(model, s, "completed") });
  return out;
}
