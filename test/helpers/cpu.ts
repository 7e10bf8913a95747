/**
 * Milliseconds of CPU this process spent since `since` (a process.cpuUsage() reading). A bound on work done
 * (a hostile body must not cost seconds) holds on a loaded machine, where wall time also counts the time
 * other processes had the cores.
 */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}
