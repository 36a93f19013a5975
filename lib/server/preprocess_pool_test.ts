/** Decoder processes: deadlines that really stop the decoder, and replacement after a spike. */
import assert from "node:assert/strict";
import { ApiError } from "./api_error.ts";
import { PreprocessPool } from "./preprocess_pool.ts";
import { blankPng, digitImage, GIF_LZW_LOOP, pngBytes } from "../../tests/api/test_images.ts";

/** Whether process `pid` still runs (a zombie waiting to be reaped counts as stopped). */
function running(pid: number): boolean {
  try {
    const state = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1][0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms = 5000) {
  const end = performance.now() + ms;
  while (!check() && performance.now() < end) await new Promise((r) => setTimeout(r, 50));
  return check();
}

Deno.test({
  name: "preprocess pool - a decoder past its deadline is killed, not left spinning, and replaced",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const pool = new PreprocessPool({ size: 1, timeoutMs: 1000 });
    try {
      const first = await pool.run(pngBytes(digitImage()), 1e6);
      assert.equal(first.pre.digits.length, 1);
      const [pid] = pool.pids();
      assert.ok(running(pid));
      await assert.rejects(pool.run(GIF_LZW_LOOP, 1e6), (e) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.code, "decode_timeout");
        return true;
      });
      assert.ok(await until(() => !running(pid)), "the looping decoder's process is gone");
      const [replacement] = pool.pids();
      assert.notEqual(replacement, pid);
      const again = await pool.run(pngBytes(digitImage()), 1e6);
      assert.equal(again.pre.digits.length, 1, "the replacement decodes the next image");
    } finally {
      await pool.close();
    }
  },
});

Deno.test({
  name: "preprocess pool - a process whose memory grew is replaced after its job, freeing it",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const pool = new PreprocessPool({ size: 1, timeoutMs: 60_000 });
    try {
      await pool.run(pngBytes(digitImage(7, 40, 40)), 1e8);
      const [first] = pool.pids();
      await pool.run(pngBytes(digitImage(7, 40, 40)), 1e8);
      assert.equal(pool.pids()[0], first, "small images keep their process");
      // 6,000×6,000: about 150 MB of pixels, decoded and converted.
      await pool.run(await blankPng(6000, 6000), 1e8);
      assert.ok(await until(() => !running(first)), "the process that took the large one exited");
      assert.notEqual(pool.pids()[0], first);
    } finally {
      await pool.close();
    }
  },
});
