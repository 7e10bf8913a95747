import { hostname } from "node:os";

/** This instance's name: the configured one, else hostname-pid (unique on a host, readable in logs). */
export const instanceId = (configured: string | undefined): string =>
  configured ?? `${hostname()}-${process.pid}`;
