/**
 * Makes every error under `/api/` JSON, including those the framework
 * answers by itself (404 for an unknown path, 405 for a wrong method, its
 * HTML 500 page), so API clients only ever parse `{ "error": {…} }`.
 */
import type { Middleware } from "./middleware_context.ts";
import { jsonError } from "./api_error.ts";

/** URL prefix of the API. */
export const API_PREFIX = "/api/";

const MESSAGES: Record<number, [string, string]> = {
  400: ["bad_request", "The request is malformed (check the Host header and the URL)."],
  404: ["not_found", "There is no API endpoint at this path."],
  405: ["method_not_allowed", "This endpoint does not accept this method."],
  408: ["request_timeout", "The request did not arrive in time."],
  431: ["headers_too_large", "The request headers are too large."],
  500: ["internal", "The server failed to handle this request."],
};

/** Replaces a non-JSON error response under `/api/` with the JSON error for its status. */
export function apiJsonErrors(): Middleware {
  return async (ctx) => {
    const res = await ctx.next();
    if (!ctx.url.pathname.startsWith(API_PREFIX) || res.status < 400) return res;
    if (res.headers.get("Content-Type")?.startsWith("application/json")) return res;
    await res.body?.cancel().catch(() => {});
    const [code, message] = MESSAGES[res.status] ?? [`http_${res.status}`, res.statusText];
    const keep: Record<string, string> = {};
    const allow = res.headers.get("Allow");
    if (allow) keep.Allow = allow;
    return jsonError(res.status, code, message || `HTTP ${res.status}`, keep);
  };
}
