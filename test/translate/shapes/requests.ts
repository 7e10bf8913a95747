/** Client requests of each matrix scenario, in each protocol's own shape (as the official SDKs send them). */
import type { Script, Wire } from "./answers";

export type Scenario = "text" | "tools" | "image" | "reasoning" | "structured";
export const SCENARIOS: Scenario[] = ["text", "tools", "image", "reasoning", "structured"];

/** A 1×1 PNG. */
export const PNG_B64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

export const WEATHER_SCHEMA = {
  type: "object",
  properties: { city: { type: "string", description: "City name" } },
  required: ["city"],
};
export const ANSWER_SCHEMA = {
  type: "object",
  properties: { answer: { type: "number" } },
  required: ["answer"],
  additionalProperties: false,
};

/** What the scripted upstream answers in each scenario. */
export function scriptFor(scenario: Scenario): Script {
  switch (scenario) {
    case "text":
      return { text: "Paris is the capital of France." };
    case "tools":
      return { toolCalls: [{ id: "call_rome", name: "get_weather", args: { city: "Rome" } }] };
    case "image":
      return { text: "A single grey pixel." };
    case "reasoning":
      return { thinking: "Six times seven is forty-two.", text: "42" };
    case "structured":
      return { text: '{"answer":42}' };
  }
}

/** The previous tool call and its result every "tools" request carries in its history. */
export const PRIOR_CALL = {
  id: "call_paris",
  name: "get_weather",
  args: { city: "Paris" },
  result: "18C and sunny",
};

export function clientRequest(
  wire: Wire,
  scenario: Scenario,
  model: string,
  stream: boolean,
): { path: string; body: Record<string, unknown> } {
  switch (wire) {
    case "openai":
      return { path: "/v1/chat/completions", body: openaiChat(scenario, model, stream) };
    case "openai-responses":
      return { path: "/v1/responses", body: responses(scenario, model, stream) };
    case "anthropic":
      return { path: "/v1/messages", body: anthropic(scenario, model, stream) };
    case "gemini":
      return {
        path: `/v1beta/models/${model}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`,
        body: gemini(scenario),
      };
  }
}

const QUESTION: Record<Scenario, string> = {
  text: "What is the capital of France?",
  tools: "What is the weather in Paris and in Rome?",
  image: "What is in this image?",
  reasoning: "What is 6 times 7?",
  structured: "Answer 6 times 7 as JSON.",
};

function openaiChat(scenario: Scenario, model: string, stream: boolean) {
  const messages: unknown[] = [{ role: "system", content: "Be brief." }];
  if (scenario === "image")
    messages.push({
      role: "user",
      content: [
        { type: "text", text: QUESTION.image },
        { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_B64}` } },
      ],
    });
  else messages.push({ role: "user", content: QUESTION[scenario] });
  if (scenario === "tools")
    messages.push(
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: PRIOR_CALL.id,
            type: "function",
            function: { name: PRIOR_CALL.name, arguments: JSON.stringify(PRIOR_CALL.args) },
          },
        ],
      },
      { role: "tool", tool_call_id: PRIOR_CALL.id, content: PRIOR_CALL.result },
    );
  return {
    model,
    messages,
    max_tokens: 1024,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    ...(scenario === "tools"
      ? {
          tools: [
            {
              type: "function",
              function: { name: "get_weather", description: "Weather of a city", parameters: WEATHER_SCHEMA },
            },
          ],
          tool_choice: "auto",
        }
      : {}),
    ...(scenario === "reasoning" ? { reasoning_effort: "high" } : {}),
    ...(scenario === "structured"
      ? {
          response_format: {
            type: "json_schema",
            json_schema: { name: "answer", schema: ANSWER_SCHEMA, strict: true },
          },
        }
      : {}),
  };
}

function responses(scenario: Scenario, model: string, stream: boolean) {
  const input: unknown[] = [];
  if (scenario === "image")
    input.push({
      role: "user",
      content: [
        { type: "input_text", text: QUESTION.image },
        { type: "input_image", image_url: `data:image/png;base64,${PNG_B64}`, detail: "auto" },
      ],
    });
  else input.push({ role: "user", content: [{ type: "input_text", text: QUESTION[scenario] }] });
  if (scenario === "tools")
    input.push(
      {
        type: "function_call",
        call_id: PRIOR_CALL.id,
        name: PRIOR_CALL.name,
        arguments: JSON.stringify(PRIOR_CALL.args),
      },
      { type: "function_call_output", call_id: PRIOR_CALL.id, output: PRIOR_CALL.result },
    );
  return {
    model,
    instructions: "Be brief.",
    input,
    max_output_tokens: 1024,
    ...(stream ? { stream: true } : {}),
    ...(scenario === "tools"
      ? {
          tools: [
            {
              type: "function",
              name: "get_weather",
              description: "Weather of a city",
              parameters: WEATHER_SCHEMA,
              strict: false,
            },
          ],
          tool_choice: "auto",
        }
      : {}),
    ...(scenario === "reasoning" ? { reasoning: { effort: "high", summary: "auto" } } : {}),
    ...(scenario === "structured"
      ? { text: { format: { type: "json_schema", name: "answer", schema: ANSWER_SCHEMA, strict: true } } }
      : {}),
  };
}

function anthropic(scenario: Scenario, model: string, stream: boolean) {
  const messages: unknown[] = [];
  if (scenario === "image")
    messages.push({
      role: "user",
      content: [
        { type: "text", text: QUESTION.image },
        { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_B64 } },
      ],
    });
  else messages.push({ role: "user", content: QUESTION[scenario] });
  if (scenario === "tools")
    messages.push(
      {
        role: "assistant",
        content: [{ type: "tool_use", id: PRIOR_CALL.id, name: PRIOR_CALL.name, input: PRIOR_CALL.args }],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: PRIOR_CALL.id, content: PRIOR_CALL.result }],
      },
    );
  return {
    model,
    system: "Be brief.",
    messages,
    max_tokens: 8192,
    ...(stream ? { stream: true } : {}),
    ...(scenario === "tools"
      ? {
          tools: [{ name: "get_weather", description: "Weather of a city", input_schema: WEATHER_SCHEMA }],
          tool_choice: { type: "auto" },
        }
      : {}),
    ...(scenario === "reasoning" ? { thinking: { type: "enabled", budget_tokens: 4096 } } : {}),
    ...(scenario === "structured" ? { output_format: { type: "json_schema", schema: ANSWER_SCHEMA } } : {}),
  };
}

function gemini(scenario: Scenario) {
  const parts: unknown[] = [{ text: QUESTION[scenario] }];
  if (scenario === "image") parts.push({ inlineData: { mimeType: "image/png", data: PNG_B64 } });
  const contents: unknown[] = [{ role: "user", parts }];
  if (scenario === "tools")
    contents.push(
      { role: "model", parts: [{ functionCall: { name: PRIOR_CALL.name, args: PRIOR_CALL.args } }] },
      {
        role: "user",
        parts: [{ functionResponse: { name: PRIOR_CALL.name, response: { result: PRIOR_CALL.result } } }],
      },
    );
  return {
    systemInstruction: { parts: [{ text: "Be brief." }] },
    contents,
    generationConfig: {
      maxOutputTokens: 1024,
      ...(scenario === "reasoning"
        ? { thinkingConfig: { thinkingBudget: 4096, includeThoughts: true } }
        : {}),
      ...(scenario === "structured"
        ? { responseMimeType: "application/json", responseJsonSchema: ANSWER_SCHEMA }
        : {}),
    },
    ...(scenario === "tools"
      ? {
          tools: [
            {
              functionDeclarations: [
                { name: "get_weather", description: "Weather of a city", parameters: WEATHER_SCHEMA },
              ],
            },
          ],
          toolConfig: { functionCallingConfig: { mode: "AUTO" } },
        }
      : {}),
  };
}
