import type { Cluster } from "./cluster/types";
import type { Lifecycle } from "./core/lifecycle";
import type { HealthRegistry, RoutingTable } from "./routing";
import type { AnalyticsReader } from "./telemetry/analytics";
import type { LogRetention } from "./telemetry/log-retention";
import type { Metrics } from "./telemetry/metrics";
import type { Recorder } from "./telemetry/recorder";

/** The live parts of a running gateway, reachable as `app.decorator.gateway`. */
export interface GatewayRuntime {
  health: HealthRegistry;
  recorder: Recorder;
  metrics: Metrics;
  /** Request-log retention: its window (changeable at run time) and its last run. */
  retention: LogRetention;
  /** Shutdown state: draining (readiness 503, new requests refused) and the end of the grace. */
  lifecycle: Lifecycle;
  /** The live state shared with other instances (or this instance alone), and this instance's name. */
  cluster: Cluster;
  /** Where the console's reports run (a thread of their own for a database file). */
  analytics: AnalyticsReader;
  /** The routing table in force: the models clients can call and their enabled links. */
  routes(): RoutingTable;
  /**
   * Rebuilds the routing snapshot from the database (the admin API awaits it after each change) and tells
   * the other instances to do the same.
   */
  reload(): Promise<void>;
  /** Settles when the first snapshot has loaded (it rejects when the database could not be read). */
  ready: Promise<void>;
}
