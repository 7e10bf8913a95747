import type { LinkHealth } from "../routing/types";
import type { RequestRecord } from "../storage/request-record";

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

/** The label value of every model or provider name that is not configured. */
export const OTHER_LABEL = "(other)";

/** The names that may label a series: the configured models and providers. */
export interface LabelNames {
  models: ReadonlySet<string>;
  providers: ReadonlySet<string>;
}

/**
 * Request counters kept in memory as records are made, rendered as Prometheus text at /metrics. Only
 * configured model and provider names label a series; any other name a client sends (refused, unknown,
 * random) counts under OTHER_LABEL, so clients cannot mint series without bound.
 */
export class Metrics {
  private names: LabelNames = { models: new Set(), providers: new Set() };
  private readonly requests = new Map<string, { labels: Record<string, string>; n: number }>();
  /** Tokens per model and kind: nested maps, so counting needs no key string built per request. */
  private readonly tokens = new Map<string, Map<string, number>>();
  private readonly cost = new Map<string, number>();
  private readonly overhead = new Histogram();
  private readonly duration = new Histogram();
  private readonly firstChunk = new Histogram();

  // The key is built straight from the values and a labels object only for a new series: this runs for
  // every request record, and nearly always the series exists already.
  private bump(
    map: Map<string, { labels: Record<string, string>; n: number }>,
    key: string,
    by: number,
  ): boolean {
    const entry = map.get(key);
    if (!entry) return false;
    entry.n += by;
    return true;
  }

  private bumpTokens(model: string, kind: string, n: number) {
    if (!n) return;
    let kinds = this.tokens.get(model);
    if (!kinds) this.tokens.set(model, (kinds = new Map()));
    kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  }

  /** Sets the configured names (after every configuration change); series made so far stay. */
  setLabelNames(names: LabelNames): void {
    this.names = names;
  }

  observe(r: RequestRecord): void {
    const model = this.names.models.has(r.model) ? r.model : OTHER_LABEL;
    const provider =
      r.provider_name === null
        ? ""
        : this.names.providers.has(r.provider_name)
          ? r.provider_name
          : OTHER_LABEL;
    const key = `${model}\u0000${r.style}\u0000${r.status}\u0000${provider}`;
    if (!this.bump(this.requests, key, 1)) {
      this.requests.set(key, {
        labels: { model, style: r.style, status: r.status, provider },
        n: 1,
      });
    }
    const u = r.usage;
    if (u) {
      this.bumpTokens(model, "input", u.input);
      this.bumpTokens(model, "cached", u.cachedRead);
      this.bumpTokens(model, "cache_write", u.cacheWrite);
      this.bumpTokens(model, "output", u.output);
      this.bumpTokens(model, "reasoning", u.reasoning);
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
    cluster?: { shared: boolean; degraded: boolean };
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
    for (const [model, kinds] of this.tokens)
      for (const [kind, n] of kinds) out.push(`llmio_tokens_total${labels({ model, kind })} ${n}`);
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
    if (live.cluster) {
      metric(
        "llmio_cluster_shared",
        "gauge",
        "1 when live state is shared with other instances (REDIS_URL).",
      );
      out.push(`llmio_cluster_shared ${live.cluster.shared ? 1 : 0}`);
      metric(
        "llmio_cluster_degraded",
        "gauge",
        "1 while the shared live state is unreachable and this instance runs on its own state.",
      );
      out.push(`llmio_cluster_degraded ${live.cluster.degraded ? 1 : 0}`);
    }
    metric("llmio_uptime_seconds", "gauge", "Seconds since the gateway started.");
    out.push(`llmio_uptime_seconds ${Math.round(live.uptimeS)}`);
    return `${out.join("\n")}\n`;
  }
}
