/** Where tests find MNIST: $MNIST_DIR, else ../shared/mnist relative to the repository root. */
export function mnistDir(): string {
  const root = new URL("../", import.meta.url).pathname;
  const dir = Deno.env.get("MNIST_DIR") ?? "../shared/mnist";
  const abs = dir.startsWith("/") ? dir : `${root}${dir}`;
  try {
    Deno.statSync(`${abs}/t10k-images-idx3-ubyte.gz`);
  } catch {
    throw new Error(
      `MNIST files not found in ${abs}. Set MNIST_DIR to a folder holding the four MNIST .gz files ` +
        "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz).",
    );
  }
  return abs;
}
