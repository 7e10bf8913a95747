/**
 * Preloaded into the gateway (`bun --preload`): the gateway exits when the harness's pipe on its stdin
 * closes, so even a harness killed with SIGKILL leaves no gateway behind. No other effect on the process.
 */
import { exitWhenStdinCloses } from "./shared";

exitWhenStdinCloses(() => {});
