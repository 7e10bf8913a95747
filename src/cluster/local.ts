import type { Cluster, InstanceInfo } from "./types";

/** One instance on its own: every live state stays in its memory, nothing is shared. */
export function localCluster(
  instance: string,
  version: string,
  startedAt: number,
  now: () => number,
): Cluster {
  const self: InstanceInfo = { id: instance, started_at: startedAt, seen_at: startedAt, version };
  return {
    instance,
    mode: "memory",
    degraded: false,
    health: null,
    limits: null,
    publishConfigChange() {},
    onConfigChange() {},
    onLinkState() {},
    instances: async () => [{ ...self, seen_at: now() }],
    close: async () => {},
  };
}
