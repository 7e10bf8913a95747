import { data, sse } from "../protocols/helpers";

/*
 * Recorded-shape bodies of a tool-using conversation in each protocol (a system prompt, a user turn with
 * an image, an assistant tool call, its result), for the body viewer.
 */

export const chatToolRequest = {
  model: "gpt-4.1",
  messages: [
    { role: "system", content: "You are a weather bot." },
    {
      role: "user",
      content: [
        { type: "text", text: "Weather in Paris? See photo." },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
      ],
    },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: '{"temp_c":18}' },
  ],
  tools: [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Current weather",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    },
  ],
  tool_choice: "auto",
  temperature: 0.2,
  stream: true,
};

export const chatReasoningTranscript = sse([
  data({
    model: "deepseek-r1",
    choices: [{ index: 0, delta: { role: "assistant", reasoning_content: "Think" } }],
  }),
  data({ model: "deepseek-r1", choices: [{ index: 0, delta: { reasoning_content: "ing…" } }] }),
  data({ model: "deepseek-r1", choices: [{ index: 0, delta: { content: "18 °C" } }] }),
  data({ model: "deepseek-r1", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
  "data: [DONE]",
]);

export const responsesToolRequest = {
  model: "gpt-5",
  instructions: "You are a weather bot.",
  input: [
    { role: "user", content: [{ type: "input_text", text: "Weather in Paris?" }] },
    { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Need the tool." }] },
    { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
    { type: "function_call_output", call_id: "call_1", output: '{"temp_c":18}' },
  ],
  tools: [
    { type: "function", name: "get_weather", description: "Current weather", parameters: { type: "object" } },
    { type: "web_search" },
  ],
  reasoning: { effort: "low" },
  max_output_tokens: 500,
};

export const responsesToolTranscript = sse([
  data(
    { type: "response.created", response: { model: "gpt-5", output: [], status: "in_progress" } },
    "response.created",
  ),
  data(
    { type: "response.reasoning_summary_text.delta", output_index: 0, delta: "Calling " },
    "response.reasoning_summary_text.delta",
  ),
  data(
    { type: "response.reasoning_summary_text.delta", output_index: 0, delta: "the tool." },
    "response.reasoning_summary_text.delta",
  ),
  data(
    {
      type: "response.output_item.added",
      output_index: 1,
      item: { type: "function_call", call_id: "call_9", name: "get_weather", arguments: "" },
    },
    "response.output_item.added",
  ),
  data(
    { type: "response.function_call_arguments.delta", output_index: 1, delta: '{"city":' },
    "response.function_call_arguments.delta",
  ),
  data(
    { type: "response.function_call_arguments.delta", output_index: 1, delta: '"Lyon"}' },
    "response.function_call_arguments.delta",
  ),
  data(
    {
      type: "response.completed",
      response: {
        model: "gpt-5-2025-08-07",
        status: "completed",
        output: [],
        usage: { input_tokens: 50, output_tokens: 20, total_tokens: 70 },
      },
    },
    "response.completed",
  ),
]);

export const anthropicToolRequest = {
  model: "claude-sonnet-4-5",
  max_tokens: 1024,
  system: "You are a weather bot.",
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "Weather in Paris?" },
        { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
      ],
    },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Use the tool.", signature: "sig" },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
      ],
    },
    {
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "18 °C", is_error: false }],
    },
  ],
  tools: [{ name: "get_weather", description: "Current weather", input_schema: { type: "object" } }],
  thinking: { type: "enabled", budget_tokens: 512 },
  stream: true,
};

export const anthropicToolTranscript = sse([
  data(
    {
      type: "message_start",
      message: { model: "claude-sonnet-4-5-20250929", usage: { input_tokens: 30, output_tokens: 1 } },
    },
    "message_start",
  ),
  data(
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    "content_block_start",
  ),
  data(
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking." } },
    "content_block_delta",
  ),
  data(
    {
      type: "content_block_start",
      index: 1,
      content_block: { type: "tool_use", id: "toolu_2", name: "get_weather", input: {} },
    },
    "content_block_start",
  ),
  data(
    { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city"' } },
    "content_block_delta",
  ),
  data(
    { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: ':"Nice"}' } },
    "content_block_delta",
  ),
  data(
    { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 40 } },
    "message_delta",
  ),
  data({ type: "message_stop" }, "message_stop"),
]);

export const geminiToolRequest = {
  systemInstruction: { parts: [{ text: "You are a weather bot." }] },
  contents: [
    {
      role: "user",
      parts: [{ text: "Weather in Paris?" }, { inlineData: { mimeType: "image/png", data: "iVBOR" } }],
    },
    { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] },
    { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { temp_c: 18 } } }] },
  ],
  tools: [
    {
      functionDeclarations: [
        { name: "get_weather", description: "Current weather", parameters: { type: "OBJECT" } },
      ],
    },
    { googleSearch: {} },
  ],
  generationConfig: { temperature: 0.3 },
};

/** Gemini's stream without `alt=sse`: one JSON array of chunks. */
export const geminiArrayStream = JSON.stringify([
  {
    candidates: [{ content: { role: "model", parts: [{ text: "Let me think.", thought: true }] } }],
    modelVersion: "gemini-2.5-pro",
  },
  {
    candidates: [
      {
        content: {
          role: "model",
          parts: [{ functionCall: { name: "get_weather", args: { city: "Rome" } } }],
        },
        finishReason: "STOP",
      },
    ],
    usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 5, totalTokenCount: 25 },
    modelVersion: "gemini-2.5-pro",
  },
]);
