// A key's spend and budget are in the key's currency: costs of links priced in the other currency are
// converted at the admin's rate (setting usd_cny_rate), never added as if they were the same money.
import { afterAll, describe, expect, it } from "bun:test";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, keysApi, startGateway } from "../helpers/gateway";

// One call of the fake upstream answers 7 output tokens: at 1e6 per 1M output tokens it costs 7 (¥7 here).
const up = startFakeUpstream();
const gw = startGateway();
gw.link({
  model: "yuan",
  provider: "cn",
  type: "openai",
  baseUrl: up.url,
  providerModel: "up-cny",
  link: { output_price: 1e6, currency: "CNY" },
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

const call = (key: string) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "yuan", max_tokens: 7, messages: [{ role: "user", content: "hi" }] }),
  });

async function setRate(rate: number) {
  const res = await fetch(`${gw.url}/api/keys/exchange-rate`, {
    method: "PUT",
    headers: AUTH,
    body: JSON.stringify({ usd_cny_rate: rate }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { usd_cny_rate: number; is_default: boolean };
}

describe("key spend across currencies", () => {
  it("answers the default rate until the admin sets one, and refuses a rate of zero", async () => {
    const before = await (await fetch(`${gw.url}/api/keys/exchange-rate`, { headers: AUTH })).json();
    expect(before).toEqual({ usd_cny_rate: 7.2, is_default: true });
    expect(await setRate(7)).toEqual({ usd_cny_rate: 7, is_default: false });
    const bad = await fetch(`${gw.url}/api/keys/exchange-rate`, {
      method: "PUT",
      headers: AUTH,
      body: JSON.stringify({ usd_cny_rate: 0 }),
    });
    expect(bad.status).toBe(422);
  });

  it("counts a CNY cost in a USD key as dollars at the rate, and enforces the budget on that", async () => {
    await setRate(7);
    const { id, key } = await keysApi(gw, "POST", "", { name: "usd", budget: 2, currency: "USD" });
    // ¥7 = $1 per call: two calls spend the $2 budget; summed as one currency it would have been 14.
    expect((await call(key)).status).toBe(200);
    await gw.flush();
    expect((await keysApi(gw, "GET", `/${id}`)).spent).toBeCloseTo(1, 9);
    expect((await call(key)).status).toBe(200);
    await gw.flush();
    expect((await keysApi(gw, "GET", `/${id}`)).spent).toBeCloseTo(2, 9);
    const refused = await call(key);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("of its 2 USD");
  });

  it("keeps a CNY key's spend in yuan, and converts it when the key's currency changes", async () => {
    await setRate(7);
    const { id, key } = await keysApi(gw, "POST", "", { name: "cny", currency: "CNY" });
    expect((await call(key)).status).toBe(200);
    await gw.flush();
    expect((await keysApi(gw, "GET", `/${id}`)).spent).toBeCloseTo(7, 9);
    const changed = await keysApi(gw, "PUT", `/${id}`, { currency: "USD", budget: 1.5 });
    expect(changed.spent).toBeCloseTo(1, 9);
    // $1 spent of $1.50: one more call ($1) is admitted, the one after is refused.
    expect((await call(key)).status).toBe(200);
    expect((await call(key)).status).toBe(403);
  });
});
