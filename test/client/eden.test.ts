import { afterAll, describe, expect, it } from "bun:test";
import { createClient } from "../../src/client";
import { TEST_TOKEN } from "../helpers/app";
import { startGateway } from "../helpers/gateway";

const gw = startGateway();
afterAll(() => gw.stop());

describe("typed admin client (src/client.ts)", () => {
  it("adds a provider, a model and a link over real HTTP, as the README's script does", async () => {
    const api = createClient(gw.url, TEST_TOKEN);
    const provider = await api.api.providers.post({
      name: "openai",
      type: "openai",
      base_url: "https://api.openai.com",
      api_key: "sk-test-0123456789abcdef",
    });
    expect(provider.status).toBe(201);
    const model = await api.api.models.post({ name: "gpt-4o-mini", remark: "cheap and fast" });
    expect(model.status).toBe(201);
    const link = await api.api["model-providers"].post({
      model_id: model.data!.id,
      provider_id: provider.data!.id,
      provider_model: "gpt-4o-mini",
      weight: 2,
    });
    expect(link.status).toBe(201);
    expect(link.data?.weight).toBe(2);
    // The proxy sees the new model at once: the admin API rebuilt the routing table.
    expect(gw.runtime.routes().get("gpt-4o-mini")?.links).toHaveLength(1);
  });

  it("reports a wrong token as a 401 error value, not a throw", async () => {
    const res = await createClient(gw.url, "wrong").api.providers.get();
    expect(res.status).toBe(401);
    expect(res.data).toBeNull();
  });
});
