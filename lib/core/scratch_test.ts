import assert from "node:assert/strict";
import { scratchFloat32, scratchInt32, scratchUint8, sizeClass, withScratch } from "./scratch.ts";

Deno.test("scratch - a buffer lent in one call is lent again, zeroed, in the next", () => {
  const first = withScratch(() => {
    const a = scratchFloat32(640 * 480);
    a.fill(7);
    return a.buffer;
  });
  const again = withScratch(() => {
    const a = scratchFloat32(640 * 480);
    assert.ok(a.every((v) => v === 0), "zeroed like a new array");
    return a.buffer;
  });
  assert.equal(again, first);
});

Deno.test("scratch - arrays lent in the same call never share memory", () => {
  withScratch(() => {
    const a = scratchInt32(100_000), b = scratchInt32(100_000), c = scratchUint8(400_000);
    assert.notEqual(a.buffer, b.buffer);
    assert.notEqual(b.buffer, c.buffer);
    a.fill(1);
    assert.ok(b.every((v) => v === 0) && c.every((v) => v === 0));
  });
});

Deno.test("scratch - a slightly larger request still finds the buffer of its size class", () => {
  const first = withScratch(() => scratchFloat32(100_000).buffer);
  const larger = withScratch(() => scratchFloat32(101_000));
  assert.equal(larger.buffer, first);
  assert.equal(larger.length, 101_000);
});

Deno.test("scratch - without withScratch, and for small arrays, arrays are new", () => {
  const a = scratchFloat32(640 * 480), b = scratchFloat32(640 * 480);
  assert.notEqual(a.buffer, b.buffer);
  assert.equal(a.buffer.byteLength, 640 * 480 * 4);
  withScratch(() => assert.equal(scratchUint8(100).buffer.byteLength, 100));
});

Deno.test("scratch - unzeroed arrays keep the last call's values (callers write every one)", () => {
  withScratch(() => scratchUint8(300_000).fill(9));
  withScratch(() => assert.equal(scratchUint8(300_000, false)[0], 9));
});

Deno.test("scratch - buffers go back even when the call throws, and nested calls share the loan", () => {
  let lent: ArrayBufferLike | undefined;
  assert.throws(() =>
    withScratch(() => {
      lent = scratchFloat32(200_000).buffer;
      withScratch(() => assert.notEqual(scratchFloat32(200_000).buffer, lent));
      throw new Error("stage failed");
    })
  );
  const next = withScratch(() => [scratchFloat32(200_000).buffer, scratchFloat32(200_000).buffer]);
  assert.ok(next.includes(lent!));
});

Deno.test("scratch - size classes waste at most a quarter and grow with the request", () => {
  let last = 0;
  for (let bytes = 65_536; bytes < 1 << 26; bytes = Math.ceil(bytes * 1.07)) {
    const size = sizeClass(bytes);
    assert.ok(size >= bytes && size <= bytes * 1.25 && size % 8 === 0, `${bytes} → ${size}`);
    assert.ok(size >= last);
    last = size;
  }
});
