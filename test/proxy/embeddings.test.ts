import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type Gateway, startGateway } from "../helpers/gateway";
import { TEST_TOKEN } from "../helpers/app";

let up: FakeUpstream;
let gw: Gateway;
beforeAll(() => {
  up = startFakeUpstream({ "emb-down": { kind: "status", status: 500 } });
  gw = startGateway();
  gw.link({
    model: "embed",
    provider: "p",
    type: "openai",
    baseUrl: up.url,
    providerModel: "emb-down",
    priority: 9,
    modelOptions: { strategy: "priority" },
    link: { input_price: 0.1 },
  });
  gw.link({
    model: "embed",
    provider: "q",
    type: "openai",
    baseUrl: up.url,
    providerModel: "emb-up",
    priority: 1,
    link: { input_price: 0.1 },
  });
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

describe("/v1/embeddings", () => {
  it("routes with failover, rewrites the model and records the input tokens", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: TEST_TOKEN, maxRetries: 0 });
    const res = await client.embeddings.create({ model: "embed", input: ["a", "b"] });
    expect(res.data).toHaveLength(2);
    expect(res.model).toBe("emb-up");
    expect(up.seen.at(-1)?.path).toBe("/v1/embeddings");
    expect(up.seen.at(-1)?.body.model).toBe("emb-up");
    await gw.flush();
    const log = gw.logs()[0] as Record<string, unknown>;
    expect(log).toMatchObject({
      status: "success",
      provider_name: "q",
      input_tokens: 10,
      output_tokens: 0,
      total_tokens: 10,
    });
    expect(log.cost).toBeCloseTo((10 * 0.1) / 1e6, 12);
    expect(JSON.parse(log.attempts as string)).toHaveLength(1);
  });

  it("works under /openai/v1 too", async () => {
    const res = await fetch(`${gw.url}/openai/v1/embeddings`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({ model: "embed", input: "hi" }),
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ["no input", { model: "embed" }, "input"],
    ["an empty input array", { model: "embed", input: [] }, "input"],
    ["no model", { input: "x" }, "model"],
  ])("answers 400 in OpenAI's shape for %s", async (_name, body, param) => {
    const res = await fetch(`${gw.url}/v1/embeddings`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { message: string; param?: string } };
    expect(err.error.message).toContain(param);
  });

  it("answers 404 for an unknown model", async () => {
    const res = await fetch(`${gw.url}/v1/embeddings`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({ model: "nope", input: "x" }),
    });
    expect(res.status).toBe(404);
  });
});
