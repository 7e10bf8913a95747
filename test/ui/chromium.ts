import { existsSync } from "node:fs";
import { chromium, type Page } from "playwright-core";
import { uiAssets } from "../../src/http/ui-assets";

/** The browser tests run only where Chromium is installed and the UI has been built into the binary. */
export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);
export const uiBuilt = "/index.html" in uiAssets;

/** Time for a suite's browser start and server set-up: a loaded CI machine can take seconds for each. */
export const BROWSER_HOOK_MS = 60_000;
/**
 * Each browser test's own time (every suite sets it with setDefaultTimeout, which also covers its hooks):
 * a test of a few steps, each allowed the locators' 15 s, on a loaded 2-core machine.
 */
export const BROWSER_TEST_MS = 60_000;

/** A headless Chromium with one page of the given size and a 15 s default wait for locators. */
export async function launchPage(viewport: { width: number; height: number }) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page: Page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  return { browser, page };
}
