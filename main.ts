/** Starts the Handwritten Digit Recognizer server on `PORT` (default 8000). */
import { startServer } from "./framework/mod.ts";

if (import.meta.main) {
  await startServer({
    root: import.meta.dirname!,
    port: Number(Deno.env.get("PORT") ?? 8000),
    dev: Deno.env.get("FRESH_DEV") === "1",
  });
}
