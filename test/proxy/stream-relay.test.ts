import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { chat, type Gateway, readSse, startGateway } from "../helpers/gateway";

let up: FakeUpstream;
let gw: Gateway;

beforeAll(() => {
  // A pause between chunks makes every SSE event arrive in its own read, as from a real model.
  up = startFakeUpstream({ paced: { kind: "ok", chunks: 4, chunkDelayMs: 2 } });
  gw = startGateway();
  gw.link({ model: "m", provider: "oa", type: "openai", baseUrl: up.url, providerModel: "paced" });
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

describe("stream relay", () => {
  it("finishes a stream whose usage-only chunk arrives alone and is hidden from the client", async () => {
    // A stream that stalls (the bug) fails here rather than at the test's timeout; 15 s is room for a slow machine.
    const res = await chat(gw, "m", { stream: true }, { signal: AbortSignal.timeout(15_000) });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe("[DONE]");
    expect(events.some((e) => e.data.includes('"usage"'))).toBe(false);
    await gw.flush();
    const log = gw.logs()[0] as { status: string; output_tokens: number };
    expect(log.status).toBe("success");
    expect(log.output_tokens).toBe(7);
  });
});
