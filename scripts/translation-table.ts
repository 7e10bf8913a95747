#!/usr/bin/env bun
// `npm run matrix`: runs the translation matrix (test/translate/matrix.test.ts) with MATRIX_OUT set, then
// turns its results into the README's translation table, between the translation-matrix markers. The
// table is generated from the test run, never edited by hand.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./build";

interface Cell {
  client: string;
  upstream: string;
  stream: boolean;
  scenario: string;
  ok: boolean;
  error?: string;
}

const OUT = join(ROOT, "db", "matrix-results.json");
const WIRES = ["openai", "openai-responses", "anthropic", "gemini"];
const NAMES: Record<string, string> = {
  openai: "OpenAI Chat",
  "openai-responses": "OpenAI Responses",
  anthropic: "Anthropic Messages",
  gemini: "Gemini",
};
const SCENARIOS = ["text", "tools", "image", "reasoning", "structured"];

rmSync(OUT, { force: true });
const proc = Bun.spawn([process.execPath, "test", "test/translate/matrix.test.ts"], {
  cwd: ROOT,
  env: { ...process.env, MATRIX_OUT: OUT },
  stdio: ["ignore", "ignore", "inherit"],
});
await proc.exited;
if (!existsSync(OUT)) {
  console.error("the matrix wrote no results");
  process.exit(1);
}
const cells = JSON.parse(readFileSync(OUT, "utf8")) as Cell[];
rmSync(OUT, { force: true });

const find = (client: string, upstream: string) =>
  cells.filter((c) => c.client === client && c.upstream === upstream);
const mark = (list: Cell[]) => {
  if (list.length === 0) return "—";
  const failed = list.filter((c) => !c.ok);
  return failed.length === 0
    ? `✅ ${list.length}/${list.length}`
    : `❌ ${list.length - failed.length}/${list.length}`;
};

const lines: string[] = [];
lines.push(`| client ↓ / upstream → | ${WIRES.map((w) => NAMES[w]).join(" | ")} |`);
lines.push(`|---|${WIRES.map(() => "---").join("|")}|`);
for (const client of WIRES)
  lines.push(`| **${NAMES[client]}** | ${WIRES.map((u) => mark(find(client, u))).join(" | ")} |`);
lines.push("");
lines.push(
  `Each pairing runs ${SCENARIOS.length} scenarios (${SCENARIOS.join(", ")}), whole and streamed. Per scenario (whole / stream):`,
);
lines.push("");
lines.push(`| pairing | ${SCENARIOS.join(" | ")} |`);
lines.push(`|---|${SCENARIOS.map(() => "---").join("|")}|`);
const cellMark = (c: Cell | undefined) => (c === undefined ? "—" : c.ok ? "✅" : "❌");
for (const client of WIRES)
  for (const upstream of WIRES) {
    const row = SCENARIOS.map((scenario) => {
      const of = (stream: boolean) =>
        cells.find(
          (c) =>
            c.client === client && c.upstream === upstream && c.scenario === scenario && c.stream === stream,
        );
      return `${cellMark(of(false))} / ${cellMark(of(true))}`;
    });
    lines.push(`| ${client} → ${upstream} | ${row.join(" | ")} |`);
  }
const failures = cells.filter((c) => !c.ok);
if (failures.length) {
  lines.push("");
  lines.push("Failing cells:");
  for (const f of failures)
    lines.push(
      `- ${f.client} → ${f.upstream}, ${f.stream ? "stream" : "whole"}, ${f.scenario}: ${f.error?.split("\n")[0]}`,
    );
}
const table = lines.join("\n");
console.log(table);

if (process.argv.includes("--write")) {
  const readme = join(ROOT, "README.md");
  const text = readFileSync(readme, "utf8");
  const start = "<!-- translation-matrix:start -->";
  const end = "<!-- translation-matrix:end -->";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    console.error(`README.md has no ${start} … ${end} section`);
    process.exit(1);
  }
  writeFileSync(readme, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`);
  console.log("README.md updated");
}
process.exit(failures.length ? 1 : 0);
