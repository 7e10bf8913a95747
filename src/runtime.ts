import type { ProxySnapshot } from "./modules/proxy/snapshot";
import type { HealthRegistry } from "./routing";
import type { AnalyticsReader } from "./telemetry/analytics";
import type { Metrics } from "./telemetry/metrics";
import type { Recorder } from "./telemetry/recorder";

/** The live parts of a running gateway, reachable as `app.decorator.gateway`. */
export interface GatewayRuntime {
  health: HealthRegistry;
  recorder: Recorder;
  metrics: Metrics;
  /** Where the console's reports run (a thread of their own for a database file). */
  analytics: AnalyticsReader;
  snapshot(): ProxySnapshot;
  /** Rebuilds the routing snapshot from the database (the admin API calls it after each change). */
  reload(): void;
}
