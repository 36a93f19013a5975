/**
 * Security headers on every response, pages, static files and API alike, as
 * a `before` middleware of createApp (it runs ahead of the static files).
 */
import type { Middleware } from "./middleware_context.ts";

/**
 * The Content-Security-Policy. Why each source is there:
 * - scripts: only the app's own files (the island bundles under /_frsh/js/);
 *   the `<script type="application/json">` state block is data, never run,
 *   so it needs nothing. `'wasm-unsafe-eval'` lets TensorFlow.js compile its
 *   WASM backend without allowing JavaScript `eval`.
 * - styles: the own stylesheet, plus inline style attributes that islands set.
 * - images: own files, plus `blob:`/`data:` for previews of uploads and photos.
 * - media: `blob:` for the camera preview.
 * - connect: own origin (model, WASM binaries, the API), `blob:`/`data:` URLs of uploads.
 * - workers: the service worker (/sw.js) and any same-origin worker.
 * - no plugins, no framing by other sites, no `<base>` or form posts elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self' blob: data:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The camera for this origin only (getUserMedia); nothing else the app does not use. */
export const PERMISSIONS_POLICY =
  "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()";

/** Every header set by {@link securityHeaders}. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": PERMISSIONS_POLICY,
  "Cross-Origin-Opener-Policy": "same-origin",
  // frame-ancestors covers current browsers; this covers older ones.
  "X-Frame-Options": "DENY",
});

/** Sets the headers on `res`, copying it first when its headers are immutable. */
export function withSecurityHeaders(res: Response): Response {
  let out = res;
  try {
    applyHeaders(out.headers);
  } catch {
    // Responses from fetch() or Response.redirect() have read-only headers.
    out = new Response(res.body, res);
    applyHeaders(out.headers);
  }
  return out;
}

function applyHeaders(headers: Headers) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  // Never advertise the server stack.
  headers.delete("X-Powered-By");
}

/** Middleware that adds {@link SECURITY_HEADERS} to whatever the rest of the app answers. */
export function securityHeaders(): Middleware {
  return async (ctx) => withSecurityHeaders(await ctx.next());
}
