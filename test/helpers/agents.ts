/**
 * Running the real coding agents (Claude Code, Codex) from node_modules against a gateway, offline: each
 * run gets its own temporary HOME / config folder and a working folder, an environment with nothing of
 * the caller's but PATH, and every vendor call it could make (telemetry, updates, error reports, feedback,
 * side models) switched off or pointed at the gateway.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const CLAUDE_PKG = join(ROOT, "node_modules/@anthropic-ai/claude-code");
export const CLAUDE_BIN = join(CLAUDE_PKG, "bin/claude.exe");
export const CODEX_BIN = join(ROOT, "node_modules/@openai/codex/bin/codex.js");

/**
 * Claude Code's npm package ships a stub at bin/claude.exe that its postinstall (install.cjs) replaces by
 * the platform's native binary. An npm that skips install scripts leaves the stub: run install.cjs then.
 * Idempotent: a binary already in place (bigger than the few-KB stub) is left alone.
 */
export function ensureClaudeBinary(): void {
  if (!existsSync(CLAUDE_BIN) || statSync(CLAUDE_BIN).size > 64 * 1024) return;
  spawnSync("node", [join(CLAUDE_PKG, "install.cjs")], {
    cwd: CLAUDE_PKG,
    stdio: "ignore",
    timeout: 60_000,
  });
}

/**
 * Whether an agent's binary runs here (`--version` exits 0). Under CI=true the answer is always yes: there
 * the tests must run, and fail loudly if the agent cannot.
 */
export function agentRunnable(name: "claude" | "codex"): { ok: true } | { ok: false; reason: string } {
  if (name === "claude") ensureClaudeBinary();
  const cmd = name === "claude" ? [CLAUDE_BIN] : ["node", CODEX_BIN];
  const r = spawnSync(cmd[0] as string, [...cmd.slice(1), "--version"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (r.status === 0) return { ok: true };
  if (process.env.CI === "true") return { ok: true };
  const why = r.error
    ? r.error.message
    : (r.stderr || r.stdout || `exit code ${r.status}`).trim().split("\n")[0];
  return { ok: false, reason: `${name} cannot run on this machine (${why})` };
}

export interface AgentRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The working folder the agent ran in (its tools' files land here). */
  work: string;
}

/** A fresh temporary folder with `home/` and `work/` inside; removed by `cleanup()`. */
export function agentDirs(prefix: string): { root: string; home: string; work: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), `llmio-${prefix}-`));
  const home = join(root, "home");
  const work = join(root, "work");
  mkdirSync(home);
  mkdirSync(work);
  return { root, home, work, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Runs a command with the given environment (PATH is added), no stdin, a hard time limit. */
export async function runAgent(
  cmd: string[],
  opts: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<AgentRun> {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  return { code: proc.signalCode === "SIGKILL" ? null : code, stdout, stderr, work: opts.cwd };
}

/**
 * `claude -p PROMPT` against the gateway at `baseUrl` with a gateway key, every model name it may use
 * (main loop, the small/fast model of its side requests) set to `model`, tools allowed without asking, and
 * everything that would call Anthropic besides the API (telemetry, auto-update, error reports, feedback
 * surveys, nonessential traffic) switched off.
 */
export function runClaude(opts: {
  baseUrl: string;
  key: string;
  model: string;
  prompt: string;
  tools: string[];
  timeoutMs: number;
}): Promise<AgentRun> & { dirs: ReturnType<typeof agentDirs> } {
  const dirs = agentDirs("claude");
  const env: Record<string, string> = {
    HOME: dirs.home,
    CLAUDE_CONFIG_DIR: join(dirs.home, ".claude"),
    ANTHROPIC_BASE_URL: opts.baseUrl,
    ANTHROPIC_API_KEY: opts.key,
    ANTHROPIC_MODEL: opts.model,
    ANTHROPIC_SMALL_FAST_MODEL: opts.model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: opts.model,
    ANTHROPIC_DEFAULT_SONNET_MODEL: opts.model,
    ANTHROPIC_DEFAULT_OPUS_MODEL: opts.model,
    CLAUDE_CODE_SUBAGENT_MODEL: opts.model,
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_BUG_COMMAND: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: "1",
    CLAUDE_CODE_DISABLE_TERMINAL_TITLE: "1",
    CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL: "1",
    DISABLE_COST_WARNINGS: "1",
    NO_COLOR: "1",
    TERM: "dumb",
  };
  const cmd = [
    CLAUDE_BIN,
    "-p",
    opts.prompt,
    "--model",
    opts.model,
    "--allowedTools",
    opts.tools.join(","),
    "--output-format",
    "text",
  ];
  const run = runAgent(cmd, { cwd: dirs.work, env, timeoutMs: opts.timeoutMs });
  return Object.assign(run, { dirs });
}

/**
 * `codex exec PROMPT` against the gateway's /v1 with a model provider of wire_api "responses" and a
 * gateway key in an env var, approvals and sandbox off (the test's temporary folder is the sandbox), and
 * the server-side web search, sub-agent tools, analytics and update check turned off.
 */
export function runCodex(opts: {
  baseUrl: string;
  key: string;
  model: string;
  prompt: string;
  timeoutMs: number;
}): Promise<AgentRun> & { dirs: ReturnType<typeof agentDirs> } {
  const dirs = agentDirs("codex");
  const codexHome = join(dirs.home, ".codex");
  mkdirSync(codexHome);
  writeFileSync(
    join(codexHome, "config.toml"),
    [
      `model = ${JSON.stringify(opts.model)}`,
      `model_provider = "llmio"`,
      `web_search = "disabled"`,
      `check_for_update_on_startup = false`,
      `[agents]`,
      `enabled = false`,
      `[analytics]`,
      `enabled = false`,
      `[model_providers.llmio]`,
      `name = "llmio"`,
      `base_url = ${JSON.stringify(`${opts.baseUrl}/v1`)}`,
      `env_key = "LLMIO_TEST_KEY"`,
      `wire_api = "responses"`,
      `request_max_retries = 0`,
      `stream_max_retries = 0`,
      "",
    ].join("\n"),
  );
  const env: Record<string, string> = {
    HOME: dirs.home,
    CODEX_HOME: codexHome,
    LLMIO_TEST_KEY: opts.key,
    NO_COLOR: "1",
    TERM: "dumb",
  };
  const cmd = [
    "node",
    CODEX_BIN,
    "exec",
    "--skip-git-repo-check",
    "--dangerously-bypass-approvals-and-sandbox",
    "--color",
    "never",
    opts.prompt,
  ];
  const run = runAgent(cmd, { cwd: dirs.work, env, timeoutMs: opts.timeoutMs });
  return Object.assign(run, { dirs });
}
