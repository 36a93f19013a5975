import assert from "node:assert/strict";
import { fitWithin } from "./fit_within.ts";

Deno.test("fitWithin - shrinks the longer side to the limit and keeps the aspect", () => {
  assert.deepEqual(fitWithin(4000, 3000, 1280), [1280, 960]);
  assert.deepEqual(fitWithin(3000, 4000, 96), [72, 96]);
});

Deno.test("fitWithin - never enlarges and never gives an empty side", () => {
  assert.deepEqual(fitWithin(200, 100, 1280), [200, 100]);
  assert.deepEqual(fitWithin(10_000, 1, 96), [96, 1]);
});
