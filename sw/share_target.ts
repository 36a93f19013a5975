/**
 * The service worker's side of the Web Share Target: keeps the shared images
 * in the share inbox and opens the app on them.
 */
import { putSharedImages, SHARED_PARAM, sharedImageFiles } from "../lib/browser/share_inbox.ts";

/** Answers the share sheet's POST /share-target with a redirect to `/?shared=ID`. */
export async function receiveShare(request: Request): Promise<Response> {
  // Read a copy: the original must stay unread to be passed on to the server.
  const fallback = request.clone();
  try {
    const files = sharedImageFiles(await request.formData());
    if (files.length === 0) return Response.redirect("/", 303);
    const id = await putSharedImages(files);
    return Response.redirect(`/?${SHARED_PARAM}=${encodeURIComponent(id)}`, 303);
  } catch {
    // No IndexedDB here (private mode): let the server keep the share instead.
    return fetch(fallback).catch(() => Response.redirect("/", 303));
  }
}
