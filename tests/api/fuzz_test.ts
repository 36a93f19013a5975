/**
 * Fuzz: at least 1,000 mutated, truncated and random images sent to the
 * prediction API in process (the app's own fetch handler, no sockets), from
 * a fixed seed so a failure replays exactly. Every answer must be a 2xx or a
 * JSON 4xx, never a 5xx or a thrown error, and the app must still work after.
 * Then pictures with no writing in them (procedural photos of objects and
 * textures, at phone sizes) must be recognised without an error.
 */
import assert from "node:assert/strict";
import { createApp } from "../../framework/server.ts";
import { appMiddleware } from "../../lib/server/middleware.ts";
import { sharedModelService } from "../../lib/server/model_service.ts";
import { sharedApiDeps } from "../../lib/server/predict_api.ts";
import { modelPath } from "../recognition/helpers.ts";
import { makeRng } from "../../lib/core/random.ts";
import { loadModel } from "../../lib/core/model_runner.ts";
import { recognize } from "../../lib/core/recognize.ts";
import { initInferenceBackend } from "../../lib/server/tf_backend.ts";
import { NATURAL_KINDS, naturalImage } from "./natural_images.ts";
import {
  digitImage,
  imagesByFormat,
  pngBytes,
  type Rgba,
  WEBP_LOSSLESS,
  WEBP_LOSSY,
} from "./test_images.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20261124);
const CASES = Number(Deno.env.get("FUZZ_CASES") ?? 2000);
/**
 * A decoder stuck on a hostile file (omggif loops on some damaged GIFs) is
 * cut off after this, answering 422 decode_timeout. The seeds are at most
 * 64×64 and decoder processes start with their decoders loaded, so a file
 * that decodes at all does so in milliseconds: a short deadline only cuts the
 * loops sooner, which keeps this test about a minute instead of two.
 */
const DECODE_TIMEOUT_MS = Deno.env.get("API_DECODE_TIMEOUT_MS") ?? "1000";

type Rand = () => number;
const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)];

/** A noisy variant of a drawn digit, so seeds differ in content as well as size. */
function noisy(img: Rgba, rand: Rand): Rgba {
  const data = img.data.slice();
  for (let i = 0; i < data.length; i += 4) {
    const v = Math.max(0, Math.min(255, data[i] + int(rand, 41) - 20));
    data[i] = data[i + 1] = data[i + 2] = v;
  }
  return { ...img, data };
}

/** Valid images of every format in a few sizes: what the mutators start from. */
function seedImages(rand: Rand): { format: string; bytes: Uint8Array }[] {
  const out: { format: string; bytes: Uint8Array }[] = [];
  const shapes: [0 | 1 | 4 | 7, number, number][] = [[7, 28, 28], [0, 40, 32], [4, 24, 48], [
    1,
    64,
    64,
  ]];
  for (const [d, w, h] of shapes) {
    for (
      const [format, bytes] of Object.entries(imagesByFormat(noisy(digitImage(d, w, h), rand)))
    ) {
      if (format !== "webp") out.push({ format, bytes });
    }
  }
  out.push({ format: "webp", bytes: WEBP_LOSSLESS }, { format: "webp", bytes: WEBP_LOSSY });
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** Recomputes every PNG chunk CRC, so mutations get past the checksum into the decoder. */
function fixPngCrcs(b: Uint8Array): Uint8Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 8;
  while (o + 12 <= b.length) {
    const len = dv.getUint32(o);
    if (o + 12 + len > b.length) break;
    let c = 0xffffffff;
    for (let i = o + 4; i < o + 8 + len; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
    dv.setUint32(o + 8 + len, (c ^ 0xffffffff) >>> 0);
    o += 12 + len;
  }
  return b;
}

/** Byte offsets of the width/height fields, per format (JPEG: after the first SOF marker). */
function dimensionFields(
  format: string,
  b: Uint8Array,
): { at: number; size: 2 | 4; le: boolean }[] {
  switch (format) {
    case "png":
      return [{ at: 16, size: 4, le: false }, { at: 20, size: 4, le: false }];
    case "gif":
      return [{ at: 6, size: 2, le: true }, { at: 8, size: 2, le: true }];
    case "bmp":
      return [{ at: 18, size: 4, le: true }, { at: 22, size: 4, le: true }];
    case "jpeg": {
      for (let i = 2; i + 9 < b.length; i++) {
        if (b[i] === 0xff && b[i + 1] >= 0xc0 && b[i + 1] <= 0xc2) {
          return [{ at: i + 5, size: 2, le: false }, { at: i + 7, size: 2, le: false }];
        }
      }
      return [];
    }
    default: // webp: the VP8/VP8L frame header sits around here
      return [{ at: 21, size: 2, le: true }, { at: 26, size: 2, le: true }];
  }
}

const DIMENSIONS = [0, 1, 2, 255, 256, 4095, 8191, 16383, 30000, 65535, 0x7fffffff, 0xffffffff];

/** One mutated image: the mutators cover the decoders' headers, bodies and ends. */
function mutate(rand: Rand, seed: { format: string; bytes: Uint8Array }): Uint8Array {
  const b = seed.bytes;
  switch (int(rand, 9)) {
    case 0: { // flip a few random bytes anywhere
      const out = b.slice();
      for (let k = 1 + int(rand, 8); k > 0; k--) out[int(rand, out.length)] ^= 1 + int(rand, 255);
      return seed.format === "png" && rand() < 0.5 ? fixPngCrcs(out) : out;
    }
    case 1: // truncate anywhere, including to nothing
      return b.slice(0, int(rand, b.length));
    case 2: { // scramble the header after the magic bytes
      const out = b.slice();
      for (let i = 4; i < Math.min(64, out.length); i++) if (rand() < 0.3) out[i] = int(rand, 256);
      return seed.format === "png" ? fixPngCrcs(out) : out;
    }
    case 3: { // hostile dimensions in the header
      const out = b.slice();
      const dv = new DataView(out.buffer);
      for (const f of dimensionFields(seed.format, out)) {
        if (f.at + f.size > out.length || rand() < 0.3) continue;
        const v = pick(rand, DIMENSIONS);
        if (f.size === 2) dv.setUint16(f.at, v & 0xffff, f.le);
        else dv.setUint32(f.at, v >>> 0, f.le);
      }
      return seed.format === "png" ? fixPngCrcs(out) : out;
    }
    case 4: { // cut a range out, or repeat one
      const from = int(rand, b.length), to = from + int(rand, Math.max(1, b.length - from));
      const part = b.subarray(from, to);
      return rand() < 0.5
        ? new Uint8Array([...b.subarray(0, from), ...b.subarray(to)])
        : new Uint8Array([...b.subarray(0, to), ...part, ...b.subarray(to)]);
    }
    case 5: { // the real magic bytes, then random data
      const out = new Uint8Array(16 + int(rand, 2000));
      for (let i = 0; i < out.length; i++) out[i] = int(rand, 256);
      out.set(b.subarray(0, Math.min(16, b.length)));
      return out;
    }
    case 6: { // garbage appended after a valid image
      const tail = Uint8Array.from({ length: 1 + int(rand, 500) }, () => int(rand, 256));
      return new Uint8Array([...b, ...tail]);
    }
    case 7: // purely random bytes
      return Uint8Array.from({ length: int(rand, 3000) }, () => int(rand, 256));
    default: { // several mutations on top of each other
      let out = b;
      for (let k = 2 + int(rand, 2); k > 0; k--) out = mutate(rand, { ...seed, bytes: out });
      return out;
    }
  }
}

const DECLARED = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/bmp",
  "application/octet-stream",
  undefined,
];

const URL_ = "http://localhost/api/predict";

/** A multipart body of `form`, serialised by the platform, then damaged byte-wise. */
async function mangledMultipart(rand: Rand, form: FormData): Promise<Request> {
  const valid = new Request(URL_, { method: "POST", body: form });
  const type = valid.headers.get("Content-Type")!;
  const bytes = new Uint8Array(await valid.arrayBuffer());
  const mangled = rand() < 0.5 ? bytes.slice(0, int(rand, bytes.length)) : bytes.slice();
  for (let k = int(rand, 6); k > 0 && mangled.length; k--) {
    mangled[int(rand, mangled.length)] = int(rand, 256);
  }
  const header = rand() < 0.2 ? type.replace(/boundary=.*/, "boundary=wrong") : type;
  return new Request(URL_, { method: "POST", body: mangled, headers: { "Content-Type": header } });
}

/**
 * A request carrying mutated images: mostly one raw body, sometimes
 * multipart (well-formed or damaged), sometimes a body type that is no image.
 */
function fuzzRequest(
  rand: Rand,
  seeds: { format: string; bytes: Uint8Array }[],
): Request | Promise<Request> {
  const url = URL_;
  const shape = rand();
  if (shape < 0.03) {
    const type = pick(rand, [
      "text/plain",
      "application/json",
      "application/x-www-form-urlencoded",
    ]);
    return new Request(url, {
      method: "POST",
      body: mutate(rand, pick(rand, seeds)) as BodyInit,
      headers: { "Content-Type": type },
    });
  }
  if (shape < 0.8) {
    const type = pick(rand, DECLARED);
    return new Request(url, {
      method: "POST",
      body: mutate(rand, pick(rand, seeds)) as BodyInit,
      headers: type ? { "Content-Type": type } : {},
    });
  }
  const form = new FormData();
  for (let k = 1 + int(rand, 3); k > 0; k--) {
    const seed = pick(rand, seeds);
    const bytes = rand() < 0.3 ? seed.bytes : mutate(rand, seed);
    form.append(
      rand() < 0.9 ? "image" : "file",
      new File([bytes as BlobPart], `f${k}.${seed.format}`),
    );
  }
  return shape < 0.93
    ? new Request(url, { method: "POST", body: form })
    : mangledMultipart(rand, form);
}

/** The app's fetch handler, with the short decode deadline, and its started model service. */
async function startApp() {
  // The routes read their limits from the environment once, when createApp loads them.
  const previous = Deno.env.get("API_DECODE_TIMEOUT_MS");
  Deno.env.set("API_DECODE_TIMEOUT_MS", DECODE_TIMEOUT_MS);
  let handler: (req: Request) => Promise<Response>;
  try {
    handler = await createApp({ root: ROOT, before: appMiddleware() });
  } finally {
    if (previous === undefined) Deno.env.delete("API_DECODE_TIMEOUT_MS");
    else Deno.env.set("API_DECODE_TIMEOUT_MS", previous);
  }
  assert.equal(sharedApiDeps().limits.decodeTimeoutMs, Number(DECODE_TIMEOUT_MS));
  // Every decoder process started upfront, as main.ts does: after a deadline
  // kills one, the next image goes to another while its replacement starts.
  sharedApiDeps().pool.warm();
  const service = sharedModelService();
  await service.start();
  return { handler, service };
}

Deno.test("fuzz - 2,000 mutated, truncated and random images get a 2xx or a JSON 4xx, never a 5xx", async () => {
  const { handler, service } = await startApp();
  const rand = makeRng(SEED);
  const seeds = seedImages(rand);
  const tensorsBefore = service.numTensors();
  const tally = new Map<string, number>();
  const started = performance.now();
  for (let i = 0; i < CASES; i++) {
    const req = await fuzzRequest(rand, seeds);
    const res = await handler(req);
    const text = await res.text();
    const where = `case ${i} (FUZZ_SEED=${SEED}): ${res.status} ${text.slice(0, 300)}`;
    assert.ok(res.status < 500, where);
    assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/, where);
    const body = JSON.parse(text);
    if (res.status >= 400) {
      assert.equal(typeof body.error?.code, "string", where);
      assert.equal(typeof body.error?.message, "string", where);
    } else {
      assert.equal(res.status, 200, where);
      assert.ok(Array.isArray(body.images), where);
    }
    const key = res.status >= 400 ? `${res.status} ${body.error.code}` : String(res.status);
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${CASES} cases in ${seconds.toFixed(1)} s:`,
    Object.fromEntries([...tally].sort((a, b) => b[1] - a[1])),
  );
  // Both kinds of answer must occur, or the mutations are too mild or too wild to mean anything.
  assert.ok((tally.get("200") ?? 0) > 20, "some mutated images still decode");
  assert.ok(tally.size > 5, "the mutations reach many different errors");
  assert.equal(service.numTensors(), tensorsBefore, "no tensors leaked");

  // The app still answers a valid image afterwards.
  const ok = await handler(
    new Request("http://localhost/api/predict", {
      method: "POST",
      body: pngBytes(digitImage()) as BodyInit,
      headers: { "Content-Type": "image/png" },
    }),
  );
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  sharedApiDeps().pool.close();
});

Deno.test("fuzz - photos of objects and textures (noise, blobs, wood grain, bold shapes, meshes) are recognised without an error", async () => {
  // In process, without the API's decode deadline: on a busy machine a
  // 1600×1200 JPEG may take longer than the fuzz test's short deadline to
  // decode, and what is checked here is recognition itself.
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  const rand = makeRng(SEED + 1);
  // Phone-photo sizes, the 960×640 of the apple photo that once answered 500
  // among them.
  const sizes: [number, number][] = [[960, 640], [480, 640], [1600, 1200]];
  for (const kind of NATURAL_KINDS) {
    for (const [w, h] of sizes) {
      const img = naturalImage(kind, rand, w, h);
      const result = recognize(model, { ...img, channels: 4 });
      assert.equal(typeof result.digits, "string", `${kind} ${w}×${h}`);
      assert.equal(result.digits.length, result.predictions.length, `${kind} ${w}×${h}`);
    }
  }
});
