import assert from "node:assert/strict";
import { encodeIdx, IdxError, pairImagesLabels, parseIdx } from "./idx.ts";
import {
  gunzip,
  loadMnistSplit,
  locateMnist,
  parseIdxMaybeGzip,
} from "../../training/mnist_files.ts";

function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(s).arrayBuffer().then((b) => new Uint8Array(b));
}

const images = encodeIdx([2, 3, 4], Uint8Array.from({ length: 24 }, (_, i) => i * 10));
const labels = encodeIdx([2], new Uint8Array([7, 3]));

Deno.test("idx - parses a good images file and a good labels file", () => {
  const img = parseIdx(images);
  assert.deepEqual(img.shape, [2, 3, 4]);
  assert.equal(img.data.length, 24);
  assert.equal(img.data[23], 230);
  const lab = parseIdx(labels);
  assert.deepEqual(lab.shape, [2]);
  assert.deepEqual([...lab.data], [7, 3]);
  const set = pairImagesLabels(img, lab);
  assert.equal(set.count, 2);
  assert.equal(set.rows, 3);
  assert.equal(set.cols, 4);
});

Deno.test("idx - rejects a file with a bad magic number", () => {
  const bad = images.slice();
  bad[0] = 0x1f; // e.g. a gzip file handed over undecompressed
  assert.throws(
    () => parseIdx(bad, "x.idx"),
    (e: Error) => e instanceof IdxError && /bad magic/.test(e.message),
  );
  const wrongType = images.slice();
  wrongType[2] = 0x0d; // float32 elements
  assert.throws(() => parseIdx(wrongType), /unsupported element type/);
});

Deno.test("idx - rejects a truncated file", () => {
  assert.throws(
    () => parseIdx(images.subarray(0, images.length - 1), "t.idx"),
    /t\.idx: truncated/,
  );
  assert.throws(() => parseIdx(images.subarray(0, 10)), /truncated header/);
  assert.throws(() => parseIdx(images.subarray(0, 2)), /too short/);
});

Deno.test("idx - rejects trailing bytes and image/label counts that disagree", () => {
  const longer = new Uint8Array(images.length + 3);
  longer.set(images);
  assert.throws(() => parseIdx(longer), /trailing bytes/);
  const threeLabels = parseIdx(encodeIdx([3], new Uint8Array([1, 2, 3])));
  assert.throws(() => pairImagesLabels(parseIdx(images), threeLabels), /2 images but 3 labels/);
  const notDigit = parseIdx(encodeIdx([2], new Uint8Array([1, 12])));
  assert.throws(() => pairImagesLabels(parseIdx(images), notDigit), /not a digit/);
});

Deno.test("idx - reads gzip-compressed files and reports corrupt gzip clearly", async () => {
  const gz = await gzip(images);
  assert.deepEqual(await gunzip(gz), images);
  const parsed = await parseIdxMaybeGzip(gz, "a.gz");
  assert.deepEqual(parsed.shape, [2, 3, 4]);
  await assert.rejects(
    () => parseIdxMaybeGzip(gz.subarray(0, gz.length - 12), "cut.gz"),
    /cut\.gz: corrupt or truncated gzip/,
  );
});

Deno.test("idx - loads the real MNIST test split", async () => {
  const test = await loadMnistSplit(await locateMnist(), "test");
  assert.equal(test.count, 10000);
  assert.equal(test.rows, 28);
  assert.equal(test.cols, 28);
  assert.equal(test.images.length, 10000 * 784);
  assert.equal(test.labels[0], 7); // the well-known first test digit
});
