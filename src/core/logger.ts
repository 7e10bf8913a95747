/** How much the logger prints. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

// Patterns of secrets that must never reach a log line.
const SECRET_PATTERNS: RegExp[] = [
  /\b(sk-[A-Za-z0-9_-]{6})[A-Za-z0-9_-]+/g,
  /\b(AIza[0-9A-Za-z_-]{4})[0-9A-Za-z_-]+/g,
  /((?:authorization|x-api-key|x-goog-api-key|api_key|token)["']?\s*[:=]\s*["']?(?:Bearer\s+)?)[^\s"',}]+/gi,
];

/** Replaces anything that looks like a key or token with a masked form. */
export function redact(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) out = out.replace(re, "$1***");
  return out;
}

/** A URL without its password (Redis, PostgreSQL), fit for a log line or an error message. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A line-per-event logger to stderr with secret redaction. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const min = ORDER[level];
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const extra = fields ? ` ${JSON.stringify(fields)}` : "";
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${redact(msg + extra)}\n`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
