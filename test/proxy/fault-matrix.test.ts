// The fault matrix: every fault the fake upstream can inject, for each of the four protocols (client protocol
// = upstream protocol), stream and non-stream. Each case is a model with the faulty link first (priority 10)
// and a good link behind it (priority 1), called three times in a row: the client's answer, the failover
// taken, the faulty link's cooldown and breaker afterwards, and exactly one record per client request.
// With FAULT_MATRIX_OUT set, the results are written there as JSON (scripts/fault-table.ts makes the table).
import { afterAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import {
  type Behavior,
  type FakeStyle,
  startFakeUpstream,
  startResettingServer,
} from "../helpers/fake-upstream";
import { type Gateway, minimalRequest, post, readSse, startGateway } from "../helpers/gateway";
import { REFUSED_HOST } from "../helpers/refused";

const STYLES: FakeStyle[] = ["openai", "openai-responses", "anthropic", "gemini"];
const REQUESTS = 3;
const QUOTA = "quota exhausted";

type Where = "fake" | "reset" | "refused";
/** What must happen, per request and for the link afterwards. */
interface Expect {
  /** The client gets the good link's complete answer (after failover), or the faulty link's answer. */
  servedBy: "good" | "faulty";
  /** The faulty link's attempt kind on the first request (null: it answered). */
  kind: string | null;
  /** A stream the faulty link started and broke: 200 then the protocol's error event, record error. */
  brokenStream?: boolean;
  /** How many of the three requests tried the faulty link (cooldowns and open breakers skip it). */
  tried: number;
  breaker: "closed" | "open";
  cooldown: boolean;
}
interface Fault {
  name: string;
  where: Where;
  behavior?: Behavior;
  /**
   * The model's timeout_s, which the good link behind the faulty one also gets: by default ample, since the
   * 104 cases run at once on a possibly loaded machine; short (SHORT_TIMEOUT_S) where the fault is one the
   * timeout must end.
   */
  timeoutS?: number;
  expect: (stream: boolean) => Expect;
}

const failover = (kind: string) => () =>
  ({ servedBy: "good", kind, tried: REQUESTS, breaker: "open", cooldown: false }) as Expect;
const rateLimited = () =>
  ({ servedBy: "good", kind: "rate_limited", tried: 1, breaker: "closed", cooldown: true }) as Expect;
const midStream = (whole: string) => (stream: boolean) =>
  (stream
    ? {
        servedBy: "faulty",
        kind: null,
        brokenStream: true,
        tried: REQUESTS,
        breaker: "open",
        cooldown: false,
      }
    : failover(whole)()) as Expect;

/** Long enough for the good link's answer amid every case at once, far shorter than the faults it ends. */
const SHORT_TIMEOUT_S = 2;

const FAULTS: Fault[] = [
  { name: "HTTP 500", where: "fake", behavior: { kind: "status", status: 500 }, expect: failover("server") },
  { name: "HTTP 503", where: "fake", behavior: { kind: "status", status: 503 }, expect: failover("server") },
  {
    name: "HTTP 429 with Retry-After",
    where: "fake",
    behavior: { kind: "status", status: 429, headers: { "retry-after": "30" } },
    expect: rateLimited,
  },
  {
    name: "HTTP 429 without Retry-After",
    where: "fake",
    behavior: { kind: "status", status: 429 },
    expect: rateLimited,
  },
  { name: "connection refused", where: "refused", expect: failover("network") },
  { name: "reset before headers", where: "reset", expect: failover("network") },
  {
    name: "timeout before headers",
    where: "fake",
    behavior: { kind: "ok", delayMs: 6_000 },
    timeoutS: SHORT_TIMEOUT_S,
    expect: failover("timeout"),
  },
  {
    name: "slow trickle",
    where: "fake",
    behavior: { kind: "trickle", pieces: 4, delayMs: 60 },
    // A trickle is slow, not broken: its link gets the ample default.
    expect: () => ({ servedBy: "faulty", kind: null, tried: REQUESTS, breaker: "closed", cooldown: false }),
  },
  {
    name: "silence mid-answer",
    where: "fake",
    behavior: { kind: "silentMid" },
    timeoutS: SHORT_TIMEOUT_S,
    expect: midStream("timeout"),
  },
  { name: "drop mid-answer", where: "fake", behavior: { kind: "dropMid" }, expect: midStream("network") },
  {
    name: "not SSE / not JSON (garbage)",
    where: "fake",
    behavior: { kind: "garbage" },
    expect: failover("bad_response"),
  },
  {
    name: "truncated JSON",
    where: "fake",
    behavior: { kind: "truncated" },
    expect: failover("bad_response"),
  },
  {
    name: "200 with an error body (error_matcher)",
    where: "fake",
    behavior: { kind: "error200", message: QUOTA },
    expect: failover("matched_error"),
  },
  {
    name: "hang",
    where: "fake",
    behavior: { kind: "hang" },
    timeoutS: SHORT_TIMEOUT_S,
    expect: failover("timeout"),
  },
];

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");
const behaviors: Record<string, Behavior> = {};
for (const f of FAULTS) if (f.behavior) behaviors[`fault-${slug(f.name)}`] = f.behavior;

const up = startFakeUpstream(behaviors);
const reset = startResettingServer();
const refused = `http://${REFUSED_HOST}`;
const gw: Gateway = startGateway({ config: { streamIdleMs: 500 } });
afterAll(async () => {
  await gw.stop();
  await up.stop();
  reset.stop();
});

interface Case {
  fault: Fault;
  style: FakeStyle;
  stream: boolean;
  model: string;
  faultyLinkId: number;
}
const cases: Case[] = [];
for (const fault of FAULTS) {
  for (const style of STYLES) {
    for (const stream of [false, true]) {
      const model = `fm-${style}-${stream ? "s" : "n"}-${slug(fault.name)}`;
      const base = {
        model,
        type: style,
        modelOptions: { strategy: "priority" as const, timeout_s: fault.timeoutS ?? 10 },
      };
      const { link } = gw.link({
        ...base,
        provider: `faulty-${model}`,
        baseUrl: fault.where === "fake" ? up.url : fault.where === "reset" ? reset.url : refused,
        providerModel: `fault-${slug(fault.name)}`,
        priority: 10,
        providerOptions: { error_matcher: QUOTA },
      });
      gw.link({ ...base, provider: `good-${style}`, baseUrl: up.url, providerModel: "good", priority: 1 });
      cases.push({ fault, style, stream, model, faultyLinkId: link.id });
    }
  }
}

/** One client request's outcome as the client saw it. */
interface Answer {
  status: number;
  /** A complete answer (JSON body, or a stream with no error event), or a stream ending in an error event. */
  outcome: "complete" | "error event" | "error";
}

const isErrorEvent = (e: { event?: string; data: string }) => {
  if (e.event === "error") return true;
  try {
    const json = JSON.parse(e.data) as Record<string, unknown>;
    return json.type === "error" || (json.error !== undefined && json.error !== null);
  } catch {
    return false;
  }
};

async function callOnce(c: Case): Promise<Answer> {
  const { path, body } = minimalRequest(c.style, c.model, c.stream);
  const res = await post(gw, path, body);
  if (res.status !== 200) {
    await res.arrayBuffer();
    return { status: res.status, outcome: "error" };
  }
  if (!c.stream) {
    try {
      JSON.parse(await res.text());
      return { status: 200, outcome: "complete" };
    } catch {
      return { status: 200, outcome: "error" };
    }
  }
  const events = await readSse(res);
  return { status: 200, outcome: events.some(isErrorEvent) ? "error event" : "complete" };
}

interface Result {
  protocol: FakeStyle;
  stream: boolean;
  fault: string;
  client: Answer[];
  served_by: (string | null)[];
  attempts: string[][];
  records: number;
  record_status: string[];
  faulty_link: { tried: number; breaker: string; cooldown: boolean; consecutive_failures: number };
  expected: Expect;
  survived: boolean;
}

async function runCase(c: Case): Promise<Result> {
  const client: Answer[] = [];
  for (let i = 0; i < REQUESTS; i++) client.push(await callOnce(c));
  const health = gw.runtime.health.snapshot(c.faultyLinkId);
  return {
    protocol: c.style,
    stream: c.stream,
    fault: c.fault.name,
    client,
    served_by: [],
    attempts: [],
    records: 0,
    record_status: [],
    faulty_link: {
      tried: 0,
      breaker: health.breaker,
      cooldown: health.cooldown_until !== null,
      consecutive_failures: health.consecutive_failures,
    },
    expected: c.fault.expect(c.stream),
    survived: false,
  };
}

const results: Result[] = [];

describe("fault matrix", () => {
  it(`${cases.length} cases: each fault is survived as specified`, async () => {
    results.push(...(await Promise.all(cases.map(runCase))));
    await gw.flush();
    // The records of every request, by model: the attempt chain tells which links were tried.
    const logs = gw.logs().reverse() as (Record<string, unknown> & { attempts: string; model: string })[];
    for (const [i, r] of results.entries()) {
      const c = cases[i] as Case;
      const mine = logs.filter((l) => l.model === c.model);
      r.records = mine.length;
      r.record_status = mine.map((l) => String(l.status));
      r.served_by = mine.map((l) =>
        l.provider_name === null ? null : (String(l.provider_name).split("-")[0] ?? null),
      );
      r.attempts = mine.map((l) => (JSON.parse(l.attempts) as { kind: string }[]).map((a) => a.kind));
      // The faulty link comes first, so a request tried it when it failed there or was served by it.
      const triedIt = (j: number) => (r.attempts[j]?.length ?? 0) > 0 || r.served_by[j] === "faulty";
      r.faulty_link.tried = r.attempts.filter((_, j) => triedIt(j)).length;
      const e = r.expected;
      r.survived =
        r.records === REQUESTS &&
        r.client[0]?.status === 200 &&
        r.client[0]?.outcome === (e.brokenStream ? "error event" : "complete") &&
        r.served_by[0] === e.servedBy &&
        (r.attempts[0]?.[0] ?? null) === e.kind &&
        r.faulty_link.tried === e.tried &&
        r.faulty_link.breaker === e.breaker &&
        r.faulty_link.cooldown === e.cooldown;
    }
    if (process.env.FAULT_MATRIX_OUT)
      writeFileSync(process.env.FAULT_MATRIX_OUT, JSON.stringify(results, null, 2));
    for (const r of results) {
      const e = r.expected;
      const label = `${r.fault} / ${r.protocol} / ${r.stream ? "stream" : "whole"}`;
      expect({ label, records: r.records }).toEqual({ label, records: REQUESTS });
      expect({ label, answer: r.client[0] }).toEqual({
        label,
        answer: { status: 200, outcome: e.brokenStream ? "error event" : "complete" },
      });
      expect({ label, served: r.served_by[0], kind: r.attempts[0]?.[0] ?? null } as object).toEqual({
        label,
        served: e.servedBy,
        kind: e.kind,
      });
      expect({ label, status: r.record_status[0] }).toEqual({
        label,
        status: e.brokenStream ? "error" : "success",
      });
      expect({
        label,
        tried: r.faulty_link.tried,
        breaker: r.faulty_link.breaker,
        cooldown: r.faulty_link.cooldown,
      }).toEqual({
        label,
        tried: e.tried,
        breaker: e.breaker,
        cooldown: e.cooldown,
      });
      expect(r.survived).toBe(true);
    }
  }, 60_000);
});
