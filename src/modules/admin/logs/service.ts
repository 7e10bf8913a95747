import { notFound, validationError } from "../../../core/errors";
import type { AnalyticsReader } from "../../../telemetry/analytics";
import type { LogQuery } from "./model";

/** An ISO-8601 time or epoch milliseconds → epoch ms; 422 naming the field otherwise. */
function instant(field: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms))
    throw validationError(field, `${field} must be an ISO-8601 time or epoch milliseconds`);
  return ms;
}

export const logService = {
  list: (analytics: AnalyticsReader, q: LogQuery) =>
    analytics.run("queryLogs", {
      ...q,
      page: q.page ?? 1,
      page_size: q.page_size ?? 20,
      from: instant("from", q.from),
      to: instant("to", q.to),
    }),

  async get(analytics: AnalyticsReader, id: number) {
    const log = await analytics.run("getLog", id);
    if (!log) throw notFound(`log ${id} not found`);
    return log;
  },
};
