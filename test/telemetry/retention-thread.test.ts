import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hourOf } from "../../src/storage/rollups";
import { insertRecords } from "../../src/storage/request-logs";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { chat, type Gateway, linkFour, startGateway } from "../helpers/gateway";
import { record } from "../helpers/records";
import { until } from "../lifecycle/support";

/*
 * Over a database file, retention deletes on the record writer's thread, one bounded chunk per message.
 * The writer's test hook holds its first delete the way a long delete would, until the test lets it go:
 * meanwhile the thread that proxies must answer.
 */

const DAY = 86_400_000;
const CHUNK = 500;
const OLD = 5_000;
const FRESH = 10;

const dir = mkdtempSync(join(tmpdir(), "llmio-retention-"));
const up = startFakeUpstream();
const gateways: Gateway[] = [];
afterAll(async () => {
  for (const gw of gateways) await gw.stop();
  await up.stop();
  rmSync(dir, { recursive: true, force: true });
});

const count = (gw: Gateway, sql: string, ...args: number[]) =>
  (gw.db.query(sql).get(...args) as { n: number }).n;

describe("log retention over a database file", () => {
  it("deletes old logs, their bodies and old rollups on the writer thread while requests are answered", async () => {
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const gw = startGateway({
      dbPath: join(dir, "retention.db"),
      config: { rollupRetentionDays: 30 },
      deps: { recordStore: { holdPrune: flags } },
    });
    gateways.push(gw);
    linkFour(gw, up.url);
    await gw.runtime.ready;
    const now = Date.now();
    insertRecords(gw.db, [
      ...Array.from({ length: OLD }, (_, i) => ({
        ...record(i),
        created_at: now - 31 * DAY - i,
        bodies: { request: "q", response: "a" },
      })),
      ...Array.from({ length: FRESH }, (_, i) => ({
        ...record(OLD + i),
        created_at: now - DAY,
        bodies: { request: "q", response: "a" },
      })),
    ]);
    await gw.runtime.retention.setDays(30);
    const edge = hourOf(now - 30 * DAY);
    expect(count(gw, "SELECT COUNT(*) AS n FROM request_rollups WHERE hour < ?", edge)).toBeGreaterThan(0);

    let finished = false;
    const run = gw.runtime.retention.runNow().then((r) => {
      finished = true;
      return r;
    });
    // The writer thread has deleted its first chunk and is held inside the retention run.
    await until(() => Atomics.load(flags, 0) === 1, 10_000, "the writer thread to start deleting");
    expect(count(gw, "SELECT COUNT(*) AS n FROM request_logs")).toBe(OLD + FRESH - CHUNK);

    const res = await chat(gw, "gpt-x");
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
    ).toBeString();
    // Answered while the delete is still held: the retention run has not ended.
    expect(Atomics.load(flags, 0)).toBe(1);
    expect(finished).toBe(false);

    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    expect(await run).toMatchObject({ days: 30, deleted: OLD });
    await gw.flush();
    // The fresh logs and the proxied request's (written after the held delete) stay; old bodies went.
    expect(count(gw, "SELECT COUNT(*) AS n FROM request_logs")).toBe(FRESH + 1);
    expect(count(gw, "SELECT COUNT(*) AS n FROM request_bodies")).toBe(FRESH);
    expect(count(gw, "SELECT COUNT(*) AS n FROM request_logs WHERE model = 'gpt-x'")).toBe(1);
    expect(count(gw, "SELECT COUNT(*) AS n FROM request_rollups WHERE hour < ?", edge)).toBe(0);
    expect(count(gw, "SELECT COUNT(*) AS n FROM request_rollups WHERE hour >= ?", edge)).toBeGreaterThan(0);
    expect(await gw.runtime.retention.lastRun()).toMatchObject({ days: 30, deleted: OLD });
  });
});
