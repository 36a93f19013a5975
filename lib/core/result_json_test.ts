import assert from "node:assert/strict";
import { outcomeJson } from "./result_json.ts";
import type { RecognitionResult } from "./image_types.ts";

const digit = (d: number, x: number) => ({
  digit: d,
  confidence: 0.98765,
  probabilities: Array.from({ length: 10 }, (_, k) => (k === d ? 0.98765 : 0)),
  box: [x, 0, 10, 20] as [number, number, number, number],
});

const base: RecognitionResult = {
  digits: "725",
  predictions: [digit(7, 0), digit(2, 12), digit(5, 30)],
  noDigit: false,
  unsure: false,
  timings: { preprocessMs: 0, modelMs: 0 },
};

Deno.test("outcomeJson - carries the reading with its decimal point beside the bare digits", () => {
  const json = outcomeJson({ ...base, reading: "72.5" });
  assert.deepEqual(json.digits, "725");
  assert.deepEqual(json.reading, "72.5");
  assert.deepEqual(json.predictions.length, json.digits.length);
});

Deno.test("outcomeJson - reading equals digits when the number has no mark", () => {
  const json = outcomeJson(base);
  assert.deepEqual(json.reading, "725");
  assert.deepEqual(json.turned, 0);
});

Deno.test("outcomeJson - says by how much a turned photo was turned", () => {
  assert.deepEqual(outcomeJson({ ...base, turned: 180 }).turned, 180);
});

Deno.test("outcomeJson - no digit gives an empty reading and the reason", () => {
  const json = outcomeJson({
    digits: "",
    predictions: [],
    noDigit: true,
    unsure: false,
    reason: "this looks like writing, not digits",
    kind: "writing",
    timings: { preprocessMs: 0, modelMs: 0 },
  });
  assert.deepEqual(json.reading, "");
  assert.deepEqual(json.no_digit, true);
  assert.deepEqual(json.kind, "writing");
});

Deno.test("outcomeJson - rounds confidences and keeps snake_case keys", () => {
  const json = outcomeJson(base);
  assert.deepEqual(json.predictions[0].confidence, 0.9877);
  assert.deepEqual(Object.keys(json).includes("noDigit"), false);
});
