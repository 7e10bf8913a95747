#!/usr/bin/env bun
// `npm start` runs this as part of prestart: it (re)builds the web UI when its output is missing or older
// than web/src, so the server that `start` launches next serves the current UI. The server itself runs as
// `bun src/index.ts` straight from the start script, so signals and flags (`npm start -- --port 8080`) reach it.
import { buildUi } from "./build";

try {
  buildUi({ onlyIfStale: true });
} catch (err) {
  console.error(`start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
