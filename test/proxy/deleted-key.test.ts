import { afterAll, describe, expect, it } from "bun:test";
import type { Clock } from "../../src/core/clock";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { FOUR, linkFour, minimalRequest, startGateway, keysApi } from "../helpers/gateway";

type Json = Record<string, any>;

let offsetMs = 0;
const clock: Clock = { now: () => Date.now(), mono: () => performance.now() + offsetMs };
const up = startFakeUpstream();
const gw = startGateway({ deps: { clock } });
linkFour(gw, up.url);
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

const admin = (method: string, path: string, body?: unknown): Promise<Json> =>
  keysApi(gw, method, path, body);

function call(key: string) {
  const { path, body } = minimalRequest("openai", FOUR.openai.model, false);
  return fetch(gw.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("a deleted key's state", () => {
  it("does not pass to a key created after it (no id reuse)", async () => {
    const old = await admin("POST", "", { name: "old", rpm_limit: 1 });
    expect((await call(old.key)).status).toBe(200);
    await admin("DELETE", `/${old.id}`);
    const fresh = await admin("POST", "", { name: "fresh", rpm_limit: 1 });
    expect(fresh.id).not.toBe(old.id);
    // The new key's first request of the minute is admitted.
    expect((await call(fresh.key)).status).toBe(200);
  });
});
