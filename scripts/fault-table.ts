#!/usr/bin/env bun
// Turns the fault matrix's results (test/proxy/fault-matrix.test.ts run with FAULT_MATRIX_OUT=<file>) into
// the markdown table of the README: one row per fault, what the client got without and with streaming, the
// faulty link's state afterwards, and how many of the protocol × mode cases survived as specified.
//
//   FAULT_MATRIX_OUT=/tmp/faults.json bun test test/proxy/fault-matrix.test.ts
//   bun scripts/fault-table.ts /tmp/faults.json

import { readFileSync } from "node:fs";

interface Answer {
  status: number;
  outcome: string;
}
interface Result {
  protocol: string;
  stream: boolean;
  fault: string;
  client: Answer[];
  served_by: (string | null)[];
  attempts: string[][];
  records: number;
  faulty_link: { tried: number; breaker: string; cooldown: boolean; consecutive_failures: number };
  survived: boolean;
}

const path = process.argv[2] ?? process.env.FAULT_MATRIX_OUT;
if (!path) {
  process.stderr.write("usage: bun scripts/fault-table.ts <results.json> (or set FAULT_MATRIX_OUT)\n");
  process.exit(2);
}
const results = JSON.parse(readFileSync(path, "utf8")) as Result[];

/** What the client saw on the first request of a case, in words. */
function answer(r: Result): string {
  const first = r.client[0] as Answer;
  const kind = r.attempts[0]?.[0];
  if (first.status !== 200) return `${first.status} (${first.outcome})`;
  if (first.outcome === "error event")
    return "200, then the protocol's error event (bytes were sent: no failover)";
  if (r.served_by[0] === "good") return `200 from the next link (failover: \`${kind}\`)`;
  return "200, complete, from the link itself";
}

/** The faulty link's state after the case's requests. */
function link(r: Result): string {
  const l = r.faulty_link;
  const state = l.cooldown ? "cooling down" : l.breaker === "open" ? "breaker open" : "healthy";
  return `${state}; tried by ${l.tried} of ${r.client.length} requests`;
}

/** The one description shared by every protocol, or each protocol's own when they differ. */
function same(rows: Result[], describe: (r: Result) => string): string {
  const texts = new Set(rows.map(describe));
  if (texts.size === 1) return [...texts][0] as string;
  return rows.map((r) => `${r.protocol}: ${describe(r)}`).join("<br>");
}

const faults = [...new Set(results.map((r) => r.fault))];
const lines = [
  "| Fault injected | Whole answer | Stream | Faulty link afterwards | Survived |",
  "|---|---|---|---|---|",
];
for (const fault of faults) {
  const rows = results.filter((r) => r.fault === fault);
  const whole = rows.filter((r) => !r.stream);
  const stream = rows.filter((r) => r.stream);
  const survived = rows.filter((r) => r.survived && r.records === r.client.length).length;
  lines.push(
    `| ${fault} | ${same(whole, answer)} | ${same(stream, answer)} | ${same(rows, link)} | ${survived}/${rows.length} |`,
  );
}
const total = results.length;
const ok = results.filter((r) => r.survived).length;
const requests = results.reduce((n, r) => n + r.client.length, 0);
const records = results.reduce((n, r) => n + r.records, 0);
lines.push(
  "",
  `${total} cases (${faults.length} faults × 4 protocols × whole/stream), ${ok} survived as specified; ` +
    `${requests} client requests, ${records} records (exactly one each).`,
);
process.stdout.write(`${lines.join("\n")}\n`);
