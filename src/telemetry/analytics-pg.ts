import type { PostgresStorage } from "../storage/postgres";
import {
  getLogPg,
  latencyGroupsPg,
  latencyReportPg,
  modelCountsPg,
  providerFiguresPg,
  queryLogsPg,
  seriesBucketsPg,
  usageTotalsPg,
} from "../storage/postgres/reports";
import type { Storage } from "../storage/storage";
import type { AnalyticsReader } from "./analytics";
import type { AnalyticsOp } from "./analytics-ops";

/** The same ops as analytics-ops.ts, answered by PostgreSQL (async I/O: nothing blocks the proxy's thread). */
const PG_OPS: Record<AnalyticsOp, (sql: PostgresStorage["sql"], ...args: never[]) => Promise<unknown>> = {
  usageTotals: usageTotalsPg,
  modelCounts: modelCountsPg,
  seriesBuckets: seriesBucketsPg,
  providerFigures: providerFiguresPg,
  latencyReport: latencyReportPg,
  latencyGroups: latencyGroupsPg,
  queryLogs: queryLogsPg,
  getLog: getLogPg,
};

/** The console's reports over a PostgreSQL storage. */
export function postgresReader(storage: Storage): AnalyticsReader {
  const { sql } = storage as PostgresStorage;
  return {
    run: (op, ...args) => PG_OPS[op](sql, ...(args as unknown as never[])) as never,
    close: async () => {},
  };
}
