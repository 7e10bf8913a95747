import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkerReaderOptions } from "../../src/telemetry/analytics";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { middayClock } from "../helpers/clock";
import { AUTH, chat, type Gateway, linkFour, startGateway } from "../helpers/gateway";
import { until } from "../helpers/until";

/*
 * Over a database file, every console report (dashboard metrics, log pages) runs on the analytics thread
 * with a read-only connection of its own. The test hook `hold` occupies that thread the way a long report
 * would, until the test lets it go.
 */

const dir = mkdtempSync(join(tmpdir(), "llmio-analytics-"));
const up = startFakeUpstream();
const gateways: Gateway[] = [];
let n = 0;
function gateway(analytics: Partial<WorkerReaderOptions> = {}) {
  const gw = startGateway({
    dbPath: join(dir, `g${++n}.db`),
    // "Today" (metrics/use/1) holds every request, whatever the hour of the run.
    deps: { analytics: { testHooks: true, ...analytics }, clock: middayClock() },
  });
  linkFour(gw, up.url);
  gateways.push(gw);
  return gw;
}
afterAll(async () => {
  for (const gw of gateways) await gw.stop();
  await up.stop();
  rmSync(dir, { recursive: true, force: true });
});

const report = (gw: Gateway, path: string) => fetch(`${gw.url}/api${path}`, { headers: AUTH });

/** Occupies the gateway's analytics thread; resolves once it is held. */
async function hold(gw: Gateway) {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const hook = gw.runtime.analytics.hold;
  if (!hook) throw new Error("the analytics reader of a database file has no hold hook");
  const done = hook(flags).catch(() => {});
  await until(() => Atomics.load(flags, 0) === 1, "the analytics thread to be held");
  return {
    flags,
    held: () => Atomics.load(flags, 0) === 1,
    release: async () => {
      Atomics.store(flags, 1, 1);
      Atomics.notify(flags, 1);
      await done;
    },
  };
}

describe("console reports on a database file", () => {
  it("answer metrics and log pages from the analytics thread", async () => {
    const gw = gateway();
    for (let i = 0; i < 3; i++) expect((await chat(gw, "gpt-x")).status).toBe(200);
    await gw.flush();
    const use = (await (await report(gw, "/metrics/use/1")).json()) as { reqs: number; tokens: number };
    expect(use.reqs).toBe(3);
    const logs = (await (await report(gw, "/logs?page_size=2")).json()) as {
      data: { id: number }[];
      total: number;
      total_exact: boolean;
    };
    expect(logs).toMatchObject({ total: 3, total_exact: true });
    const one = await report(gw, `/logs/${logs.data[0]?.id}`);
    expect(one.status).toBe(200);
    expect((await report(gw, "/logs/99999")).status).toBe(404);
  });

  it("never delay a proxied request while a report is running", async () => {
    const gw = gateway();
    const h = await hold(gw);
    let answered = false;
    const dashboard = report(gw, "/metrics/series?bucket=day&days=30").then((r) => {
      answered = true;
      return r;
    });
    // The proxied request completes while the report is still held on the analytics thread.
    const res = await chat(gw, "gpt-x");
    expect(res.status).toBe(200);
    expect(h.held()).toBe(true);
    expect(answered).toBe(false);
    await h.release();
    expect((await dashboard).status).toBe(200);
  });

  it("answer 504 with a JSON error when a report runs past the timeout, then recover", async () => {
    // The held report times out whatever the bound; the fresh thread's first report gets 1 s on a loaded machine.
    const gw = gateway({ timeoutMs: 1000 });
    const h = await hold(gw);
    const res = await report(gw, "/metrics/use/30");
    expect(h.held()).toBe(true);
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    await h.release();
    // The stuck thread was dropped; the next report gets a fresh one.
    expect((await report(gw, "/metrics/use/30")).status).toBe(200);
  });

  it("answer 503 at once when too many reports are waiting", async () => {
    const gw = gateway({ maxPending: 2 });
    const h = await hold(gw);
    const queued = report(gw, "/metrics/counts");
    const refused = await report(gw, "/logs");
    expect(refused.status).toBe(503);
    expect(h.held()).toBe(true);
    await h.release();
    expect((await queued).status).toBe(200);
  });

  it("run identical dashboard reports asked together once", async () => {
    // Room for one report besides the hold: a second identical one must share it, not queue (503).
    const gw = gateway({ maxPending: 2 });
    const h = await hold(gw);
    const first = report(gw, "/metrics/use/30?tz_offset_min=60");
    const second = report(gw, "/metrics/use/30?tz_offset_min=60");
    const other = await report(gw, "/metrics/use/30?tz_offset_min=120");
    expect(other.status).toBe(503);
    await h.release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await a.json()).toEqual(await b.json());
  });
});
