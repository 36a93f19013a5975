/** Reading a request body with a hard cap and a deadline, whatever Content-Length claims. */
import assert from "node:assert/strict";
import { ApiError } from "./api_error.ts";
import { ByteBudget } from "./byte_budget.ts";
import { limitsFromEnv } from "./limits.ts";
import { readBodyCapped } from "./read_body.ts";

function streamOf(chunks: number, size: number, onPull?: () => void): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      onPull?.();
      if (sent++ >= chunks) return controller.close();
      controller.enqueue(new Uint8Array(size).fill(sent));
    },
  });
}

function rejectsWith(promise: Promise<unknown>, status: number, code: string) {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    return true;
  });
}

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://localhost/", { method: "POST", body, headers });

Deno.test("read body - returns the whole body under the cap", async () => {
  const bytes = await readBodyCapped(post(streamOf(3, 100)), { maxBytes: 300, timeoutMs: 1000 });
  assert.equal(bytes.length, 300);
  assert.deepEqual([bytes[0], bytes[100], bytes[299]], [1, 2, 3]);
  assert.equal((await readBodyCapped(post(null), { maxBytes: 10, timeoutMs: 1000 })).length, 0);
});

Deno.test("read body - refuses a declared Content-Length over the cap without reading", async () => {
  let pulls = 0;
  const req = post(streamOf(1000, 1000, () => pulls++), { "Content-Length": "1000000" });
  await rejectsWith(
    readBodyCapped(req, { maxBytes: 1000, timeoutMs: 1000 }),
    413,
    "body_too_large",
  );
  assert.ok(pulls <= 1, `pulled ${pulls} chunks`);
});

Deno.test("read body - cuts a chunked body off at the cap while streaming", async () => {
  let pulls = 0;
  const req = post(streamOf(1000, 1000, () => pulls++));
  await rejectsWith(
    readBodyCapped(req, { maxBytes: 5000, timeoutMs: 1000 }),
    413,
    "body_too_large",
  );
  assert.ok(pulls < 10, `pulled ${pulls} chunks of 1000 for a 5000-byte cap`);
});

Deno.test("read body - a body that stalls gets 408 at the deadline", async () => {
  const stalled = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(10));
    },
  });
  const started = Date.now();
  await rejectsWith(
    readBodyCapped(post(stalled), { maxBytes: 100, timeoutMs: 200 }),
    408,
    "body_timeout",
  );
  assert.ok(Date.now() - started < 2000);
});

Deno.test("limits - defaults, environment overrides, and typos refused", () => {
  const none = limitsFromEnv(() => undefined);
  assert.equal(none.maxBodyBytes, 10 * 1024 * 1024);
  // One decoder process per core, at most 8.
  assert.equal(none.concurrency, Math.max(1, Math.min(8, navigator.hardwareConcurrency)));
  const env: Record<string, string> = { API_MAX_BODY_BYTES: "1000", API_MAX_QUEUED: "0" };
  const set = limitsFromEnv((name) => env[name]);
  assert.equal(set.maxBodyBytes, 1000);
  assert.equal(set.maxQueued, 0);
  assert.throws(
    () => limitsFromEnv((n) => (n === "API_MAX_PIXELS" ? "5e" : undefined)),
    RangeError,
  );
  assert.throws(
    () => limitsFromEnv((n) => (n === "API_CONCURRENCY" ? "0" : undefined)),
    RangeError,
  );
});

Deno.test("read body - bytes come from a shared budget: 503 busy when spent, nothing kept on failure", async () => {
  const budget = new ByteBudget(2500);
  const first = await readBodyCapped(post(streamOf(2, 1000)), {
    maxBytes: 5000,
    timeoutMs: 1000,
    budget,
  });
  assert.equal(budget.usedBytes, first.length, "a body read holds its bytes until released");
  await rejectsWith(
    readBodyCapped(post(streamOf(2, 1000)), { maxBytes: 5000, timeoutMs: 1000, budget }),
    503,
    "busy",
  );
  assert.equal(budget.usedBytes, 2000, "the refused body gave back what it had reserved");
  budget.release(first.length);
  assert.equal(budget.usedBytes, 0);
});
