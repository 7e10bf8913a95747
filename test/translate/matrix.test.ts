/**
 * The translation matrix: every client protocol × every upstream type × stream / non-stream × each
 * scenario, through the real gateway against a scripted upstream on 127.0.0.1. Each cell asserts what the
 * client received (in its own protocol, stream order checked), what the upstream received (validated
 * against that API's request shape), and the request record. Same-protocol cells exercise the pass-through.
 * With MATRIX_OUT set, the results are written there for scripts/translation-table.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { AUTH, type Gateway, startGateway } from "../helpers/gateway";
import { type Script, streamedAnswer, type Wire, wholeAnswer } from "./shapes/answers";
import { readStream, readWhole, type Received } from "./shapes/read";
import {
  ANSWER_SCHEMA,
  clientRequest,
  PNG_B64,
  PRIOR_CALL,
  type Scenario,
  SCENARIOS,
  scriptFor,
} from "./shapes/requests";
import { readSeen, validate } from "./shapes/upstream";

const WIRES: Wire[] = ["openai", "openai-responses", "anthropic", "gemini"];
type J = Record<string, any>;

interface Cell {
  client: Wire;
  upstream: Wire;
  stream: boolean;
  scenario: Scenario;
  ok: boolean;
  error?: string;
}
const results: Cell[] = [];

/** Cells that cannot exist, with the reason shown in the README table instead of a result. */
export const EXPLAINED: Partial<Record<`${Wire}:${Scenario}`, string>> = {};

interface Received_ {
  wire: Wire;
  path: string;
  body: J;
}
const seen = new Map<string, Received_>();

let up: ReturnType<typeof Bun.serve>;
let gw: Gateway;

function wireOf(path: string): Wire {
  if (path.endsWith("/chat/completions")) return "openai";
  if (path.endsWith("/responses")) return "openai-responses";
  if (path.endsWith("/messages")) return "anthropic";
  return "gemini";
}

/** The scripted answer, adapted as the real API would answer: Anthropic fills a forced tool's input. */
function scriptOf(wire: Wire, scenario: Scenario, body: J): Script {
  const script = scriptFor(scenario);
  if (wire === "anthropic" && scenario === "structured" && body.tool_choice?.type === "tool")
    return { toolCalls: [{ id: "toolu_json", name: body.tool_choice.name, args: { answer: 42 } }] };
  return script;
}

beforeAll(() => {
  up = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const wire = wireOf(url.pathname);
      const body = (await req.json()) as J;
      const model =
        wire === "gemini"
          ? decodeURIComponent((/\/models\/([^/:]+):/.exec(url.pathname) as RegExpExecArray)[1] as string)
          : (body.model as string);
      const [cell, scenario] = model.split("/") as [string, Scenario];
      seen.set(cell, { wire, path: url.pathname + url.search, body });
      const script = scriptOf(wire, scenario, body);
      const stream = wire === "gemini" ? url.pathname.includes(":stream") : body.stream === true;
      return stream
        ? new Response(streamedAnswer(wire, model, script), {
            headers: { "content-type": "text/event-stream" },
          })
        : Response.json(wholeAnswer(wire, model, script));
    },
  });
  gw = startGateway();
});

afterAll(async () => {
  await gw.stop();
  up.stop(true);
  if (process.env.MATRIX_OUT) writeFileSync(process.env.MATRIX_OUT, JSON.stringify(results, null, 1));
});

const CLIENT_FINISH: Record<Wire, { stop: string; tool: string }> = {
  openai: { stop: "stop", tool: "tool_calls" },
  anthropic: { stop: "end_turn", tool: "tool_use" },
  gemini: { stop: "STOP", tool: "STOP" },
  "openai-responses": { stop: "completed", tool: "completed" },
};

async function runCell(client: Wire, upstream: Wire, stream: boolean, scenario: Scenario): Promise<void> {
  const cell = `${client}-${upstream}-${stream ? "s" : "n"}-${scenario}`;
  const model = `m-${cell}`;
  gw.link({
    model,
    provider: `p-${upstream}`,
    type: upstream,
    baseUrl: `http://127.0.0.1:${up.port}`,
    providerModel: `${cell}/${scenario}`,
  });
  const { path, body } = clientRequest(client, scenario, model, stream);
  const res = await fetch(`${gw.url}${path}`, { method: "POST", headers: AUTH, body: JSON.stringify(body) });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("x-llmio-upstream-protocol")).toBe(upstream);

  // What the upstream received.
  const got = seen.get(cell);
  if (!got) throw new Error("the upstream saw no request");
  expect(got.wire).toBe(upstream);
  expect(validate(upstream, got.body, got.path)).toEqual([]);
  const s = readSeen(upstream, got.body, got.path);
  expect(s.streamed).toBe(stream);
  expect(s.system).toContain("Be brief.");
  expect(s.userText.length).toBeGreaterThan(0);
  if (scenario === "image") expect(s.imageData).toBe(PNG_B64);
  if (scenario === "tools") {
    expect(s.tools.map((t) => t.name)).toContain("get_weather");
    expect(s.tools[0]?.schema?.properties?.city?.type).toBe("string");
    expect(s.priorCall).toEqual({ name: PRIOR_CALL.name, args: PRIOR_CALL.args });
    expect(s.priorResult).toContain(PRIOR_CALL.result);
  }
  if (scenario === "reasoning") expect(s.reasoning).toBe(true);
  if (scenario === "structured")
    expect(s.schema?.properties?.answer?.type).toBe(ANSWER_SCHEMA.properties.answer.type);

  // What the client received.
  const r: Received = stream ? readStream(client, text) : readWhole(client, JSON.parse(text));
  const script = scriptFor(scenario);
  if (scenario === "tools") {
    expect(r.toolCalls).toHaveLength(1);
    expect(r.toolCalls[0]).toMatchObject({ name: "get_weather", args: { city: "Rome" } });
    if (client !== "gemini") expect(r.toolCalls[0]?.id).toBeTruthy();
    expect(r.text).toBe("");
    expect(r.finish).toBe(CLIENT_FINISH[client].tool);
  } else {
    expect(r.toolCalls).toEqual([]);
    expect(r.finish).toBe(CLIENT_FINISH[client].stop);
  }
  if (scenario === "structured") expect(JSON.parse(r.text)).toEqual({ answer: 42 });
  else if (script.text) expect(r.text).toBe(script.text);
  if (scenario === "reasoning") expect(r.thinking).toBe(script.thinking as string);
  else expect(r.thinking).toBe("");
  expect(r.usage).toMatchObject({ input: 20, cached: 8, output: 10 });

  // The record: both protocols, the same usage.
  await gw.flush();
  const log = gw.db
    .query("SELECT * FROM request_logs WHERE trace_id = ?")
    .get(res.headers.get("x-request-id")) as J | null;
  expect(log).toMatchObject({
    status: "success",
    style: client,
    upstream_type: upstream,
    input_tokens: 20,
    cached_tokens: 8,
    output_tokens: 10,
  });
}

for (const client of WIRES) {
  for (const upstream of WIRES) {
    describe(`${client} client → ${upstream} upstream`, () => {
      for (const stream of [false, true]) {
        for (const scenario of SCENARIOS) {
          const explained = EXPLAINED[`${client}:${scenario}`];
          if (explained) continue;
          it(`${stream ? "stream" : "whole"}: ${scenario}`, async () => {
            try {
              await runCell(client, upstream, stream, scenario);
              results.push({ client, upstream, stream, scenario, ok: true });
            } catch (err) {
              results.push({
                client,
                upstream,
                stream,
                scenario,
                ok: false,
                error: (err instanceof Error ? err.message : String(err)).slice(0, 300),
              });
              throw err;
            }
          });
        }
      }
    });
  }
}
