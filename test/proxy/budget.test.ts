// Budgets are exact: spend is kept live per key (never re-read from a lagging snapshot), and requests in
// flight reserve their worst case, so neither reloads nor concurrency let a key spend past its budget by
// more than one request.
import { afterAll, describe, expect, it } from "bun:test";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, keysApi, startGateway } from "../helpers/gateway";
import { until } from "../helpers/until";

type Json = Record<string, any>;

// One call of the fake upstream answers 7 output tokens; at 6000 per 1M output tokens it costs 0.042.
const COST = 0.042;
const up = startFakeUpstream({
  "up-slow": { kind: "ok" },
  "up-paced": { kind: "ok", delayMs: 20 },
});
const gw = startGateway();
const priced = { output_price: 6000 };
const { link } = gw.link({
  model: "priced",
  provider: "oa",
  type: "openai",
  baseUrl: up.url,
  providerModel: "up-priced",
  link: priced,
});
gw.link({
  model: "slow",
  provider: "oa",
  type: "openai",
  baseUrl: up.url,
  providerModel: "up-slow",
  link: priced,
});
gw.link({
  model: "paced",
  provider: "oa",
  type: "openai",
  baseUrl: up.url,
  providerModel: "up-paced",
  link: priced,
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

async function createKey(body: Json): Promise<{ id: number; key: string }> {
  const created = await keysApi(gw, "POST", "", { name: "budgeted", ...body });
  return { id: created.id, key: created.key };
}

/** A chat call of `model` with a client key; `maxTokens` caps the output (and so the reservation). */
function call(key: string, model = "priced", maxTokens?: number): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model,
      messages: [{ role: "user", content: "hi" }],
      ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
    }),
  });
}

/** An admin write that makes the gateway rebuild its routing snapshot. */
async function adminWrite(n: number): Promise<void> {
  const res = await fetch(`${gw.url}/api/model-providers/${link.id}`, {
    method: "PUT",
    headers: AUTH,
    body: JSON.stringify({ weight: 1 + (n % 5) }),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

/**
 * Sends `n` calls of "slow" at once and answers their statuses and bodies. The upstream holds the admitted
 * ones until every other call has been answered, so they are all in flight together however slow the machine.
 */
async function concurrentSlowCalls(
  key: string,
  n: number,
  maxTokens?: number,
): Promise<{ status: number; text: string }[]> {
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  up.behaviors.set("up-slow", { kind: "ok", gate });
  const reachedBefore = up.seen.filter((s) => s.model === "up-slow").length;
  let answered = 0;
  const calls = Array.from({ length: n }, async () => {
    const res = await call(key, "slow", maxTokens);
    answered++;
    return { status: res.status, text: await res.text() };
  });
  const reached = () => up.seen.filter((s) => s.model === "up-slow").length - reachedBefore;
  await until(() => answered + reached() === n, "every call answered or held at the upstream");
  open();
  const answers = await Promise.all(calls);
  up.behaviors.set("up-slow", { kind: "ok" });
  return answers;
}

async function spentInDb(id: number): Promise<number> {
  await gw.flush();
  return (await keysApi(gw, "GET", `/${id}`)).spent as number;
}

describe("budget", () => {
  it("survives a configuration reload right after a request (the writer has not stored it yet)", async () => {
    const { id, key } = await createKey({ budget: 0.05 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await call(key);
      statuses.push(res.status);
      await res.arrayBuffer();
      // One admin change after the 2nd request: the rebuilt snapshot reads a `spent` the writer lags behind.
      if (i === 1) await adminWrite(i);
    }
    // 0 and 0.042 are under 0.05; 0.084 is not.
    expect(statuses).toEqual([200, 200, 403, 403, 403, 403]);
    expect(await spentInDb(id)).toBeCloseTo(2 * COST, 9);
    // A reload after the writer caught up changes nothing either.
    gw.runtime.reload();
    expect((await call(key)).status).toBe(403);
  });

  it("stays exact under admin writes every few ms during many concurrent requests", async () => {
    const budget = 0.5;
    const { id, key } = await createKey({ budget });
    let writes = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await adminWrite(writes++);
        await Bun.sleep(3);
      }
    })();
    let admitted = 0;
    let refused = 0;
    const worker = async () => {
      for (let i = 0; i < 1000; i++) {
        const res = await call(key, "paced", 7);
        await res.arrayBuffer();
        if (res.status === 200) admitted++;
        else if (res.status === 429)
          continue; // the rest of the budget is reserved by requests in flight
        else {
          expect(res.status).toBe(403);
          refused++;
          return;
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    writing = false;
    await writer;
    expect(writes).toBeGreaterThan(5);
    expect(refused).toBe(4);
    // Admitted while spend + reservations < 0.5: 11 × 0.042 = 0.462 admits the 12th, 12 × 0.042 does not.
    expect(admitted).toBe(12);
    const spent = await spentInDb(id);
    expect(spent).toBeCloseTo(12 * COST, 9);
    expect(spent).toBeLessThan(budget + COST);
  }, 20_000);

  it("admits at most as many concurrent requests as the budget allows", async () => {
    const { id, key } = await createKey({ budget: 2 * COST });
    const results = (await concurrentSlowCalls(key, 10, 7)).map((a) => a.status);
    expect(results.filter((s) => s === 200)).toHaveLength(2);
    // The others were told to come back (the budget was held by requests in flight), none reached upstream.
    expect(results.filter((s) => s === 429)).toHaveLength(8);
    expect(up.seen.filter((s) => s.model === "up-slow")).toHaveLength(2);
    expect(await spentInDb(id)).toBeCloseTo(2 * COST, 9);
    expect((await call(key, "slow", 7)).status).toBe(403);
  });

  it("reserves the default output allowance when a request sets no max_tokens", async () => {
    // 4096 default output tokens at 6000 per 1M reserve ~24.6: a budget of 1 fits one such request at a time.
    const { key } = await createKey({ budget: 1 });
    const results = (await concurrentSlowCalls(key, 3)).map((a) => a.status);
    expect(results.toSorted()).toEqual([200, 429, 429]);
  });
});

describe("tpm_limit", () => {
  it("holds the reserved tokens of requests in flight, then counts the real ones", async () => {
    // A call reserves ~75 body bytes / 2 + 7 output tokens (≈45), more than the limit of 40 left beside it;
    // it settles to the 22 tokens the fake upstream reports.
    const { key } = await createKey({ tpm_limit: 40 });
    const answers = await concurrentSlowCalls(key, 4, 7);
    expect(answers.map((a) => a.status).toSorted()).toEqual([200, 429, 429, 429]);
    const refused = answers.find((a) => a.status === 429) as { text: string };
    expect((JSON.parse(refused.text) as Json).error.message).toContain("in flight");
    // Settled: 22 of 40 used, so one more fits; then 44 ≥ 40.
    expect((await call(key, "slow", 7)).status).toBe(200);
    expect((await call(key, "slow", 7)).status).toBe(429);
  });
});
