/** The history export format: what the History page writes and training reads. */
import assert from "node:assert/strict";
import {
  appendDigits,
  CROP_BYTES,
  exportFileName,
  type ExportRecord,
  HistoryExportError,
  historyExportToDigitSet,
  packCrops,
  readHistoryExport,
  unpackCrops,
  writeHistoryExport,
} from "../../lib/core/history_export.ts";

function crop(value: number): Uint8Array {
  return new Uint8Array(CROP_BYTES).fill(value);
}

function record(
  label: string,
  crops: Uint8Array[],
  extra: Partial<ExportRecord> = {},
): ExportRecord {
  return {
    id: "h" + label,
    time: 1_700_000_000_000,
    source: "draw",
    predicted: label,
    label,
    corrected: false,
    confidence: 0.9,
    probabilities: [],
    backend: "wasm",
    modelVersion: "test",
    thumbnail: { type: "image/png", bytes: new Uint8Array([137, 80, 78, 71]) },
    crops,
    ...extra,
  };
}

Deno.test("export - a written file reads back as one MNIST-style image per labelled digit", () => {
  const text = writeHistoryExport([
    record("7", [crop(255)], { predicted: "1", corrected: true }),
    record("42", [crop(0), crop(51)]),
  ]);
  const extra = readHistoryExport(new TextEncoder().encode(text));
  assert.equal(extra.count, 3);
  assert.equal(extra.records, 2);
  assert.equal(extra.skipped, 0);
  assert.deepEqual([...extra.labels], [7, 4, 2]);
  assert.equal(extra.images.length, 3 * 784);
  assert.equal(extra.images[0], 1);
  assert.equal(extra.images[784], 0);
  assert.ok(Math.abs(extra.images[2 * 784] - 0.2) < 1e-6);
});

Deno.test("export - records without a digit or with crops that do not match the label are skipped", () => {
  const text = writeHistoryExport([
    record("", []),
    record("12", [crop(9)]),
    record("3", [crop(3)]),
  ]);
  const extra = readHistoryExport(text);
  assert.equal(extra.count, 1);
  assert.equal(extra.skipped, 2);
  assert.deepEqual([...extra.labels], [3]);
});

Deno.test("export - the header says what the file is and how crops are stored", () => {
  const text = writeHistoryExport([record("5", [crop(1)])], new Date("2025-03-04T05:06:07Z"));
  const [header, line] = text.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(header.format, "digit-recognizer-history");
  assert.equal(header.version, 1);
  assert.equal(header.exportedAt, "2025-03-04T05:06:07.000Z");
  assert.equal(header.count, 1);
  assert.deepEqual([header.crop.width, header.crop.height, header.crop.dtype], [28, 28, "uint8"]);
  assert.equal(line.thumbnail.type, "image/png");
  assert.equal(line.thumbnail.data, "iVBORw==");
  assert.equal(exportFileName(new Date("2025-03-04T05:06:07Z")), "digit-history-2025-03-04.jsonl");
});

Deno.test("export - other files and broken lines are refused with a clear message", () => {
  assert.throws(() => readHistoryExport(""), HistoryExportError);
  assert.throws(() => readHistoryExport('{"format":"other"}\n'), /Not a history export/);
  assert.throws(
    () => readHistoryExport('{"format":"digit-recognizer-history","version":2}\n'),
    /Unsupported history export version 2/,
  );
  const good = writeHistoryExport([record("1", [crop(1)])]);
  assert.throws(() => readHistoryExport(good + "{not json\n"), /Line 3 is not valid JSON/);
  const short = good.replace(/"crops":\["[^"]+"\]/, '"crops":["AAAA"]');
  assert.throws(() => readHistoryExport(short), /crop 0 has 3 bytes, expected 784/);
});

Deno.test("export - model inputs pack to bytes and back", () => {
  const a = new Float32Array(784).fill(1);
  const b = new Float32Array(784).fill(0.5);
  const packed = packCrops([a, b]);
  assert.equal(packed.length, 1568);
  const [ua, ub] = unpackCrops(packed);
  assert.equal(ua[0], 255);
  assert.equal(ub[0], 128);
  assert.throws(() => packCrops([new Float32Array(10)]), RangeError);
  assert.throws(() => unpackCrops(new Uint8Array(10)), RangeError);
});

Deno.test("export - a DigitSet for training, appended to MNIST with repeats", () => {
  const extra = historyExportToDigitSet(writeHistoryExport([record("9", [crop(200)])]));
  assert.deepEqual([extra.count, extra.rows, extra.cols, extra.labels[0], extra.images[0]], [
    1,
    28,
    28,
    9,
    200,
  ]);
  const base = {
    images: new Uint8Array(2 * 784),
    labels: Uint8Array.of(1, 2),
    count: 2,
    rows: 28,
    cols: 28,
  };
  const merged = appendDigits(base, extra, 3);
  assert.equal(merged.count, 5);
  assert.deepEqual([...merged.labels], [1, 2, 9, 9, 9]);
  assert.equal(merged.images[4 * 784], 200);
  assert.throws(() => appendDigits(base, { ...extra, rows: 8 }), RangeError);
});
