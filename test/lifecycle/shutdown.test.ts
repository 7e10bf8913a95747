// SIGTERM on the real process: readiness turns 503 at once, new requests are refused in their protocol,
// streams in flight finish within SHUTDOWN_GRACE_S or end with their protocol's error event, every record
// is written, and the process exits 0.
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type GatewayProcess, linkModel, openStream, startProcess, until } from "./support";

// Processes, Redis or PostgreSQL on a loaded machine: each test (and hook) gets its own time, with or
// without --timeout.
setDefaultTimeout(60_000);

let up: FakeUpstream;
const procs: GatewayProcess[] = [];

beforeAll(() => {
  up = startFakeUpstream({
    // ~12 s of stream: far past a 3 s grace.
    "up-long": { kind: "ok", chunks: 40, chunkDelayMs: 300 },
    // ~3 s of stream: well within a 20 s grace, and long enough to see readiness turn 503 before it ends
    // (the process exits once it has).
    "up-short": { kind: "ok", chunks: 10, chunkDelayMs: 300 },
    // ~0.2 s of stream: well within a 3 s grace, even on a loaded machine.
    "up-quick": { kind: "ok", chunks: 3, chunkDelayMs: 100 },
  });
});
afterAll(async () => {
  for (const p of procs) p.cleanup();
  await up.stop();
});

async function gateway(graceS: number): Promise<GatewayProcess> {
  const p = await startProcess({ SHUTDOWN_GRACE_S: String(graceS), LOG_LEVEL: "info" });
  procs.push(p);
  return p;
}

/**
 * The grace of the test that outlasts it: the quick streams must end within it and the refused request must
 * arrive while the process still listens, both on a loaded machine.
 */
const GRACE_S = 3;
/** How long the process gets to exit after SIGTERM: the grace, the final flush and room for a slow machine. */
const EXIT_MS = 20_000;

const ready = (url: string) => fetch(`${url}/readyz`).then((r) => r.status);

describe("SIGTERM", () => {
  it("past the grace: ends the streams left with the protocol's error event, records every one, exits 0", async () => {
    const p = await gateway(GRACE_S);
    await linkModel(p.url, up.url, "long", "up-long");
    await linkModel(p.url, up.url, "quick", "up-quick");
    // Serving: readiness is 200, without a token.
    const serving = await fetch(`${p.url}/readyz`);
    expect(serving.status).toBe(200);
    expect(await serving.json()).toEqual({ ready: true });
    // Streaming load: three streams that outlast the grace, two that end within it.
    const long = await Promise.all([1, 2, 3].map(() => openStream(p.url, "long")));
    const quick = await Promise.all([1, 2].map(() => openStream(p.url, "quick")));
    const sent = performance.now();
    p.child.proc.kill("SIGTERM");

    // Draining: readiness 503, and a new request gets a 503 in its own protocol's error shape.
    await until(async () => (await ready(p.url)) === 503, GRACE_S * 1000, "readiness 503");
    const refused = await fetch(`${p.url}/v1/chat/completions`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({ model: "long", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      "shutting down",
    );

    for (const text of await Promise.all(quick.map((s) => s.rest()))) expect(text).toContain("data: [DONE]");
    for (const text of await Promise.all(long.map((s) => s.rest()))) {
      const events = text.split("\n\n").filter((e) => e.trim());
      const last = events.at(-1) as string;
      expect(last).toStartWith("data: ");
      expect(JSON.parse(last.slice(6))).toMatchObject({ error: { message: "interrupted by shutdown" } });
      expect(text).not.toContain("[DONE]");
    }
    expect(await p.child.stop("SIGTERM", EXIT_MS)).toBe(0);
    // The grace was waited for.
    expect(performance.now() - sent).toBeGreaterThan(GRACE_S * 1000 - 100);

    // Every request has its record (the refused one is not a request the gateway took).
    const logs = p.logs();
    expect(logs).toHaveLength(5);
    const byModel = (m: string) => logs.filter((l) => l.model === m);
    for (const l of byModel("long"))
      expect(l).toMatchObject({ stream: 1, status: "error", error: "interrupted by shutdown" });
    for (const l of byModel("quick")) expect(l).toMatchObject({ stream: 1, status: "success" });
    expect(byModel("long")).toHaveLength(3);
  }, 60_000);

  it("within the grace: the stream completes normally, then the process exits 0", async () => {
    const p = await gateway(20);
    await linkModel(p.url, up.url, "short", "up-short");
    const stream = await openStream(p.url, "short");
    p.child.proc.kill("SIGTERM");
    await until(async () => (await ready(p.url)) === 503, 10_000, "readiness 503");
    const text = await stream.rest();
    expect(text).toContain("data: [DONE]");
    expect(text).not.toContain("interrupted");
    expect(await p.child.stop("SIGTERM", EXIT_MS)).toBe(0);
    const logs = p.logs();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ model: "short", status: "success", error: null });
  }, 60_000);
});
