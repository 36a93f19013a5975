/** Starts the Handwritten Digit Recognizer server on `PORT` (default 8000). */
import { startServer } from "./framework/mod.ts";
import { appMiddleware } from "./lib/server/middleware.ts";
import { sharedModelService } from "./lib/server/model_service.ts";

if (import.meta.main) {
  // The model loads once, while the server starts; /api/health says when it is ready.
  sharedModelService().start().catch(() => {/* logged; the API answers 503 */});
  await startServer({
    root: import.meta.dirname!,
    port: Number(Deno.env.get("PORT") ?? 8000),
    dev: Deno.env.get("FRESH_DEV") === "1",
    before: appMiddleware(),
  });
}
