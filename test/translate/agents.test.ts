/**
 * Real coding agents end to end through the gateway, each running a whole tool loop against a scripted
 * upstream of another protocol: turn 1 the upstream asks for a shell command that writes a file, the agent
 * runs it for real, sends the result back, and the upstream answers with final text once it sees that
 * result in its own protocol's shape. Claude Code speaks Anthropic Messages to the gateway, Codex speaks
 * OpenAI Responses; the gateway translates both ways. The same-protocol runs are the baseline
 * (pass-through): when a cross-protocol run fails and its baseline passes, translation is at fault.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { agentRunnable, runClaude, runCodex } from "../helpers/agents";
import { addKey, startGateway } from "../helpers/gateway";
import {
  type ScriptedUpstream,
  startScriptedUpstream,
  type Turn,
  ENCRYPTED_REASONING,
  THINKING_SIGNATURE,
  THOUGHT_SIGNATURE,
  toolLoop,
  type WireStyle,
} from "../helpers/scripted-upstream";

const AGENT_TIMEOUT = 120_000;
const THINKING = "The task needs the shell: write the marker with one command.";
const MODEL = "agent-model";

/** A gateway with `MODEL` linked to a fresh scripted upstream of `type`, and a client key. */
function setup(type: WireStyle, script: Parameters<typeof startScriptedUpstream>[0]) {
  const up = startScriptedUpstream(script);
  const gw = startGateway();
  gw.link({ model: MODEL, provider: `up-${type}`, type, baseUrl: up.url, providerModel: `upstream-${type}` });
  const { key } = addKey(gw, { name: "agent" });
  return {
    up,
    gw,
    key,
    stop: async () => {
      await gw.stop();
      await up.stop();
    },
  };
}

/** The request that carried the tool result back, and the call it answers. */
function resultTurn(up: ScriptedUpstream): { turn: Turn; call: ScriptedUpstream["calls"][number] } {
  const call = up.calls[0];
  expect(call).toBeDefined();
  const turn = up.turns.find((t) => t.toolResults.length > 0);
  expect(turn).toBeDefined();
  return { turn: turn as Turn, call: call as ScriptedUpstream["calls"][number] };
}

/**
 * Asserts the tool result reached the upstream in `style`'s own shape, linked to the call it answers, and,
 * when `thinkingBack`, the upstream's own signed reasoning returned with the call (Anthropic, Responses;
 * Gemini's thought signature is always required).
 */
function expectToolResultShape(
  up: ScriptedUpstream,
  style: WireStyle,
  marker: string,
  thinkingBack: boolean,
): void {
  const { turn, call } = resultTurn(up);
  const b = turn.body;
  switch (style) {
    case "openai": {
      const assistant = b.messages.find((m: any) => m.role === "assistant" && m.tool_calls?.length);
      expect(assistant.tool_calls[0]).toMatchObject({
        id: call.id,
        type: "function",
        function: { name: call.name },
      });
      expect(JSON.parse(assistant.tool_calls[0].function.arguments)).toEqual(JSON.parse(call.args));
      const tool = b.messages.find((m: any) => m.role === "tool");
      expect(tool.tool_call_id).toBe(call.id);
      expect(typeof tool.content === "string" || Array.isArray(tool.content)).toBe(true);
      break;
    }
    case "anthropic": {
      const assistant = b.messages.find(
        (m: any) =>
          m.role === "assistant" &&
          Array.isArray(m.content) &&
          m.content.some((c: any) => c.type === "tool_use"),
      );
      const use = assistant.content.find((c: any) => c.type === "tool_use");
      if (thinkingBack) {
        // Anthropic wants the signed thinking of a tool-use turn back, before the tool_use.
        const thinking = assistant.content.find((c: any) => c.type === "thinking");
        expect(thinking).toMatchObject({ thinking: THINKING, signature: THINKING_SIGNATURE });
        expect(assistant.content.indexOf(thinking)).toBeLessThan(assistant.content.indexOf(use));
      }
      expect(use).toMatchObject({ id: call.id, name: call.name, input: JSON.parse(call.args) });
      const user = b.messages.find(
        (m: any) =>
          m.role === "user" &&
          Array.isArray(m.content) &&
          m.content.some((c: any) => c.type === "tool_result"),
      );
      expect(user.content.find((c: any) => c.type === "tool_result").tool_use_id).toBe(call.id);
      break;
    }
    case "gemini": {
      const model = b.contents.find(
        (c: any) => c.role === "model" && c.parts.some((p: any) => p.functionCall),
      );
      const part = model.parts.find((p: any) => p.functionCall);
      expect(part.functionCall).toMatchObject({ name: call.name, args: JSON.parse(call.args) });
      // Gemini requires the thought signature of a function call back on the next turn.
      expect(part.thoughtSignature).toBe(THOUGHT_SIGNATURE);
      const user = b.contents.find(
        (c: any) => c.role === "user" && c.parts.some((p: any) => p.functionResponse),
      );
      const fr = user.parts.find((p: any) => p.functionResponse).functionResponse;
      expect(fr.name).toBe(call.name);
      expect(typeof fr.response).toBe("object");
      break;
    }
    case "openai-responses": {
      if (thinkingBack) {
        // The reasoning item, with its encrypted content, comes back before the call it led to.
        const reasoning = b.input.find((i: any) => i.type === "reasoning");
        expect(reasoning?.encrypted_content).toBe(ENCRYPTED_REASONING);
        expect(b.input.indexOf(reasoning)).toBeLessThan(
          b.input.findIndex((i: any) => i.type === "function_call"),
        );
      }
      const fc = b.input.find((i: any) => i.type === "function_call");
      expect(fc).toMatchObject({ call_id: call.id, name: call.name });
      const out = b.input.find((i: any) => i.type === "function_call_output");
      expect(out.call_id).toBe(call.id);
      break;
    }
  }
  // The command's output (it prints the marker it writes) came back as the result.
  expect(turn.toolResults[0]?.content).toContain(marker);
}

/**
 * Awaits an agent's run and asserts what every agent test asks of it: a clean exit, the marker written by its
 * shell tool, the final answer printed without the upstream's thinking, `tool` as the first call, the tool
 * result in the upstream's own shape, and every turn in the upstream's own protocol.
 */
async function expectAgentRun(
  run: ReturnType<typeof runClaude>,
  env: ReturnType<typeof setup>,
  expected: { type: WireStyle; marker: string; final: string; tool: string; thinkingBack: boolean },
): Promise<void> {
  const r = await run;
  try {
    const diag = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr.slice(-2000)}`;
    expect(r.code, diag).toBe(0);
    expect(readFileSync(join(r.work, "result.txt"), "utf8")).toBe(`${expected.marker}\n`);
    expect(r.stdout).toContain(expected.final);
    expect(r.stdout).not.toContain(THINKING);
    expect(env.up.calls[0]?.name).toBe(expected.tool);
    expectToolResultShape(env.up, expected.type, expected.marker, expected.thinkingBack);
    // Every request reached the upstream in its own protocol.
    expect(env.up.turns.every((t) => t.style === expected.type)).toBe(true);
  } finally {
    run.dirs.cleanup();
  }
}

const claude = agentRunnable("claude");
const codex = agentRunnable("codex");
if (!claude.ok) console.warn(`skipping the Claude Code agent tests: ${claude.reason}`);
if (!codex.ok) console.warn(`skipping the Codex agent tests: ${codex.reason}`);

describe.skipIf(!claude.ok).each([
  ["an OpenAI-chat upstream", "openai"],
  ["a Gemini upstream", "gemini"],
  ["a Responses upstream", "openai-responses"],
  ["an Anthropic upstream (pass-through baseline)", "anthropic"],
] as const)("Claude Code through the gateway to %s", (_name, type) => {
  const marker = `claude-via-${type}`;
  const final = `FINAL: the file holds ${marker}`;
  const env = setup(
    type,
    toolLoop({
      tool: "Bash",
      args: { command: `printf '%s\\n' ${marker} | tee result.txt`, description: "Write result.txt" },
      finalText: final,
      thinking: THINKING,
    }),
  );
  afterAll(env.stop);

  it(
    "runs the upstream's Bash tool call, sends its result back, and prints the final answer",
    async () => {
      const run = runClaude({
        baseUrl: env.gw.url,
        key: env.key,
        model: MODEL,
        prompt: "Write the marker into result.txt with the shell, then say what the file holds.",
        tools: ["Bash", "Write", "Read"],
        timeoutMs: AGENT_TIMEOUT - 5_000,
      });
      // Claude Code itself sends no thinking of earlier turns back (not even over its own protocol).
      await expectAgentRun(run, env, { type, marker, final, tool: "Bash", thinkingBack: false });
    },
    AGENT_TIMEOUT,
  );
});

describe.skipIf(!codex.ok).each([
  ["an OpenAI-chat upstream", "openai"],
  ["an Anthropic upstream", "anthropic"],
  ["a Gemini upstream", "gemini"],
  ["an OpenAI Responses upstream (pass-through baseline)", "openai-responses"],
] as const)("Codex through the gateway to %s", (_name, type) => {
  const marker = `codex-via-${type}`;
  const final = `FINAL: the file holds ${marker}`;
  const env = setup(
    type,
    toolLoop({
      tool: "exec_command",
      args: { cmd: `printf '%s\\n' ${marker} | tee result.txt` },
      finalText: final,
      thinking: THINKING,
    }),
  );
  afterAll(env.stop);

  it(
    "runs the upstream's exec_command call, sends its output back, and prints the final answer",
    async () => {
      const run = runCodex({
        baseUrl: env.gw.url,
        key: env.key,
        model: MODEL,
        prompt: "Write the marker into result.txt with the shell, then say what the file holds.",
        timeoutMs: AGENT_TIMEOUT - 5_000,
      });
      // Codex keeps reasoning items (with encrypted content) and sends them back with the call.
      await expectAgentRun(run, env, { type, marker, final, tool: "exec_command", thinkingBack: true });
    },
    AGENT_TIMEOUT,
  );
});
