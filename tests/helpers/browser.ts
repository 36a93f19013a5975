/** Launches Debian's headless Chromium through playwright-core (no browser download). */
import { type Browser, chromium, type LaunchOptions } from "playwright-core";
import { CHROMIUM } from "../ensure_browser.ts";

/** Flags that keep Chromium quiet on a machine with no outside network. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Starts headless Chromium; extra flags are appended to the defaults. */
export function launchBrowser(
  extraArgs: string[] = [],
  options: LaunchOptions = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    ...options,
  });
}
