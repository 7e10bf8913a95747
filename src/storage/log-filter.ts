/** The filters of a request-log page (the console's log list and `GET /api/logs`), on both storage backends. */
export interface LogFilter {
  page: number;
  page_size: number;
  model?: string;
  provider?: string;
  status?: string;
  style?: string;
  upstream_type?: string;
  key_id?: number;
  /** A part of the User-Agent, matched case-insensitively. */
  user_agent?: string;
  trace_id?: string;
  session_id?: string;
  /** Inclusive bounds in epoch ms. */
  from?: number;
  to?: number;
}
