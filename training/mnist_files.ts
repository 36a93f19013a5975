/**
 * Locates, downloads, verifies and decompresses the MNIST IDX files.
 * Order: an explicit folder, else $MNIST_DIR, else training/data/, else a
 * download from a public mirror into training/data/ with sha256 checks.
 */
import { type DigitSet, IdxError, pairImagesLabels, parseIdx } from "../lib/core/idx.ts";

/** The four files and the sha256 of their gzip form (identical across mirrors). */
export const MNIST_FILES = {
  trainImages: {
    name: "train-images-idx3-ubyte.gz",
    sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte.gz",
    sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
  },
  testImages: {
    name: "t10k-images-idx3-ubyte.gz",
    sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte.gz",
    sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
  },
} as const;

/** Public mirrors tried in order (the original yann.lecun.com host is often down). */
export const MNIST_MIRRORS = [
  "https://ossci-datasets.s3.amazonaws.com/mnist/",
  "https://storage.googleapis.com/cvdf-datasets/mnist/",
];

/** Default local cache, relative to the repository root; git-ignored. */
export const DEFAULT_DATA_DIR = "training/data";

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

async function hasAll(dir: string): Promise<boolean> {
  for (const f of Object.values(MNIST_FILES)) {
    if (!await exists(`${dir}/${f.name}`)) return false;
  }
  return true;
}

/**
 * Returns a folder holding the four MNIST files, downloading them if needed.
 * An explicitly given folder (or $MNIST_DIR) must be complete: we never
 * download into a folder someone pointed us at.
 */
export async function locateMnist(
  explicitDir?: string,
  log: (s: string) => void = console.log,
): Promise<string> {
  const chosen = explicitDir ?? Deno.env.get("MNIST_DIR");
  if (chosen) {
    if (!await hasAll(chosen)) {
      const missing = [];
      for (const f of Object.values(MNIST_FILES)) {
        if (!await exists(`${chosen}/${f.name}`)) missing.push(f.name);
      }
      throw new Error(
        `MNIST folder ${chosen} (from --data or MNIST_DIR) lacks: ${missing.join(", ")}`,
      );
    }
    return chosen;
  }
  if (await hasAll(DEFAULT_DATA_DIR)) return DEFAULT_DATA_DIR;
  await downloadMnist(DEFAULT_DATA_DIR, log);
  return DEFAULT_DATA_DIR;
}

/** Downloads the missing MNIST files into `dir`, verifying each sha256 before keeping it. */
export async function downloadMnist(
  dir: string,
  log: (s: string) => void = console.log,
  mirrors: string[] = MNIST_MIRRORS,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const f of Object.values(MNIST_FILES)) {
    const path = `${dir}/${f.name}`;
    if (await exists(path)) continue;
    const errors: string[] = [];
    let saved = false;
    for (const mirror of mirrors) {
      try {
        log(`downloading ${mirror}${f.name}`);
        const res = await fetch(mirror + f.name);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const bytes = new Uint8Array(await res.arrayBuffer());
        const sum = await sha256Hex(bytes);
        if (sum !== f.sha256) throw new Error(`sha256 mismatch: got ${sum}, expected ${f.sha256}`);
        await Deno.writeFile(`${path}.part`, bytes);
        await Deno.rename(`${path}.part`, path);
        saved = true;
        break;
      } catch (e) {
        errors.push(`${mirror}: ${(e as Error).message}`);
      }
    }
    if (!saved) {
      throw new Error(
        `Could not download ${f.name} (${errors.join("; ")}). If this machine is offline, ` +
          `set MNIST_DIR to a folder holding the four MNIST .gz files (or put them in ${dir}/).`,
      );
    }
  }
}

/** Loads one split ("train" or "test") from a folder of MNIST files. */
export async function loadMnistSplit(dir: string, split: "train" | "test"): Promise<DigitSet> {
  const img = split === "train" ? MNIST_FILES.trainImages : MNIST_FILES.testImages;
  const lab = split === "train" ? MNIST_FILES.trainLabels : MNIST_FILES.testLabels;
  const [ib, lb] = await Promise.all([
    Deno.readFile(`${dir}/${img.name}`),
    Deno.readFile(`${dir}/${lab.name}`),
  ]);
  const images = await parseIdxMaybeGzip(ib, img.name);
  const labels = await parseIdxMaybeGzip(lb, lab.name);
  return pairImagesLabels(images, labels, `MNIST ${split}`);
}
