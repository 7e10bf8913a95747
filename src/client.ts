import { treaty } from "@elysiajs/eden";
import type { App } from "./app";

/**
 * A typed client of the admin API for scripts:
 *   const api = createClient("http://localhost:7070", process.env.TOKEN!);
 *   const { data } = await api.api.providers.get();
 */
export function createClient(baseUrl: string, token: string) {
  return treaty<App>(baseUrl, { headers: { authorization: `Bearer ${token}` } });
}

export type { App };
