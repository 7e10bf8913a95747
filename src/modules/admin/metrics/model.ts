import { t } from "elysia";

export const MAX_DAYS = 365;
export const MAX_TZ_OFFSET_MIN = 840;

// Numbers carry no bounds here: Elysia reports a failed bound on a coerced param without naming the
// param, and the 422 must say which field is wrong, so the service checks the ranges. `days` in the
// path stays a string for the same reason.
export const UseParams = t.Object({ days: t.String({ description: `1 = today, up to ${MAX_DAYS}` }) });

const TzOffset = t.Integer({
  description: `minutes east of UTC that place local midnight (the browser's -getTimezoneOffset()), ±${MAX_TZ_OFFSET_MIN}; default: the server's`,
});
const Days = (description: string) => t.Integer({ description: `1..${MAX_DAYS}: ${description}` });

export const UseQuery = t.Object({ tz_offset_min: t.Optional(TzOffset) });
export type UseQuery = typeof UseQuery.static;

export const WindowQuery = t.Object({
  days: t.Optional(Days("today plus the days before it; default 30")),
  tz_offset_min: t.Optional(TzOffset),
});
export type WindowQuery = typeof WindowQuery.static;

export const SeriesQuery = t.Object({
  // `default: undefined`: t.UnionEnum would otherwise default to its first value.
  bucket: t.Optional(t.UnionEnum(["hour", "day"], { default: undefined, description: "default day" })),
  days: t.Optional(
    Days("hour: the last days×24 hours; day: today plus days-1 before it; default 1 (hour), 30 (day)"),
  ),
  tz_offset_min: t.Optional(TzOffset),
});
export type SeriesQuery = typeof SeriesQuery.static;
