/** Which shares `/share-target` accepts (routes/share-target.ts). */

/**
 * Whether a browser sent this request from the app's own pages (or from the
 * system share sheet, `Sec-Fetch-Site: none`). A page of another site can
 * auto-submit a form to `/share-target`, which would drop an image into the
 * victim's history: refused. Clients that send neither `Sec-Fetch-Site` nor
 * `Origin` (scripts, curl) are no such risk and are accepted.
 */
export function isSameOriginShare(req: Request): boolean {
  const site = req.headers.get("Sec-Fetch-Site");
  if (site !== null) return site === "same-origin" || site === "none";
  const origin = req.headers.get("Origin");
  return origin === null || origin === new URL(req.url).origin;
}
