/**
 * Validators for rendered pages. A page is the same bytes until the next
 * build, so an ETag of its HTML lets a browser (or the service worker
 * precaching it right after the first visit) revalidate instead of
 * downloading it again: an unchanged page costs a 304.
 */
import { etagMatches } from "./static_files.ts";

/**
 * `res` with an ETag and `Cache-Control: no-cache` (stored, always
 * revalidated) when it is a successful HTML page; a 304 when `req`'s
 * If-None-Match names that ETag. Other responses, and pages that set their
 * own ETag or Cache-Control, come back as they are.
 */
export async function withPageETag(req: Request, res: Response): Promise<Response> {
  const html = res.headers.get("Content-Type")?.startsWith("text/html");
  if (
    res.status !== 200 || !html || (req.method !== "GET" && req.method !== "HEAD") ||
    res.headers.has("ETag") || res.headers.has("Cache-Control")
  ) {
    return res;
  }
  const body = new Uint8Array(await res.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", body));
  const etag = `"${btoa(String.fromCharCode(...digest)).slice(0, 27)}"`;
  const headers = new Headers(res.headers);
  headers.set("ETag", etag);
  headers.set("Cache-Control", "no-cache");
  if (etagMatches(req.headers.get("If-None-Match"), etag)) {
    headers.delete("Content-Length");
    return new Response(null, { status: 304, headers });
  }
  return new Response(req.method === "HEAD" ? null : body, { status: 200, headers });
}
