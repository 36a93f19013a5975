/**
 * `POST /share-target`: the Web Share Target of the installed app, for when
 * no service worker answers it (the worker normally does, see sw/share_target.ts).
 * The images are held in memory for a few minutes under a random id and the
 * browser is sent to `/?shared=ID`; the home page fetches them once with
 * `GET /share-target?id=ID` (lib/browser/share_inbox.ts `takeSharedImages`).
 */
import { type Handlers, HttpError } from "@/framework/mod.ts";
import { SHARE_FIELD, sharedImageFiles } from "@/lib/browser/share_inbox.ts";
import { ApiError } from "@/lib/server/api_error.ts";
import { readBodyCapped } from "@/lib/server/read_body.ts";
import { sharedApiDeps } from "@/lib/server/predict_api.ts";
import { isSameOriginShare } from "@/lib/server/share_origin.ts";

/** How long a share waits to be picked up (ms). */
const KEEP_MS = 10 * 60 * 1000;
/** Shares held at once; the oldest goes first. */
const MAX_SHARES = 20;
/** Largest request body accepted (bytes): a few phone photos. */
const MAX_BODY = 48 * 1024 * 1024;
/** Bytes of all the shares held together; the oldest go first. */
const MAX_STORED = 96 * 1024 * 1024;

const shares = new Map<string, { time: number; files: File[]; bytes: number }>();

function dropStale(now = performance.now()): void {
  let stored = 0;
  for (const share of shares.values()) stored += share.bytes;
  // Map order is insertion order: the oldest come first.
  for (const [id, share] of shares) {
    if (now - share.time > KEEP_MS || shares.size > MAX_SHARES || stored > MAX_STORED) {
      shares.delete(id);
      stored -= share.bytes;
    }
  }
}

const redirect = (location: string) =>
  new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });

export const handler: Handlers = {
  async POST(ctx) {
    const req = ctx.req;
    if (!isSameOriginShare(req)) {
      await req.body?.cancel().catch(() => {});
      throw new HttpError(403, "cross-site share refused");
    }
    // The same caps as the API: size while streaming, a deadline, the shared body budget.
    const { limits, budget } = sharedApiDeps();
    let body: Uint8Array;
    try {
      body = await readBodyCapped(req, {
        maxBytes: MAX_BODY,
        timeoutMs: limits.bodyTimeoutMs,
        budget,
      });
    } catch (error) {
      if (error instanceof ApiError) throw new HttpError(error.status, error.code);
      throw error;
    }
    let files: File[];
    try {
      const type = req.headers.get("Content-Type") ?? "";
      files = sharedImageFiles(
        await new Response(body as BodyInit, { headers: { "Content-Type": type } }).formData(),
      );
    } catch {
      throw new HttpError(400, "expected multipart/form-data with images");
    } finally {
      budget.release(body.length);
    }
    if (files.length === 0) return redirect("/");
    const id = crypto.randomUUID();
    shares.set(id, {
      time: performance.now(),
      files,
      bytes: files.reduce((n, f) => n + f.size, 0),
    });
    dropStale();
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
