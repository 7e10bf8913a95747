/** Names and small helpers shared by the harness and its child processes (no side effects). */

/** Client-facing model names (what the gateway routes) and what the upstream is asked for instead. */
export const MODELS = {
  openai: "bench",
  anthropic: "bench-claude",
  /** An Anthropic client on a model whose link is the OpenAI-chat provider: the translated lane. */
  translated: "bench-x",
  /** The same three on upstream models that stream without pauses (the 32-concurrent stream lanes). */
  openaiFast: "bench-fast",
  translatedFast: "bench-x-fast",
  /** Streams paced at 20 ms per chunk (`npm run bench:scale`). */
  paced: "bench-paced",
} as const;
export const UPSTREAM_MODELS = {
  openai: "bench-up",
  anthropic: "bench-claude-up",
  openaiFast: "bench-up-fast",
  paced: "bench-up-paced",
} as const;

/**
 * The median of the numbers that are not NaN: the middle one, or the mean of the middle two for an even count
 * (of two waves, their mean, not the worse); NaN when there are none.
 */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The harness owns a child's stdin: when it closes (harness exit or crash), the child stops too. */
export function exitWhenStdinCloses(stop: () => Promise<void> | void): void {
  void (async () => {
    for await (const _ of Bun.stdin.stream()) {
      // nothing is ever sent; the loop only ends with the pipe
    }
    await stop();
    process.exit(0);
  })();
}
