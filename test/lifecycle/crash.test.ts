// SIGKILL under load: nothing is drained, yet the database opens cleanly and the next start serves.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type GatewayProcess, linkModel, startProcess, until } from "./support";

// Processes, Redis or PostgreSQL on a loaded machine: each test (and hook) gets its own time, with or
// without --timeout.
setDefaultTimeout(60_000);

let up: FakeUpstream;
const procs: GatewayProcess[] = [];
beforeAll(() => {
  up = startFakeUpstream({ "up-stream": { kind: "ok", chunks: 10, chunkDelayMs: 20 } });
});
afterAll(async () => {
  for (const p of procs) p.cleanup();
  await up.stop();
});

const chat = (url: string, stream: boolean) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ model: "m", stream, messages: [{ role: "user", content: "hi" }] }),
  })
    .then((r) => r.text())
    // The process is killed under the request: a broken connection is expected.
    .catch(() => "");

describe("SIGKILL under load", () => {
  it("leaves a database that opens cleanly, and the next start serves", async () => {
    const first = await startProcess();
    procs.push(first);
    await linkModel(first.url, up.url, "m", "up-stream");

    // Load: 8 clients in a loop, streams and whole answers, until the kill.
    let running = true;
    const clients = Array.from({ length: 8 }, async (_, i) => {
      while (running) await chat(first.url, i % 2 === 0);
    });
    // Killed while records are being written: some are in the database already, more are in flight.
    await until(() => first.logs().length >= 20, 30_000, "20 records written");
    first.child.proc.kill("SIGKILL");
    expect(await first.child.proc.exited).not.toBe(0);
    running = false;
    await Promise.all(clients);

    const db = new Database(first.dbPath);
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    const written = (db.query("SELECT COUNT(*) AS n FROM request_logs").get() as { n: number }).n;
    expect(written).toBeGreaterThanOrEqual(20);
    db.close();

    // The next start on the same folder and database: configuration intact, serving, recording.
    const second = await startProcess({}, first.dir);
    procs.push(second);
    const res = await fetch(`${second.url}/v1/chat/completions`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe("up-stream");
    expect(await second.child.stop("SIGTERM", 20_000)).toBe(0);
    expect(second.logs().length).toBe(written + 1);
  }, 120_000);
});
