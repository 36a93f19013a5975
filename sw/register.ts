/**
 * The page's side of the service worker: registers /sw.js (workbox-window)
 * once the page has fetched what it needs itself, so that precaching finds
 * every file in the HTTP cache instead of downloading it a second time, and
 * reports a new version that is installed and waiting, with the function
 * that switches to it and reloads.
 */
import { Workbox } from "workbox-window";

/** How often a page left open looks for a new deployment (ms). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;
/** Registration waits at most this long for the recognizer to be ready (ms). */
const SETTLE_MAX_MS = 20_000;

/** Resolves once the page has loaded and its recognizer (if any) is ready or has failed. */
function pageSettled(): Promise<void> {
  const loaded = document.readyState === "complete"
    ? Promise.resolve()
    : new Promise<void>((resolve) => addEventListener("load", () => resolve(), { once: true }));
  return loaded.then(() => {
    const root = document.documentElement;
    const settled = () =>
      !document.getElementById("recognizer") || root.dataset.recognizerReady === "true" ||
      !!document.querySelector(".rz-dot-error");
    if (settled()) return;
    return new Promise<void>((resolve) => {
      const observer = new MutationObserver(() => settled() && finish());
      const timer = setTimeout(() => finish(), SETTLE_MAX_MS);
      const finish = () => {
        observer.disconnect();
        clearTimeout(timer);
        resolve();
      };
      observer.observe(root, { attributes: true, subtree: true, childList: true });
    });
  });
}

/**
 * Registers the service worker once per page; `onUpdate` is called when a new
 * version waits, with `apply` to activate it and reload. No-op where service
 * workers are unsupported (or on insecure origins).
 */
export function registerServiceWorker(onUpdate: (apply: () => void) => void): void {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  const wb = new Workbox("/sw.js", { scope: "/" });
  wb.addEventListener("waiting", () => {
    onUpdate(() => {
      // Reload once the new worker controls the page, so the page and its cache agree.
      wb.addEventListener("controlling", () => location.reload());
      wb.messageSkipWaiting();
    });
  });
  pageSettled()
    .then(() => wb.register())
    .catch((error) => console.warn("Service worker registration failed", error));
  // An installed app may stay open for days: look for a deployment now and then.
  const check = () => wb.update().catch(() => {});
  setInterval(check, UPDATE_CHECK_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void check();
  });
}
