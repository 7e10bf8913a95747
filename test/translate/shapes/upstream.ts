/**
 * What an upstream received, checked against its API's request shape (known fields only, the structural
 * rules the real API enforces) and reduced to what the matrix asserts.
 */
import type { Wire } from "./answers";

type J = Record<string, any>;

export interface Seen {
  system: string;
  userText: string;
  imageData: string | null;
  tools: { name: string; schema: J }[];
  /** The earlier tool call in the history and the result linked to it (null when absent or unlinked). */
  priorCall: { name: string; args: unknown } | null;
  priorResult: string | null;
  reasoning: boolean;
  /** The JSON schema asked for, natively or through a forced tool. */
  schema: J | null;
  forcedTool: string | null;
  streamed: boolean;
}

const KNOWN: Record<Wire, Set<string>> = {
  openai: new Set(
    "model messages stream stream_options max_tokens max_completion_tokens temperature top_p stop seed tools tool_choice parallel_tool_calls response_format reasoning_effort user metadata frequency_penalty presence_penalty n logprobs top_logprobs modalities audio store service_tier prompt_cache_key safety_identifier verbosity logit_bias".split(
      " ",
    ),
  ),
  anthropic: new Set(
    "model messages system max_tokens stream temperature top_p top_k stop_sequences tools tool_choice thinking metadata output_format output_config service_tier".split(
      " ",
    ),
  ),
  gemini: new Set(
    "contents systemInstruction tools toolConfig generationConfig safetySettings cachedContent labels".split(
      " ",
    ),
  ),
  "openai-responses": new Set(
    "model input instructions stream max_output_tokens temperature top_p tools tool_choice parallel_tool_calls text reasoning user metadata store include previous_response_id truncation service_tier prompt_cache_key safety_identifier background top_logprobs".split(
      " ",
    ),
  ),
};

/** Checks the body; returns the problems found (empty when the real API would accept its shape). */
export function validate(wire: Wire, body: J, path: string): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(body)) if (!KNOWN[wire].has(key)) problems.push(`unknown field ${key}`);
  const need = (ok: unknown, what: string) => {
    if (!ok) problems.push(what);
  };
  switch (wire) {
    case "openai": {
      need(typeof body.model === "string", "model missing");
      need(Array.isArray(body.messages) && body.messages.length > 0, "messages missing");
      const ids = new Set<string>();
      for (const [i, m] of (body.messages ?? []).entries()) {
        need(
          ["system", "developer", "user", "assistant", "tool"].includes(m.role),
          `messages[${i}].role ${m.role}`,
        );
        for (const c of m.tool_calls ?? []) {
          need(
            c.type === "function" && typeof c.function?.arguments === "string",
            `messages[${i}] tool call shape`,
          );
          ids.add(c.id);
        }
        if (m.role === "tool")
          need(ids.has(m.tool_call_id), `messages[${i}] answers unknown call ${m.tool_call_id}`);
        need(
          typeof m.content === "string" || Array.isArray(m.content) || (m.content === null && m.tool_calls),
          `messages[${i}].content shape`,
        );
        if (Array.isArray(m.content))
          for (const p of m.content)
            need(
              ["text", "image_url", "input_audio", "file"].includes(p.type),
              `messages[${i}] part ${p.type}`,
            );
      }
      if (body.stream) need(body.stream_options?.include_usage === true, "stream without include_usage");
      break;
    }
    case "anthropic": {
      need(typeof body.model === "string", "model missing");
      need(typeof body.max_tokens === "number" && body.max_tokens > 0, "max_tokens missing");
      let prev = "";
      let lastToolUses = new Set<string>();
      for (const [i, m] of (body.messages ?? []).entries()) {
        need(m.role === "user" || m.role === "assistant", `messages[${i}].role ${m.role}`);
        need(m.role !== prev, `messages[${i}] repeats role ${m.role}`);
        if (i === 0) need(m.role === "user", "first message is not from the user");
        prev = m.role;
        const blocks = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
        need(Array.isArray(blocks), `messages[${i}].content shape`);
        let seenOther = false;
        const uses = new Set<string>();
        for (const b of blocks ?? []) {
          need(
            [
              "text",
              "image",
              "document",
              "tool_use",
              "tool_result",
              "thinking",
              "redacted_thinking",
            ].includes(b.type),
            `messages[${i}] block ${b.type}`,
          );
          if (b.type === "text")
            need(typeof b.text === "string" && b.text !== "", `messages[${i}] empty text block`);
          if (b.type === "tool_use") {
            need(typeof b.input === "object" && b.input !== null, `messages[${i}] tool_use input`);
            uses.add(b.id);
          }
          if (b.type === "tool_result") {
            need(!seenOther, `messages[${i}] tool_result after other content`);
            need(lastToolUses.has(b.tool_use_id), `messages[${i}] answers unknown tool_use ${b.tool_use_id}`);
          } else seenOther = true;
          if (b.type === "thinking")
            need(typeof b.signature === "string" && b.signature, `messages[${i}] unsigned thinking`);
        }
        lastToolUses = uses;
      }
      if (body.thinking?.type === "enabled")
        need(
          body.thinking.budget_tokens >= 1024 && body.thinking.budget_tokens < body.max_tokens,
          "thinking budget",
        );
      for (const t of body.tools ?? [])
        need(t.input_schema?.type === "object", `tool ${t.name} input_schema`);
      break;
    }
    case "gemini": {
      need(Array.isArray(body.contents) && body.contents.length > 0, "contents missing");
      let lastCalls = new Set<string>();
      for (const [i, c] of (body.contents ?? []).entries()) {
        need(c.role === "user" || c.role === "model", `contents[${i}].role ${c.role}`);
        const calls = new Set<string>();
        for (const p of c.parts ?? []) {
          const kinds = ["text", "inlineData", "fileData", "functionCall", "functionResponse"].filter(
            (k) => k in p,
          );
          need(kinds.length === 1, `contents[${i}] part with ${kinds.join("+") || "nothing"}`);
          if (p.functionCall) calls.add(p.functionCall.name);
          if (p.functionResponse)
            need(
              lastCalls.has(p.functionResponse.name),
              `contents[${i}] answers unknown call ${p.functionResponse.name}`,
            );
        }
        lastCalls = calls;
      }
      need(!/[?&]key=/.test(path), "key in the URL");
      break;
    }
    case "openai-responses": {
      need(typeof body.model === "string", "model missing");
      const ids = new Set<string>();
      for (const [i, item] of (Array.isArray(body.input) ? body.input : []).entries()) {
        const type = item.type ?? "message";
        need(
          ["message", "function_call", "function_call_output", "reasoning"].includes(type),
          `input[${i}] ${type}`,
        );
        if (type === "function_call") {
          need(typeof item.arguments === "string", `input[${i}] arguments`);
          ids.add(item.call_id);
        }
        if (type === "function_call_output")
          need(ids.has(item.call_id), `input[${i}] answers unknown call ${item.call_id}`);
      }
      break;
    }
  }
  return problems;
}

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((p: J) => (typeof p === "string" ? p : (p.text ?? ""))).join("")
      : "";

/** The essentials the matrix asserts about what the upstream received. */
export function readSeen(wire: Wire, body: J, path: string): Seen {
  const s: Seen = {
    system: "",
    userText: "",
    imageData: null,
    tools: [],
    priorCall: null,
    priorResult: null,
    reasoning: false,
    schema: null,
    forcedTool: null,
    streamed: false,
  };
  switch (wire) {
    case "openai": {
      const calls = new Map<string, { name: string; args: unknown }>();
      for (const m of body.messages) {
        if (m.role === "system" || m.role === "developer") s.system += textOf(m.content);
        if (m.role === "user") {
          s.userText += textOf(m.content);
          for (const p of Array.isArray(m.content) ? m.content : [])
            if (p.type === "image_url") s.imageData = p.image_url.url.split(",")[1] ?? p.image_url.url;
        }
        for (const c of m.tool_calls ?? [])
          calls.set(c.id, { name: c.function.name, args: JSON.parse(c.function.arguments) });
        if (m.role === "tool" && calls.has(m.tool_call_id)) {
          s.priorCall = calls.get(m.tool_call_id) ?? null;
          s.priorResult = textOf(m.content);
        }
      }
      s.tools = (body.tools ?? []).map((t: J) => ({ name: t.function.name, schema: t.function.parameters }));
      s.reasoning = typeof body.reasoning_effort === "string";
      if (body.response_format?.type === "json_schema") s.schema = body.response_format.json_schema?.schema;
      s.streamed = body.stream === true;
      break;
    }
    case "anthropic": {
      s.system = typeof body.system === "string" ? body.system : textOf(body.system);
      const calls = new Map<string, { name: string; args: unknown }>();
      for (const m of body.messages) {
        const blocks = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
        for (const b of blocks) {
          if (m.role === "user" && b.type === "text") s.userText += b.text;
          if (b.type === "image" && b.source?.type === "base64") s.imageData = b.source.data;
          if (b.type === "tool_use") calls.set(b.id, { name: b.name, args: b.input });
          if (b.type === "tool_result" && calls.has(b.tool_use_id)) {
            s.priorCall = calls.get(b.tool_use_id) ?? null;
            s.priorResult = textOf(b.content);
          }
        }
      }
      s.tools = (body.tools ?? []).map((t: J) => ({ name: t.name, schema: t.input_schema }));
      s.reasoning = body.thinking?.type === "enabled";
      const format = body.output_config?.format ?? body.output_format;
      if (format?.schema) s.schema = format.schema;
      if (body.tool_choice?.type === "tool") {
        s.forcedTool = body.tool_choice.name;
        const forced = s.tools.find((t) => t.name === s.forcedTool);
        if (forced && !s.schema) s.schema = forced.schema;
      }
      s.streamed = body.stream === true;
      break;
    }
    case "gemini": {
      s.system = textOf(body.systemInstruction?.parts);
      const calls = new Map<string, { name: string; args: unknown }>();
      for (const c of body.contents) {
        for (const p of c.parts) {
          if (c.role === "user" && typeof p.text === "string") s.userText += p.text;
          if (p.inlineData) s.imageData = p.inlineData.data;
          if (p.functionCall)
            calls.set(p.functionCall.name, { name: p.functionCall.name, args: p.functionCall.args });
          if (p.functionResponse && calls.has(p.functionResponse.name)) {
            s.priorCall = calls.get(p.functionResponse.name) ?? null;
            s.priorResult = JSON.stringify(p.functionResponse.response);
          }
        }
      }
      s.tools = (body.tools ?? []).flatMap((t: J) =>
        (t.functionDeclarations ?? []).map((f: J) => ({
          name: f.name,
          schema: f.parametersJsonSchema ?? f.parameters,
        })),
      );
      const g = body.generationConfig ?? {};
      s.reasoning =
        (g.thinkingConfig?.thinkingBudget ?? 0) > 0 || g.thinkingConfig?.thinkingLevel !== undefined;
      if (g.responseMimeType === "application/json")
        s.schema = g.responseJsonSchema ?? g.responseSchema ?? {};
      s.streamed = path.includes(":streamGenerateContent");
      break;
    }
    case "openai-responses": {
      s.system = body.instructions ?? "";
      const calls = new Map<string, { name: string; args: unknown }>();
      const items = typeof body.input === "string" ? [{ role: "user", content: body.input }] : body.input;
      for (const item of items) {
        const type = item.type ?? "message";
        if (type === "message" && (item.role === "system" || item.role === "developer"))
          s.system += textOf(item.content);
        if (type === "message" && item.role === "user") {
          s.userText += textOf(item.content);
          for (const p of Array.isArray(item.content) ? item.content : [])
            if (p.type === "input_image") s.imageData = String(p.image_url).split(",")[1] ?? p.image_url;
        }
        if (type === "function_call")
          calls.set(item.call_id, { name: item.name, args: JSON.parse(item.arguments) });
        if (type === "function_call_output" && calls.has(item.call_id)) {
          s.priorCall = calls.get(item.call_id) ?? null;
          s.priorResult = textOf(item.output);
        }
      }
      s.tools = (body.tools ?? []).map((t: J) => ({ name: t.name, schema: t.parameters }));
      s.reasoning = typeof body.reasoning?.effort === "string";
      if (body.text?.format?.type === "json_schema") s.schema = body.text.format.schema;
      s.streamed = body.stream === true;
      break;
    }
  }
  return s;
}
