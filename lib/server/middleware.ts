/**
 * The `before` middleware list of the app, in one place so that main.ts and
 * the tests that build the app in process run exactly the same chain.
 */
import type { Middleware } from "./middleware_context.ts";
import { apiJsonErrors } from "./api_json_errors.ts";
import { securityHeaders } from "./security_headers.ts";

/** Security headers outermost, so that they land on the JSON errors too. */
export function appMiddleware(): Middleware[] {
  return [securityHeaders(), apiJsonErrors()];
}
