/**
 * The inbox of images shared to the installed app (Web Share Target).
 *
 * The phone's share sheet POSTs the images (multipart) to `/share-target`.
 * The service worker answers that POST itself: it puts the images here
 * (`putSharedImages`, IndexedDB) and redirects to `/?shared=ID`. Without a
 * service worker the server does the same with a short-lived copy in memory
 * (routes/share-target.ts). Either way, the home page then calls
 * `takeSharedImages()` once, which hands over the images of that share and
 * forgets them.
 */
import { createStore, del, entries, get, set, type UseStore } from "idb-keyval";

/** The URL parameter that carries a share's id to the home page. */
export const SHARED_PARAM = "shared";
/** The form field of the shared images, as named in the web app manifest. */
export const SHARE_FIELD = "images";
/** At most this many images of one share are kept. */
export const MAX_SHARED_FILES = 10;
/** Images larger than this (bytes) are dropped. */
export const MAX_SHARED_BYTES = 25 * 1024 * 1024;
/** Shares not taken within this time are removed (ms). */
const KEEP_MS = 24 * 60 * 60 * 1000;

interface InboxItem {
  id: string;
  time: number;
  files: { name: string; type: string; blob: Blob }[];
}

let store: UseStore | undefined;
function inbox(): UseStore {
  // A database of its own: idb-keyval keeps one object store per database.
  store ??= createStore("digit-recognizer-share", "inbox");
  return store;
}

/** The image files of a share form, within the limits (count, size, image types only). */
export function sharedImageFiles(form: FormData): File[] {
  return form.getAll(SHARE_FIELD)
    .filter((v): v is File => typeof v !== "string")
    .filter((f) => f.size > 0 && f.size <= MAX_SHARED_BYTES && /^image\//.test(f.type || "image/"))
    .slice(0, MAX_SHARED_FILES);
}

/** Keeps shared files until the page takes them; resolves the share's id. */
export async function putSharedImages(files: File[]): Promise<string> {
  const id = crypto.randomUUID();
  const item: InboxItem = {
    id,
    time: Date.now(),
    files: files.map((f) => ({ name: f.name, type: f.type, blob: f })),
  };
  await set(id, item, inbox());
  return id;
}

/**
 * The images shared to the app that opened this page (`/?shared=ID`), once:
 * they are removed from the inbox and the parameter from the address bar, so a
 * reload does not recognise them again. Resolves `[]` when the page was not
 * opened by a share or the share is gone. Never rejects.
 */
export async function takeSharedImages(url: string = location.href): Promise<File[]> {
  const id = new URL(url).searchParams.get(SHARED_PARAM);
  if (!id) return [];
  forgetParam();
  try {
    const item = await get<InboxItem>(id, inbox());
    if (item) {
      await del(id, inbox());
      void removeStale();
      return item.files.map((f) => new File([f.blob], f.name || "shared-image", { type: f.type }));
    }
  } catch {
    // No IndexedDB (private mode): the server may still hold the share.
  }
  try {
    const res = await fetch(`/share-target?id=${encodeURIComponent(id)}`, { cache: "no-store" });
    if (!res.ok) return [];
    return sharedImageFiles(await res.formData());
  } catch {
    return [];
  }
}

function forgetParam(): void {
  if (typeof history === "undefined" || typeof location === "undefined") return;
  const clean = new URL(location.href);
  if (!clean.searchParams.has(SHARED_PARAM)) return;
  clean.searchParams.delete(SHARED_PARAM);
  history.replaceState(history.state, "", clean.pathname + clean.search + clean.hash);
}

/** Drops shares that were never taken (the app was closed before it read them). */
async function removeStale(): Promise<void> {
  const cutoff = Date.now() - KEEP_MS;
  for (const [key, item] of await entries<string, InboxItem>(inbox())) {
    if (item.time < cutoff) await del(key, inbox());
  }
}
