import type { Clock } from "../../src/core/clock";
import type { RouteLink, RouteModel, RouteProvider } from "../../src/routing/types";

/** A clock tests move by hand: no sleeping, and wall and monotonic time advance together. */
export function fakeClock(start = Date.UTC(2025, 0, 1)) {
  let t = start;
  const clock: Clock & { advance(ms: number): void } = {
    now: () => t,
    mono: () => t - start,
    advance: (ms) => {
      t += ms;
    },
  };
  return clock;
}

const provider: RouteProvider = {
  id: 1,
  name: "p",
  type: "openai",
  baseUrl: "https://api.example.com/v1",
  apiKey: "sk-test",
  anthropicVersion: null,
  proxyUrl: null,
  errorMatcher: null,
  headers: {},
};

export function link(
  id: number,
  over: Partial<Omit<RouteLink, "capabilities">> & {
    capabilities?: Partial<RouteLink["capabilities"]>;
  } = {},
): RouteLink {
  const { capabilities, ...rest } = over;
  return {
    id,
    provider,
    providerModel: `m-${id}`,
    weight: 1,
    priority: 0,
    withHeader: false,
    headers: {},
    extraBody: {},
    prices: { input: 0, cached: 0, cacheWrite: 0, output: 0, currency: "USD" },
    ...rest,
    capabilities: { tool_call: true, structured_output: true, image: true, ...capabilities },
  };
}

export function model(links: RouteLink[], over: Partial<RouteModel> = {}): RouteModel {
  return {
    id: 1,
    name: "gpt",
    strategy: "weighted",
    maxAttempts: 3,
    timeoutMs: 60_000,
    breaker: true,
    links,
    createdAt: 0,
    ...over,
  };
}

export const noNeeds = { tools: false, structuredOutput: false, image: false };
