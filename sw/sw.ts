/**
 * The service worker (served as /sw.js, scope /), bundled by
 * sw/build_service_worker.ts with the precache list of the build injected as
 * `self.__WB_MANIFEST`.
 *
 * - Precache (Workbox): pages, the scripts every visit runs (runtime,
 *   islands, recognition worker), CSS, icons; served cache-first, so the app
 *   works offline. Precaching never downloads a file the page already has:
 *   it asks the HTTP cache first (`no-cache`: an unchanged file costs a 304),
 *   and the page registers this worker only after its own downloads
 *   (sw/register.ts). A new build changes the list, hence this file's bytes,
 *   so the browser installs the new worker; it waits until the page says
 *   "reload" (SKIP_WAITING), then Workbox deletes the entries the new list
 *   dropped. IndexedDB (the history) is never touched.
 * - On demand: the WASM build, backend code and model this device uses are
 *   fetched by the recognition worker, and the personal model's rehearsal
 *   digits by the page once the user labels a first digit; each is kept here
 *   once used (a runtime
 *   cache; the page lists them with CACHE_URLS after its first visit, when
 *   this worker did not yet control it): a phone never downloads the builds
 *   and backends it does not run.
 * - Other navigations go to the network; offline, the home page answers.
 * - POST /share-target (Web Share Target) is answered here: the images go to
 *   the share inbox and the page opens on /?shared=ID.
 */
import { clientsClaim } from "workbox-core";
import {
  addPlugins,
  cleanupOutdatedCaches,
  matchPrecache,
  precacheAndRoute,
  type PrecacheEntry,
} from "workbox-precaching";
import { NavigationRoute, registerRoute, setCatchHandler } from "workbox-routing";
import { CacheFirst, NetworkOnly, StaleWhileRevalidate } from "workbox-strategies";
import { receiveShare } from "./share_target.ts";
import { ON_DEMAND } from "./on_demand.ts";

interface ServiceWorkerScope {
  __WB_MANIFEST: (PrecacheEntry | string)[];
  skipWaiting(): Promise<void>;
  addEventListener(type: "message", listener: (event: ExtendableMessageEvent) => void): void;
}

interface ExtendableMessageEvent extends MessageEvent {
  waitUntil(promise: Promise<unknown>): void;
}
const sw = self as unknown as ServiceWorkerScope;

/** The page posts this to activate a waiting worker (the "reload" button). */
const SKIP_WAITING = "SKIP_WAITING";

/** Where files fetched on demand are kept once used. */
const RUNTIME_CACHE = "rz-on-demand";
/** The page posts this with the on-demand files it used before this worker controlled it. */
const CACHE_URLS = "CACHE_URLS";

// Workbox fetches revisioned entries with `cache: "reload"`, which downloads again what the
// page has just downloaded; `no-cache` revalidates instead (304 when unchanged).
addPlugins([{
  requestWillFetch: ({ request }) =>
    Promise.resolve(
      request.cache === "reload" ? new Request(request, { cache: "no-cache" }) : request,
    ),
}]);

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

// On demand, kept once used: bundles have content-hashed names (cache first); the WASM builds,
// the model and the rehearsal digits keep their names, so they are refreshed in the background.
const hashedScripts = new CacheFirst({ cacheName: RUNTIME_CACHE });
const namedFiles = new StaleWhileRevalidate({ cacheName: RUNTIME_CACHE });
const onDemand = (url: URL) =>
  url.origin === location.origin
    ? url.pathname.startsWith("/_frsh/js/")
      ? hashedScripts
      : ON_DEMAND.test(url.pathname)
      ? namedFiles
      : null
    : null;
registerRoute(
  ({ url }) => onDemand(url) !== null,
  ({ url, request, event }) => onDemand(url)!.handle({ request, event }),
);

/** Keeps the files the page used before this worker controlled it (from the HTTP cache: no download). */
async function keepUsedFiles(urls: string[]): Promise<void> {
  const cache = await caches.open(RUNTIME_CACHE);
  for (const href of urls) {
    const url = new URL(href, location.href);
    if (!onDemand(url) || await matchPrecache(url.href) || await cache.match(url.href)) continue;
    try {
      const response = await fetch(url.href, { cache: "no-cache" });
      if (response.ok) await cache.put(url.href, response);
    } catch {
      // Offline already: the next visit that uses the file keeps it.
    }
  }
}

setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") return (await matchPrecache("/")) ?? Response.error();
  return Response.error();
});

sw.addEventListener("message", (event) => {
  if (event.data?.type === SKIP_WAITING) void sw.skipWaiting();
  if (event.data?.type === CACHE_URLS && Array.isArray(event.data.urls)) {
    const done = keepUsedFiles(event.data.urls.map(String)).then(
      () => event.ports[0]?.postMessage({ type: "CACHED" }),
    );
    event.waitUntil(done);
  }
});
