/**
 * Codex's freeform apply_patch tool (a Responses `custom` tool, sent for gpt-5 model names) served by
 * upstreams without freeform tools: the tool goes out as a function taking one string (`input`, with its
 * grammar in the description), earlier custom calls and their outputs go out as function calls and
 * results, and the upstream's call comes back to Codex as a `custom_tool_call` whose input is the patch.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { AUTH, type Gateway, readSse, startGateway } from "../helpers/gateway";
import { streamedAnswer, type Wire, wholeAnswer } from "./shapes/answers";

type J = Record<string, any>;

const PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+Hello, world!\n*** End Patch\n";
const OLD_PATCH = "*** Begin Patch\n*** Add File: notes.md\n+# Notes\n*** End Patch\n";
const GRAMMAR =
  'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF\nend_patch: "*** End Patch" LF?';

/** A Codex turn with gpt-5 tools: shell as a function, apply_patch as a freeform tool, one patch already applied. */
const codexTurn = (stream: boolean) => ({
  model: "codex",
  stream,
  store: false,
  instructions: "You are Codex, a coding agent.",
  tools: [
    {
      type: "function",
      name: "shell",
      description: "Runs a shell command.",
      strict: false,
      parameters: { type: "object", properties: { command: { type: "array", items: { type: "string" } } } },
    },
    {
      type: "custom",
      name: "apply_patch",
      description: "Use the `apply_patch` tool to edit files.",
      format: { type: "grammar", syntax: "lark", definition: GRAMMAR },
    },
  ],
  tool_choice: "auto",
  parallel_tool_calls: false,
  include: ["reasoning.encrypted_content"],
  input: [
    {
      type: "message",
      role: "user",
      content: [{ type: "input_text", text: "Add notes, then a hello file." }],
    },
    {
      type: "custom_tool_call",
      id: "ctc_1",
      status: "completed",
      call_id: "call_notes",
      name: "apply_patch",
      input: OLD_PATCH,
    },
    { type: "custom_tool_call_output", call_id: "call_notes", output: "Success. Updated: A notes.md" },
  ],
});

let up: ReturnType<typeof Bun.serve>;
let gw: Gateway;
const seen = new Map<string, J>();

beforeAll(() => {
  up = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const body = (await req.json()) as J;
      const wire: Wire = url.pathname.endsWith("/chat/completions")
        ? "openai"
        : url.pathname.endsWith("/messages")
          ? "anthropic"
          : "gemini";
      seen.set(wire, body);
      const script = { toolCalls: [{ id: "call_hello", name: "apply_patch", args: { input: PATCH } }] };
      const stream = wire === "gemini" ? url.pathname.includes(":stream") : body.stream === true;
      return stream
        ? new Response(streamedAnswer(wire, "up", script), {
            headers: { "content-type": "text/event-stream" },
          })
        : Response.json(wholeAnswer(wire, "up", script));
    },
  });
  gw = startGateway();
  for (const type of ["openai", "anthropic", "gemini"] as const)
    gw.link({
      model: `codex-${type}`,
      provider: `p-${type}`,
      type,
      baseUrl: `http://127.0.0.1:${up.port}`,
      providerModel: "up",
    });
});
afterAll(async () => {
  await gw.stop();
  up.stop(true);
});

const send = (upstream: string, stream: boolean) =>
  fetch(`${gw.url}/v1/responses`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ ...codexTurn(stream), model: `codex-${upstream}` }),
  });

/** The apply_patch tool and the earlier patch as the upstream received them, in its protocol. */
function upstreamView(wire: Wire, body: J) {
  switch (wire) {
    case "openai": {
      const tool = body.tools.find((t: J) => t.function.name === "apply_patch").function;
      const call = body.messages.find((m: J) => m.tool_calls)?.tool_calls[0];
      const result = body.messages.find((m: J) => m.role === "tool");
      return {
        description: tool.description,
        parameters: tool.parameters,
        earlier: JSON.parse(call.function.arguments),
        linked: result.tool_call_id === call.id,
      };
    }
    case "anthropic": {
      const tool = body.tools.find((t: J) => t.name === "apply_patch");
      const call = body.messages[1].content[0];
      const result = body.messages[2].content[0];
      return {
        description: tool.description,
        parameters: tool.input_schema,
        earlier: call.input,
        linked: result.tool_use_id === call.id,
      };
    }
    default: {
      const tool = body.tools[0].functionDeclarations.find((t: J) => t.name === "apply_patch");
      const call = body.contents[1].parts[0].functionCall;
      const result = body.contents[2].parts[0].functionResponse;
      return {
        description: tool.description,
        parameters: tool.parametersJsonSchema,
        earlier: call.args,
        linked: result.name === call.name,
      };
    }
  }
}

describe.each(["openai", "anthropic", "gemini"] as const)(
  "Codex's apply_patch through a %s upstream",
  (wire) => {
    it("reaches the upstream as a function taking one string, with its grammar and the earlier patch", async () => {
      const res = await send(wire, false);
      expect(res.status).toBe(200);
      const view = upstreamView(wire, seen.get(wire) as J);
      expect(view.description).toStartWith("Use the `apply_patch` tool to edit files.");
      expect(view.description).toContain(GRAMMAR);
      expect(view.parameters).toMatchObject({
        type: "object",
        properties: { input: { type: "string" } },
        required: ["input"],
      });
      expect(view.earlier).toEqual({ input: OLD_PATCH });
      expect(view.linked).toBe(true);
    });

    it("comes back as a custom_tool_call whose input is the patch", async () => {
      const body = (await (await send(wire, false)).json()) as J;
      const calls = body.output.filter((item: J) => item.type !== "reasoning");
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        type: "custom_tool_call",
        name: "apply_patch",
        input: PATCH,
        status: "completed",
      });
      // Gemini gives its calls no ids: the gateway makes one (carrying the call's thought signature).
      expect(calls[0].call_id).toStartWith(wire === "gemini" ? "call_" : "call_hello");
      expect(body.status).toBe("completed");
    });

    it("streams as a custom_tool_call item: added, its input, done, and in response.completed", async () => {
      const res = await send(wire, true);
      expect(res.status).toBe(200);
      const events = (await readSse(res)).map((e) => JSON.parse(e.data) as J);
      const types = events.map((e) => e.type);
      expect(types).not.toContain("response.function_call_arguments.delta");
      const added = events.find(
        (e) => e.type === "response.output_item.added" && e.item.type !== "reasoning",
      );
      expect(added?.item).toMatchObject({ type: "custom_tool_call", name: "apply_patch", input: "" });
      const input = events
        .filter((e) => e.type === "response.custom_tool_call_input.delta")
        .map((e) => e.delta)
        .join("");
      expect(input).toBe(PATCH);
      expect(events.find((e) => e.type === "response.custom_tool_call_input.done")?.input).toBe(PATCH);
      const done = events.find((e) => e.type === "response.output_item.done" && e.item.type !== "reasoning");
      expect(done?.item).toMatchObject({ type: "custom_tool_call", name: "apply_patch", input: PATCH });
      const completed = events.at(-1) as J;
      expect(completed.type).toBe("response.completed");
      expect(completed.response.output.find((i: J) => i.type === "custom_tool_call")?.input).toBe(PATCH);
    });
  },
);
