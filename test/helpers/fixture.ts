import { afterAll } from "bun:test";
import type { Config } from "../../src/config";
import { type Behavior, startFakeUpstream } from "./fake-upstream";
import { type LinkSpec, linkFour, startGateway } from "./gateway";

/**
 * The proxy tests' common setup: a fake upstream (with extra `behaviors`) and a gateway with the four
 * standard models (FOUR) linked to it. Both start when the test file loads (bun runs files one after
 * another) and stop after the file's last test.
 */
export function startFourLinked(
  opts: { behaviors?: Record<string, Behavior>; config?: Partial<Config>; link?: LinkSpec["link"] } = {},
) {
  const up = startFakeUpstream(opts.behaviors);
  const gw = startGateway({ config: opts.config });
  linkFour(gw, up.url, opts.link);
  afterAll(async () => {
    await gw.stop();
    await up.stop();
  });
  return { up, gw };
}
