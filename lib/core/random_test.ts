import assert from "node:assert/strict";
import { makeRng } from "./random.ts";

Deno.test("random - the same seed gives the same numbers, another seed others", () => {
  const a = makeRng(42), b = makeRng(42), c = makeRng(43);
  const xs = Array.from({ length: 100 }, a);
  assert.deepEqual(Array.from({ length: 100 }, b), xs);
  assert.notDeepEqual(Array.from({ length: 100 }, c), xs);
});

Deno.test("random - numbers lie in [0, 1) and spread over it", () => {
  const rng = makeRng(1);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 10_000; i++) {
    const x = rng();
    assert.ok(x >= 0 && x < 1, `${x}`);
    bins[Math.floor(x * 10)]++;
  }
  assert.ok(bins.every((n) => n > 900 && n < 1100), `bins ${bins}`);
});
