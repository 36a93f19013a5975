/**
 * Integration: the prediction API of the real server over real HTTP, with
 * small limits so that every error can be provoked quickly.
 */
import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import {
  concat,
  decimalNumberImage,
  digitImage,
  GIF_LZW_LOOP,
  imagesByFormat,
  jpegBytes,
  multipart,
  pngBomb,
  pngBytes,
  SVG_BYTES,
  TIFF_BYTES,
} from "./test_images.ts";

import { buildOnce, ROOT } from "../helpers/build.ts";
const MODEL_VERSION = JSON.parse(
  await Deno.readTextFile(new URL("../../static/model/model.json", import.meta.url)),
).userDefinedMetadata.version;

/** Small limits: one recognition at a time, one waiting, 4 images, 1.5 s for a body or a decode. */
const ENV = {
  API_CONCURRENCY: "1",
  API_MAX_QUEUED: "1",
  API_MAX_IMAGES: "4",
  API_BODY_TIMEOUT_MS: "1500",
  API_DECODE_TIMEOUT_MS: "1500",
};

async function waitReady(url: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 60_000;
  while (true) {
    const res = await fetch(url + "/api/health");
    const body = await res.json();
    if (res.status === 200 || body.status === "failed" || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function post(
  url: string,
  body: BodyInit | Uint8Array | null,
  type?: string,
  init: RequestInit = {},
) {
  return fetch(url + "/api/predict", {
    method: "POST",
    body: body as BodyInit,
    headers: type ? { "Content-Type": type } : {},
    ...init,
  });
}

/** Asserts a JSON error answer with `status` and `code`; returns the error object. */
async function expectError(
  res: Response | Promise<Response>,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const r = await res;
  const text = await r.text();
  assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status}: ${text}`);
  assert.match(r.headers.get("Content-Type") ?? "", /^application\/json/);
  const body = JSON.parse(text);
  assert.equal(body.error?.code, code, text);
  assert.equal(typeof body.error.message, "string");
  assert.ok(body.error.message.length > 10, "the message explains");
  assert.equal(r.headers.get("X-Content-Type-Options"), "nosniff", "security headers on errors");
  return body.error;
}

/** A request body that sends `prefix` and then nothing more until aborted. */
function stalledBody(prefix: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(prefix);
    },
  });
}

Deno.test("api - the real server answers each kind of request as documented", async (t) => {
  await buildOnce();
  const server = await startTestServer(ROOT, ENV);
  try {
    await t.step(
      "GET /api/health reports readiness, the model version and the backend",
      async () => {
        const health = await waitReady(server.url);
        assert.equal(health.status, "ready", JSON.stringify(health));
        assert.equal(health.model_version, MODEL_VERSION);
        assert.ok(health.backend === "wasm" || health.backend === "cpu");
        assert.deepEqual(health.queue, { running: 0, waiting: 0, capacity: 2 });
      },
    );

    await t.step(
      "one image as the body: digits, per-digit details, model version and time",
      async () => {
        const res = await post(server.url, pngBytes(digitImage(7, 60, 60)), "image/png");
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("Cache-Control"), "no-store");
        const body = await res.json();
        assert.equal(body.model_version, MODEL_VERSION);
        assert.equal(typeof body.time_ms, "number");
        assert.equal(body.images.length, 1);
        const [image] = body.images;
        assert.equal(image.format, "png");
        assert.equal(image.width, 60);
        assert.match(image.digits, /^\d+$/);
        assert.equal(image.predictions.length, image.digits.length);
        for (const [i, p] of image.predictions.entries()) {
          assert.equal(String(p.digit), image.digits[i]);
          assert.ok(p.confidence > 0 && p.confidence <= 1);
          assert.equal(p.probabilities.length, 10);
          assert.equal(p.probabilities.indexOf(Math.max(...p.probabilities)), p.digit);
          assert.equal(p.box.length, 4);
        }
        assert.equal(typeof image.time_ms, "number");
        assert.deepEqual(Object.keys(image.timings), ["decode_ms", "preprocess_ms", "model_ms"]);
      },
    );

    await t.step(
      "a number with a decimal point: its digits, and the reading as written",
      async () => {
        const res = await post(server.url, pngBytes(decimalNumberImage()), "image/png");
        const [image] = (await res.json()).images;
        assert.equal(image.digits, "710");
        assert.equal(image.reading, "71.0");
        assert.equal(image.turned, 0);
        assert.equal(image.predictions.length, image.digits.length);
      },
    );

    await t.step("every accepted format is read, its type sniffed from the bytes", async () => {
      for (const [format, bytes] of Object.entries(imagesByFormat())) {
        // The declared type is deliberately wrong for all but PNG: the bytes decide.
        const res = await post(server.url, bytes, "image/png");
        const body = await res.json();
        assert.equal(res.status, 200, `${format}: ${JSON.stringify(body)}`);
        assert.equal(body.images[0].format, format);
      }
      const untyped = await post(server.url, jpegBytes(digitImage(1)), "application/octet-stream");
      assert.equal((await untyped.json()).images[0].format, "jpeg");
    });

    await t.step("multipart with several images answers for each, in order", async () => {
      const images = imagesByFormat(digitImage(4, 48, 48));
      const files = [
        { bytes: images.png, name: "four.png" },
        { bytes: images.jpeg, name: "four.jpg", type: "image/jpeg" },
        { bytes: images.gif, name: "four.gif", type: "application/octet-stream" },
      ];
      const res = await post(server.url, multipart(files));
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(body.images.map((i: { name: string }) => i.name), [
        "four.png",
        "four.jpg",
        "four.gif",
      ]);
      assert.deepEqual(body.images.map((i: { format: string }) => i.format), [
        "png",
        "jpeg",
        "gif",
      ]);
      for (const image of body.images) assert.equal(image.predictions.length, image.digits.length);
    });

    await t.step(
      "413 for a body over the limit, declared or chunked, before reading it all",
      async () => {
        const big = new Uint8Array(10 * 1024 * 1024 + 1);
        big.set(pngBytes(digitImage()));
        await expectError(post(server.url, big, "image/png"), 413, "body_too_large");
        // Chunked, no Content-Length: cut off while streaming, long before its 64 MB end.
        let sent = 0;
        const endless = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 64 * 1024 * 1024) return controller.close();
            sent += 256 * 1024;
            controller.enqueue(new Uint8Array(256 * 1024));
          },
        });
        await expectError(post(server.url, endless, "image/png"), 413, "body_too_large");
        assert.ok(
          sent < 32 * 1024 * 1024,
          `the server stopped reading early (client sent ${sent})`,
        );
      },
    );

    await t.step(
      "413 for a 20,000×20,000 PNG of a few hundred bytes, from its header",
      async () => {
        const bomb = await pngBomb();
        assert.ok(bomb.length < 4096);
        const error = await expectError(
          post(server.url, bomb, "image/png"),
          413,
          "too_many_pixels",
        );
        assert.match(String(error.message), /20000×20000/);
        const health = await (await fetch(server.url + "/api/health")).json();
        assert.ok(health.memory.rss_bytes < 1.5e9, "400 MP were never allocated");
      },
    );

    await t.step("413 for more images than allowed in one request", async () => {
      const png = pngBytes(digitImage());
      const files = Array.from({ length: 5 }, (_, i) => ({ bytes: png, name: `${i}.png` }));
      await expectError(post(server.url, multipart(files)), 413, "too_many_images");
    });

    await t.step(
      "415 for a body that is not an image and for recognised but unsupported formats",
      async () => {
        await expectError(post(server.url, "7", "text/plain"), 415, "unsupported_media_type");
        await expectError(
          post(server.url, "{}", "application/json"),
          415,
          "unsupported_media_type",
        );
        await expectError(post(server.url, TIFF_BYTES, "image/png"), 415, "unsupported_format");
        const heic = concat(new Uint8Array([0, 0, 0, 24]), new TextEncoder().encode("ftypheic"));
        await expectError(
          post(server.url, concat(heic, new Uint8Array(32)), "image/heic"),
          415,
          "unsupported_format",
        );
      },
    );

    await t.step(
      "422 for zero bytes, SVG, text named .png, truncated and corrupt data",
      async () => {
        const png = pngBytes(digitImage());
        await expectError(post(server.url, new Uint8Array(0), "image/png"), 422, "empty");
        await expectError(post(server.url, SVG_BYTES, "image/svg+xml"), 422, "svg");
        await expectError(post(server.url, SVG_BYTES, "image/png"), 422, "svg");
        await expectError(post(server.url, "just text", "image/png"), 422, "not_an_image");
        const text = multipart([{
          bytes: new TextEncoder().encode("not a picture"),
          name: "digit.png",
        }]);
        const error = await expectError(post(server.url, text), 422, "not_an_image");
        assert.equal(error.index, 0);
        assert.equal(error.name, "digit.png");
        await expectError(post(server.url, png.subarray(0, 200), "image/png"), 422, "truncated");
        await expectError(
          post(server.url, jpegBytes(digitImage()).subarray(0, 400), "image/jpeg"),
          422,
          "truncated",
        );
        const corrupt = png.slice();
        for (let i = 100; i < 300; i++) corrupt[i] ^= 0x5a;
        await expectError(post(server.url, corrupt, "image/png"), 422, "corrupt");
      },
    );

    await t.step(
      "422 decode_timeout for a GIF its decoder never finishes, health answering meanwhile",
      async () => {
        const started = Date.now();
        const pending = post(server.url, GIF_LZW_LOOP, "image/gif");
        await new Promise((r) => setTimeout(r, 300));
        // Decoding runs in a worker: the server answers while it is stuck.
        const health = await fetch(server.url + "/api/health");
        assert.equal(health.status, 200);
        assert.equal((await health.json()).queue.running, 1);
        await expectError(pending, 422, "decode_timeout");
        assert.ok(Date.now() - started < 10_000);
        const ok = await post(server.url, pngBytes(digitImage()), "image/png");
        assert.equal(ok.status, 200, "a fresh worker takes the next image");
        await ok.body?.cancel();
      },
    );

    await t.step("a bad image among good ones fails the request and says which one", async () => {
      const png = pngBytes(digitImage());
      const files = [
        { bytes: png, name: "good.png" },
        { bytes: png.subarray(0, 150), name: "cut.png" },
      ];
      const error = await expectError(post(server.url, multipart(files)), 422, "truncated");
      assert.equal(error.index, 1);
      assert.match(String(error.message), /^Image 2 \("cut.png"\)/);
    });

    await t.step("400 for malformed multipart and for a form without an image field", async () => {
      await expectError(
        post(server.url, "--x\r\ngarbage", "multipart/form-data; boundary=y"),
        400,
        "bad_multipart",
      );
      await expectError(post(server.url, "abc", "multipart/form-data"), 400, "bad_multipart");
      const form = multipart([{ bytes: pngBytes(digitImage()), name: "a.png" }], "file");
      await expectError(post(server.url, form), 400, "no_image");
    });

    await t.step("404 and 405 under /api/ are JSON too", async () => {
      await expectError(fetch(server.url + "/api/predict"), 405, "method_not_allowed");
      const res = await fetch(server.url + "/api/predict", { method: "PUT" });
      await expectError(res, 405, "method_not_allowed");
      assert.equal(res.headers.get("Allow"), "POST");
      await expectError(fetch(server.url + "/api/nothing"), 404, "not_found");
    });

    await t.step(
      "a body that stalls holds no queue place and gets 408; 503 with Retry-After when the queue is full",
      async () => {
        const png = pngBytes(digitImage());
        const abort = new AbortController();
        // Three stalled uploads: more than the queue's two places (one running, one waiting)…
        const stalled = [0, 1, 2].map(() =>
          post(server.url, stalledBody(png.subarray(0, 10)), "image/png", { signal: abort.signal })
        );
        await new Promise((r) => setTimeout(r, 300));
        // …yet a normal request is served: places are taken once a body has arrived.
        const ok = await post(server.url, png, "image/png");
        assert.equal(ok.status, 200);
        await ok.body?.cancel();
        for (const res of stalled) await expectError(res, 408, "body_timeout");
        abort.abort();
        // Two decodes that run to their deadline fill both places, so a third is refused at once.
        const slow = [0, 1].map(() => post(server.url, GIF_LZW_LOOP, "image/gif"));
        await new Promise((r) => setTimeout(r, 300));
        const busy = await post(server.url, png, "image/png");
        const retryAfter = Number(busy.headers.get("Retry-After"));
        await expectError(busy, 503, "busy");
        assert.ok(retryAfter >= 1, `Retry-After: ${retryAfter}`);
        for (const res of slow) await expectError(res, 422, "decode_timeout");
      },
    );

    await t.step("the server stays up, answers the next request and leaks no tensors", async () => {
      const before = (await (await fetch(server.url + "/api/health")).json()).memory.tf_tensors;
      const png = pngBytes(digitImage(0, 64, 64));
      for (let i = 0; i < 5; i++) {
        await expectError(
          post(server.url, png.subarray(0, 100 + i), "image/png"),
          422,
          "truncated",
        );
        const ok = await post(server.url, png, "image/png");
        assert.equal(ok.status, 200);
        await ok.body?.cancel();
      }
      const health = await (await fetch(server.url + "/api/health")).json();
      assert.equal(health.status, "ready");
      assert.equal(health.memory.tf_tensors, before, "tf.memory().numTensors is unchanged");
      assert.deepEqual(health.queue, { running: 0, waiting: 0, capacity: 2 });
      assert.doesNotMatch(server.output(), /Unexpected error|Uncaught/);
    });
  } finally {
    await server.close();
  }
});

Deno.test("api - 503 model_unavailable and a failed health when the model cannot load", async () => {
  const broken = await startTestServer(ROOT, { MODEL_PATH: "/nonexistent/model.json" });
  try {
    const health = await fetch(broken.url + "/api/health");
    const body = await health.json();
    assert.equal(health.status, 503);
    assert.ok(body.status === "failed" || body.status === "loading");
    await waitReady(broken.url);
    await expectError(
      post(broken.url, pngBytes(digitImage()), "image/png"),
      503,
      "model_unavailable",
    );
    const after = await (await fetch(broken.url + "/api/health")).json();
    assert.equal(after.status, "failed");
    assert.equal(after.error.code, "model_unavailable");
    const home = await fetch(broken.url + "/");
    assert.equal(home.status, 200, "the pages still work without the model");
    await home.body?.cancel();
  } finally {
    await broken.close();
  }
});
