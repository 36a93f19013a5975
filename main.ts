/**
 * Starts the Handwritten Digit Recognizer server on `HOST:PORT` (default
 * 127.0.0.1:8000: this machine only; `HOST=0.0.0.0` serves the network).
 */
import { startServer } from "./framework/mod.ts";
import { appMiddleware } from "./lib/server/middleware.ts";
import { sharedModelService } from "./lib/server/model_service.ts";
import { connectionLimitsFromEnv } from "./lib/server/limits.ts";
import { sharedApiDeps } from "./lib/server/predict_api.ts";

/** Serves the app (pages, bundles, static files, the API) until the process ends. */
export async function serveApp(): Promise<void> {
  await startServer({
    root: import.meta.dirname!,
    hostname: Deno.env.get("HOST") || "127.0.0.1",
    port: Number(Deno.env.get("PORT") ?? 8000),
    dev: Deno.env.get("FRESH_DEV") === "1",
    before: appMiddleware(),
    limits: connectionLimitsFromEnv(),
  });
}

if (import.meta.main) {
  // The model loads once, while the server starts; /api/health says when it is ready.
  sharedModelService().start().catch(() => {/* logged; the API answers 503 */});
  // Decoder processes take a second or two to start: not on the first request's time.
  sharedApiDeps().pool.warm();
  await serveApp();
}
