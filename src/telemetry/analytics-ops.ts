import type { Database } from "bun:sqlite";
import { latencyReport, modelCounts, providerFigures, seriesBuckets, usageTotals } from "../storage/metrics";
import { latencyGroups } from "../storage/latency";
import { getLog, queryLogs } from "../storage/request-logs";

/**
 * Every read the console and the metrics API make of the request records, by name, so that one table
 * serves both the analytics thread (analytics-worker.ts) and the main-thread fallback. Each takes the
 * connection first and plain, cloneable arguments after it.
 */
export const analyticsOps = {
  usageTotals,
  modelCounts,
  seriesBuckets,
  providerFigures,
  latencyReport,
  latencyGroups,
  queryLogs,
  getLog,
};

export type AnalyticsOps = typeof analyticsOps;
export type AnalyticsOp = keyof AnalyticsOps;
/** The arguments of an op after the connection. */
export type OpArgs<K extends AnalyticsOp> = AnalyticsOps[K] extends (
  db: Database,
  ...args: infer A
) => unknown
  ? A
  : never;
export type OpResult<K extends AnalyticsOp> = Awaited<ReturnType<AnalyticsOps[K]>>;
