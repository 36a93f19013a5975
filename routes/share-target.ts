/**
 * `POST /share-target`: the Web Share Target of the installed app, for when
 * no service worker answers it (the worker normally does, see sw/share_target.ts).
 * The images are held in memory for a few minutes under a random id and the
 * browser is sent to `/?shared=ID`; the home page fetches them once with
 * `GET /share-target?id=ID` (lib/browser/share_inbox.ts `takeSharedImages`).
 */
import type { Handlers } from "@/framework/mod.ts";
import { MAX_SHARED_BYTES, SHARE_FIELD, sharedImageFiles } from "@/lib/browser/share_inbox.ts";

/** How long a share waits to be picked up (ms). */
const KEEP_MS = 10 * 60 * 1000;
/** Shares held at once; the oldest goes first. */
const MAX_SHARES = 20;
/** Largest request body accepted (bytes). */
const MAX_BODY = 4 * MAX_SHARED_BYTES;

const shares = new Map<string, { time: number; files: File[] }>();

function dropStale(now = Date.now()): void {
  for (const [id, share] of shares) {
    if (now - share.time > KEEP_MS || shares.size > MAX_SHARES) shares.delete(id);
  }
}

const redirect = (location: string) =>
  new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });

export const handler: Handlers = {
  async POST(ctx) {
    const length = Number(ctx.req.headers.get("Content-Length") ?? 0);
    if (length > MAX_BODY) return new Response("Shared files too large", { status: 413 });
    let files: File[];
    try {
      files = sharedImageFiles(await ctx.req.formData());
    } catch {
      return new Response("Expected multipart/form-data with images", { status: 400 });
    }
    if (files.length === 0) return redirect("/");
    dropStale();
    const id = crypto.randomUUID();
    shares.set(id, { time: Date.now(), files });
    return redirect(`/?shared=${id}`);
  },
  GET(ctx) {
    const id = ctx.url.searchParams.get("id");
    if (!id) return redirect("/");
    dropStale();
    const share = shares.get(id);
    if (!share) {
      return new Response("No such share (already taken or expired)", {
        status: 404,
        headers: { "Cache-Control": "no-store" },
      });
    }
    // One pick-up only: the images are the user's and should not linger on the server.
    shares.delete(id);
    const form = new FormData();
    for (const file of share.files) form.append(SHARE_FIELD, file, file.name);
    const res = new Response(form);
    res.headers.set("Cache-Control", "no-store");
    return res;
  },
};
