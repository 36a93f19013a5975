/**
 * The service worker (served as /sw.js, scope /), bundled by
 * sw/build_service_worker.ts with the precache list of the build injected as
 * `self.__WB_MANIFEST`.
 *
 * - Precache (Workbox): pages, island bundles, CSS, icons, the model and its
 *   shards, the WASM binaries; served cache-first, so the app works offline.
 *   A new build changes the list, hence this file's bytes, so the browser
 *   installs the new worker; it waits until the page says "reload"
 *   (SKIP_WAITING), then Workbox deletes the entries the new list dropped.
 *   IndexedDB (the history) is never touched.
 * - Other navigations go to the network; offline, the home page answers.
 * - POST /share-target (Web Share Target) is answered here: the images go to
 *   the share inbox and the page opens on /?shared=ID.
 */
import { clientsClaim } from "workbox-core";
import {
  cleanupOutdatedCaches,
  matchPrecache,
  precacheAndRoute,
  type PrecacheEntry,
} from "workbox-precaching";
import { NavigationRoute, registerRoute, setCatchHandler } from "workbox-routing";
import { NetworkOnly } from "workbox-strategies";
import { receiveShare } from "./share_target.ts";

interface ServiceWorkerScope {
  __WB_MANIFEST: (PrecacheEntry | string)[];
  skipWaiting(): Promise<void>;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}
const sw = self as unknown as ServiceWorkerScope;

/** The page posts this to activate a waiting worker (the "reload" button). */
const SKIP_WAITING = "SKIP_WAITING";

// Query strings never change what a precached file or page is (`/?shared=…`, `/?mode=camera`).
// Written as `self.__WB_MANIFEST` so the build's `define` replaces it with the list.
precacheAndRoute((self as unknown as ServiceWorkerScope).__WB_MANIFEST, {
  ignoreURLParametersMatching: [/.*/],
});
cleanupOutdatedCaches();
// The first worker takes control of the page that installed it, so that page works offline too.
clientsClaim();

registerRoute(
  ({ url, request }) => url.pathname === "/share-target" && request.method === "POST",
  ({ request }) => receiveShare(request),
  "POST",
);

registerRoute(new NavigationRoute(new NetworkOnly()));

setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") return (await matchPrecache("/")) ?? Response.error();
  return Response.error();
});

sw.addEventListener("message", (event) => {
  if (event.data?.type === SKIP_WAITING) void sw.skipWaiting();
});
