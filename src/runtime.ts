import type { Lifecycle } from "./core/lifecycle";
import type { ProxySnapshot } from "./modules/proxy/snapshot";
import type { HealthRegistry } from "./routing";
import type { Metrics } from "./telemetry/metrics";
import type { Recorder } from "./telemetry/recorder";

/** The live parts of a running gateway, reachable as `app.decorator.gateway`. */
export interface GatewayRuntime {
  health: HealthRegistry;
  recorder: Recorder;
  metrics: Metrics;
  /** Shutdown state: draining (readiness 503, new requests refused) and the end of the grace. */
  lifecycle: Lifecycle;
  snapshot(): ProxySnapshot;
  /** Rebuilds the routing snapshot from the database (the admin API awaits it after each change). */
  reload(): Promise<void>;
  /** Settles when the first snapshot has loaded (it rejects when the database could not be read). */
  ready: Promise<void>;
}
