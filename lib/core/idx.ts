/**
 * Parser for the IDX format used by the MNIST files
 * (http://yann.lecun.com/exdb/mnist/). Pure: takes already-decompressed bytes,
 * so it runs unchanged in the browser, the server, the CLI and tests.
 */

/** A parsed IDX file: its dimensions and its unsigned-byte payload. */
export interface IdxArray {
  /** e.g. [60000, 28, 28] for images, [60000] for labels. */
  shape: number[];
  /** Row-major values, length = product of `shape`. */
  data: Uint8Array;
}

/** Error for files that are not well-formed IDX; the message says why. */
export class IdxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IdxError";
  }
}

const UBYTE = 0x08;

/**
 * Parses an uncompressed IDX file of unsigned bytes (type 0x08).
 * Throws IdxError on a bad magic number, an unsupported type, or a payload
 * whose length disagrees with the header (truncated or trailing bytes).
 * `name` only serves to make error messages point at the file.
 */
export function parseIdx(bytes: Uint8Array, name = "IDX file"): IdxArray {
  if (bytes.length < 4) {
    throw new IdxError(`${name}: too short (${bytes.length} bytes) to hold an IDX header`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxError(
      `${name}: bad magic number 0x${hex(bytes, 0, 4)} (expected 0x0000TTDD); ` +
        "is it still gzip-compressed or not an IDX file?",
    );
  }
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== UBYTE) {
    throw new IdxError(
      `${name}: unsupported element type 0x${type.toString(16)} (only unsigned byte 0x08)`,
    );
  }
  if (rank < 1 || rank > 4) {
    throw new IdxError(`${name}: implausible rank ${rank}`);
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new IdxError(`${name}: truncated header (${bytes.length} of ${header} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const expected = shape.reduce((a, b) => a * b, 1);
  const got = bytes.length - header;
  if (got < expected) {
    throw new IdxError(
      `${name}: truncated, header announces shape [${shape}] = ${expected} bytes but only ${got} follow`,
    );
  }
  if (got > expected) {
    throw new IdxError(
      `${name}: ${got - expected} unexpected trailing bytes after shape [${shape}]`,
    );
  }
  return { shape, data: bytes.subarray(header) };
}

/** Builds an IDX file of unsigned bytes; the inverse of `parseIdx` (handy for tests and fixtures). */
export function encodeIdx(shape: number[], data: Uint8Array): Uint8Array {
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + data.length);
  out[2] = UBYTE;
  out[3] = shape.length;
  const view = new DataView(out.buffer);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}

/** A set of digits: `count` images of rows×cols bytes (0 = background) and their labels. */
export interface DigitSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/**
 * Pairs an images file ([N, rows, cols]) with a labels file ([N]) and checks
 * they agree, so a mismatched or truncated download cannot silently shift labels.
 */
export function pairImagesLabels(images: IdxArray, labels: IdxArray, name = "MNIST"): DigitSet {
  if (images.shape.length !== 3) {
    throw new IdxError(`${name}: images must have rank 3, got shape [${images.shape}]`);
  }
  if (labels.shape.length !== 1) {
    throw new IdxError(`${name}: labels must have rank 1, got shape [${labels.shape}]`);
  }
  const [count, rows, cols] = images.shape;
  if (labels.shape[0] !== count) {
    throw new IdxError(`${name}: ${count} images but ${labels.shape[0]} labels`);
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] > 9) {
      throw new IdxError(`${name}: label ${labels.data[i]} at index ${i} is not a digit`);
    }
  }
  return { images: images.data, labels: labels.data, count, rows, cols };
}

function hex(bytes: Uint8Array, start: number, end: number): string {
  return Array.from(bytes.subarray(start, end), (b) => b.toString(16).padStart(2, "0")).join("");
}
