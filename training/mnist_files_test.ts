import assert from "node:assert/strict";
import { downloadMnist, locateMnist, MNIST_FILES } from "./mnist_files.ts";
import { mnistDir } from "../tests/mnist_dir.ts";

Deno.test("mnist_files - an explicit folder is used as is", async () => {
  assert.equal(await locateMnist(mnistDir()), mnistDir());
});

Deno.test("mnist_files - a folder lacking files names what is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(() => locateMnist(dir), /lacks: train-images-idx3-ubyte\.gz/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mnist_files - offline download fails with one clear error naming MNIST_DIR", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => downloadMnist(dir, () => {}, ["http://127.0.0.1:9/"]),
      (e: Error) =>
        /set MNIST_DIR/.test(e.message) && /train-images-idx3-ubyte\.gz/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mnist_files - a download with the wrong sha256 is rejected and not kept", async () => {
  const dir = await Deno.makeTempDir();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => new Response("not mnist"),
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}/`;
    await assert.rejects(() => downloadMnist(dir, () => {}, [url]), /sha256 mismatch/);
    await assert.rejects(() => Deno.stat(`${dir}/${MNIST_FILES.trainImages.name}`));
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
