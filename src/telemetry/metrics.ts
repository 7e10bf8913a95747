import type { LinkHealth } from "../routing/types";
import type { RequestRecord } from "./record";

// Upper bounds (ms) of the duration histograms.
const BUCKETS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000];

class Histogram {
  readonly counts = new Array<number>(BUCKETS.length + 1).fill(0);
  sum = 0;
  n = 0;
  observe(ms: number) {
    let i = 0;
    while (i < BUCKETS.length && ms > (BUCKETS[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += ms;
    this.n++;
  }
}

const esc = (v: string) => v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(",")}}`;

/** Request counters kept in memory as records are made, rendered as Prometheus text at /metrics. */
export class Metrics {
  private readonly requests = new Map<string, { labels: Record<string, string>; n: number }>();
  private readonly tokens = new Map<string, { labels: Record<string, string>; n: number }>();
  private readonly cost = new Map<string, number>();
  private readonly overhead = new Histogram();
  private readonly duration = new Histogram();
  private readonly firstChunk = new Histogram();

  private bump(
    map: Map<string, { labels: Record<string, string>; n: number }>,
    l: Record<string, string>,
    by: number,
  ) {
    const key = Object.values(l).join("\u0000");
    const entry = map.get(key);
    if (entry) entry.n += by;
    else map.set(key, { labels: l, n: by });
  }

  observe(r: RequestRecord): void {
    this.bump(
      this.requests,
      { model: r.model, style: r.style, status: r.status, provider: r.provider_name ?? "" },
      1,
    );
    const u = r.usage;
    if (u) {
      for (const [kind, n] of [
        ["input", u.input],
        ["cached", u.cachedRead],
        ["cache_write", u.cacheWrite],
        ["output", u.output],
        ["reasoning", u.reasoning],
      ] as const) {
        if (n) this.bump(this.tokens, { model: r.model, kind }, n);
      }
    }
    if (r.cost && r.currency) this.cost.set(r.currency, (this.cost.get(r.currency) ?? 0) + r.cost);
    this.overhead.observe(r.proxy_ms);
    this.duration.observe(r.total_ms);
    if (r.first_chunk_ms !== null) this.firstChunk.observe(r.first_chunk_ms);
  }

  /** The Prometheus text exposition of the counters plus live gauges. */
  render(live: {
    uptimeS: number;
    recorder: { pending: number; written: number; dropped: number; failed: number };
    links: LinkHealth[];
  }): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    metric("llmio_requests_total", "counter", "Client requests by model, protocol, provider and outcome.");
    for (const { labels: l, n } of this.requests.values()) out.push(`llmio_requests_total${labels(l)} ${n}`);
    metric(
      "llmio_tokens_total",
      "counter",
      "Tokens by model and kind (input excludes cached; reasoning is part of output).",
    );
    for (const { labels: l, n } of this.tokens.values()) out.push(`llmio_tokens_total${labels(l)} ${n}`);
    metric("llmio_cost_total", "counter", "Cost of requests from link prices, by currency.");
    for (const [currency, n] of this.cost) out.push(`llmio_cost_total${labels({ currency })} ${n}`);
    const histogram = (name: string, help: string, h: Histogram) => {
      metric(name, "histogram", help);
      let cumulative = 0;
      BUCKETS.forEach((b, i) => {
        cumulative += h.counts[i] as number;
        out.push(`${name}_bucket{le="${b / 1000}"} ${cumulative}`);
      });
      out.push(`${name}_bucket{le="+Inf"} ${h.n}`, `${name}_sum ${h.sum / 1000}`, `${name}_count ${h.n}`);
    };
    histogram(
      "llmio_gateway_overhead_seconds",
      "Time spent in the gateway itself, excluding upstream waits.",
      this.overhead,
    );
    histogram("llmio_request_duration_seconds", "Total time of client requests.", this.duration);
    histogram("llmio_first_chunk_seconds", "Time to the first streamed chunk.", this.firstChunk);
    metric(
      "llmio_records_dropped_total",
      "counter",
      "Request records dropped because the write queue was full.",
    );
    out.push(`llmio_records_dropped_total ${live.recorder.dropped}`);
    metric("llmio_records_written_total", "counter", "Request records written to SQLite.");
    out.push(`llmio_records_written_total ${live.recorder.written}`);
    metric("llmio_records_failed_total", "counter", "Request records whose write failed.");
    out.push(`llmio_records_failed_total ${live.recorder.failed}`);
    metric("llmio_records_pending", "gauge", "Request records waiting to be written.");
    out.push(`llmio_records_pending ${live.recorder.pending}`);
    metric("llmio_link_breaker_open", "gauge", "1 when a link's breaker is open or half-open.");
    metric("llmio_link_cooling_down", "gauge", "1 when a link is cooling down after a 429.");
    for (const l of live.links) {
      const id = { link_id: String(l.link_id) };
      out.push(`llmio_link_breaker_open${labels(id)} ${l.breaker === "closed" ? 0 : 1}`);
      out.push(`llmio_link_cooling_down${labels(id)} ${l.cooldown_until !== null ? 1 : 0}`);
    }
    metric("llmio_uptime_seconds", "gauge", "Seconds since the gateway started.");
    out.push(`llmio_uptime_seconds ${Math.round(live.uptimeS)}`);
    return `${out.join("\n")}\n`;
  }
}
