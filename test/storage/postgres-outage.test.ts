import { afterEach, describe, expect, it, setDefaultTimeout } from "bun:test";
import { openPostgres } from "../../src/storage/postgres";
import { TEST_TOKEN } from "../helpers/app";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, chat, type Gateway, startGateway } from "../helpers/gateway";
import { ADMIN_URL, createTempDatabase, havePostgres, warnSkip } from "../helpers/postgres";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy";
import { until } from "../helpers/until";

// Processes, Redis or PostgreSQL on a loaded machine: each test (and hook) gets its own time, with or
// without --timeout.
setDefaultTimeout(60_000);

/*
 * PostgreSQL going away at runtime, through a TCP relay the test stops and starts: proxying carries on
 * from the loaded routing table, records wait in memory (within the recorder's bound) and land once the
 * database is back, and admin writes answer 503 meanwhile.
 */

warnSkip("the PostgreSQL outage test");

/** Polls `check` until it holds (or fails the test after `ms`). */
describe.skipIf(!havePostgres)("PostgreSQL unreachable at runtime", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("keeps proxying, buffers records and flushes them when it returns; admin writes answer 503 meanwhile", async () => {
    const db = await createTempDatabase();
    cleanups.push(() => db.drop());
    const relay: TcpProxy = startTcpProxy(Number(new URL(ADMIN_URL).port || 5432));
    cleanups.push(() => relay.stop());
    const via = new URL(db.url);
    via.port = String(relay.port);
    const storage = await openPostgres(via.toString(), 2);
    const up: FakeUpstream = startFakeUpstream();
    cleanups.push(() => up.server.stop(true));
    const gw: Gateway = startGateway({ deps: { storage }, config: { token: TEST_TOKEN } });
    cleanups.push(() => gw.stop());
    await gw.runtime.ready;
    const admin = (path: string, body: unknown) =>
      fetch(gw.url + path, { method: "POST", headers: AUTH, body: JSON.stringify(body) });

    const provider = (await (
      await admin("/api/providers", { name: "p", type: "openai", base_url: up.url, api_key: "k" })
    ).json()) as { id: number };
    const model = (await (await admin("/api/models", { name: "m" })).json()) as { id: number };
    expect(
      (
        await admin("/api/model-providers", {
          model_id: model.id,
          provider_id: provider.id,
          provider_model: "up",
        })
      ).status,
    ).toBe(201);
    expect((await chat(gw, "m")).status).toBe(200);
    await gw.flush();
    expect(gw.runtime.recorder.written).toBe(1);

    relay.stop();
    for (let i = 0; i < 5; i++) expect((await chat(gw, "m")).status).toBe(200);
    await gw.runtime.recorder.flush();
    expect(gw.runtime.recorder.waitingForStore).toBe(true);
    expect(gw.runtime.recorder.pending).toBe(5);
    expect(gw.runtime.recorder.failed).toBe(0);
    const refused = await admin("/api/models", { name: "n" });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: { code: "unavailable", message: "the database is unreachable; try again shortly" },
    });

    relay.start();
    await until(() => gw.runtime.recorder.written === 6, "the buffered records to be written", 20_000);
    const { written, failed, dropped } = gw.runtime.recorder;
    expect({ written, failed, dropped }).toEqual({ written: 6, failed: 0, dropped: 0 });
    expect(gw.runtime.recorder.dropped).toBe(0);
    const direct = await openPostgres(db.url, 1);
    cleanups.push(() => direct.close());
    const [row] = await direct.sql.unsafe("SELECT COUNT(*)::int AS n FROM request_logs");
    expect(row.n).toBe(6);
    expect((await admin("/api/models", { name: "n" })).status).toBe(201);
  }, 60_000);
});
