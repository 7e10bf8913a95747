import { existsSync } from "node:fs";
import { chromium, type Page } from "playwright-core";
import { uiAssets } from "../../src/http/ui-assets";

/** The browser tests run only where Chromium is installed and the UI has been built into the binary. */
export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);
export const uiBuilt = "/index.html" in uiAssets;

/** A headless Chromium with one page of the given size and a 10 s default timeout. */
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
  page.setDefaultTimeout(10_000);
  return { browser, page };
}
