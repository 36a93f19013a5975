/**
 * The history export file: what the History page downloads and what
 * `deno task train --extra FILE` reads to fine-tune the model on the user's
 * own handwriting. Pure (no I/O, no DOM): the same code writes in the browser
 * and reads in Deno.
 *
 * Format "digit-recognizer-history", version 1: UTF-8 JSON Lines
 * (`.jsonl`), one JSON object per line.
 *
 * - Line 1, the header:
 *   `{"format":"digit-recognizer-history","version":1,"exportedAt":ISO-8601,"count":N,
 *     "crop":{"width":28,"height":28,"dtype":"uint8","encoding":"base64",...}}`
 * - Then one line per recognition:
 *   `{"id","time","source","predicted","label","corrected","confidence","probabilities",
 *     "backend","modelVersion","thumbnail":{"type":MIME,"data":BASE64}|null,"crops":[BASE64…]}`
 *   - `label` is the digit string to train on: the user's correction when
 *     there is one (`corrected: true`), else the prediction.
 *   - `crops` holds one 28×28 image per digit of `label`, left to right: 784
 *     bytes, row-major, 0 = background, 255 = ink (white digit on black, the
 *     digit fitted in 20×20 and centred by mass: the MNIST convention), base64.
 *     Empty when no crop could be made; such records are skipped by the reader.
 *   - `thumbnail` is the small image shown in the history, for people and
 *     for reprocessing later.
 *
 * Unknown fields are ignored, so later versions can add some; a different
 * `version` number means an incompatible change and is refused.
 */
import type { DigitSet } from "./idx.ts";

/** The `format` value of the header line. */
export const EXPORT_FORMAT = "digit-recognizer-history";
/** The version this module writes and reads. */
export const EXPORT_VERSION = 1;
/** Bytes in one 28×28 crop. */
export const CROP_BYTES = 784;
/** File name extension and MIME type of the export. */
export const EXPORT_EXTENSION = ".jsonl";
/** MIME type of the export file. */
export const EXPORT_MIME = "application/x-ndjson";

/** One recognition as written to the file. */
export interface ExportRecord {
  id: string;
  time: number;
  source: string;
  /** What the model read. */
  predicted: string;
  /** What to train on: the correction if any, else the prediction. */
  label: string;
  corrected: boolean;
  confidence: number;
  probabilities: number[][];
  backend: string;
  modelVersion: string;
  thumbnail: { type: string; bytes: Uint8Array } | null;
  /** One 784-byte crop per digit of `label`; may be empty. */
  crops: Uint8Array[];
}

/** The digits of an export, ready for training. */
export interface ExtraDigits {
  /** N×784 values in [0, 1], white digit on black (MNIST convention). */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  /** Records in the file. */
  records: number;
  /** Records without usable crops or label (no digit found, crops not matching the label). */
  skipped: number;
}

/** A malformed or incompatible export file; the message says where and why. */
export class HistoryExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HistoryExportError";
  }
}

// ---- base64 (chunked: btoa/atob exist in browsers and Deno alike) ----------------------------

/** Base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Bytes of a base64 string; throws on invalid input. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

// ---- crops ----------------------------------------------------------------------------------

/**
 * Packs model inputs (784 floats in [0, 1] per digit, e.g. `DigitCrop.pixels`)
 * into bytes, digit after digit: what `HistoryEntry.crops` holds.
 */
export function packCrops(crops: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(crops.length * CROP_BYTES);
  crops.forEach((pixels, d) => {
    if (pixels.length !== CROP_BYTES) {
      throw new RangeError(`A crop has ${CROP_BYTES} values, got ${pixels.length}`);
    }
    for (let i = 0; i < CROP_BYTES; i++) {
      out[d * CROP_BYTES + i] = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
    }
  });
  return out;
}

/** Splits packed crops (see `packCrops`) into one 784-byte array per digit. */
export function unpackCrops(packed: Uint8Array): Uint8Array[] {
  if (packed.length % CROP_BYTES !== 0) {
    throw new RangeError(
      `Packed crops are a multiple of ${CROP_BYTES} bytes, got ${packed.length}`,
    );
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < packed.length; i += CROP_BYTES) {
    out.push(packed.subarray(i, i + CROP_BYTES));
  }
  return out;
}

// ---- writer ---------------------------------------------------------------------------------

/** Writes records (newest first, as the history lists them) to the export text. */
export function writeHistoryExport(records: ExportRecord[], exportedAt = new Date()): string {
  const header = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: exportedAt.toISOString(),
    count: records.length,
    crop: {
      width: 28,
      height: 28,
      dtype: "uint8",
      encoding: "base64",
      layout: "row-major; 0 = background, 255 = ink; white digit on black, MNIST convention",
    },
  };
  const lines = [JSON.stringify(header)];
  for (const r of records) {
    lines.push(JSON.stringify({
      id: r.id,
      time: r.time,
      source: r.source,
      predicted: r.predicted,
      label: r.label,
      corrected: r.corrected,
      confidence: r.confidence,
      probabilities: r.probabilities,
      backend: r.backend,
      modelVersion: r.modelVersion,
      thumbnail: r.thumbnail ? { type: r.thumbnail.type, data: toBase64(r.thumbnail.bytes) } : null,
      crops: r.crops.map((c) => {
        if (c.length !== CROP_BYTES) {
          throw new RangeError(`A crop has ${CROP_BYTES} bytes, got ${c.length}`);
        }
        return toBase64(c);
      }),
    }));
  }
  return lines.join("\n") + "\n";
}

/** The file name offered for a download made at `date`, e.g. `digit-history-2025-01-31.jsonl`. */
export function exportFileName(date = new Date()): string {
  return `digit-history-${date.toISOString().slice(0, 10)}${EXPORT_EXTENSION}`;
}

// ---- reader ---------------------------------------------------------------------------------

/**
 * Reads an export file (bytes or text) into training digits: one image per
 * digit of each record's label, in file order. Throws `HistoryExportError` on
 * a file that is not a version-1 export or is malformed.
 */
export function readHistoryExport(file: Uint8Array | string): ExtraDigits {
  const text = typeof file === "string" ? file : new TextDecoder().decode(file);
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length === 0) throw new HistoryExportError("The export file is empty");
  const header = parseLine(lines[0], 1) as { format?: unknown; version?: unknown };
  if (header.format !== EXPORT_FORMAT) {
    throw new HistoryExportError(
      `Not a history export: line 1 has format ${JSON.stringify(header.format)}, ` +
        `expected "${EXPORT_FORMAT}"`,
    );
  }
  if (header.version !== EXPORT_VERSION) {
    throw new HistoryExportError(
      `Unsupported history export version ${JSON.stringify(header.version)} ` +
        `(this reader knows version ${EXPORT_VERSION})`,
    );
  }
  const crops: Uint8Array[] = [];
  const labels: number[] = [];
  let skipped = 0;
  for (let i = 1; i < lines.length; i++) {
    const record = parseLine(lines[i], i + 1) as { label?: unknown; crops?: unknown };
    const label = record.label;
    const list = record.crops;
    if (list !== undefined && !Array.isArray(list)) {
      throw new HistoryExportError(`Line ${i + 1}: "crops" must be an array`);
    }
    if (
      typeof label !== "string" || !/^\d+$/.test(label) || !list || list.length !== label.length
    ) {
      skipped++;
      continue;
    }
    list.forEach((encoded, d) => {
      let bytes: Uint8Array;
      try {
        bytes = fromBase64(String(encoded));
      } catch {
        throw new HistoryExportError(`Line ${i + 1}: crop ${d} is not valid base64`);
      }
      if (bytes.length !== CROP_BYTES) {
        throw new HistoryExportError(
          `Line ${i + 1}: crop ${d} has ${bytes.length} bytes, expected ${CROP_BYTES}`,
        );
      }
      crops.push(bytes);
      labels.push(label.charCodeAt(d) - 48);
    });
  }
  const images = new Float32Array(crops.length * CROP_BYTES);
  crops.forEach((c, n) => {
    for (let i = 0; i < CROP_BYTES; i++) images[n * CROP_BYTES + i] = c[i] / 255;
  });
  return {
    images,
    labels: Uint8Array.from(labels),
    count: labels.length,
    records: lines.length - 1,
    skipped,
  };
}

function parseLine(line: string, number: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new HistoryExportError(`Line ${number} is not valid JSON`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new HistoryExportError(`Line ${number} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

// ---- for training ---------------------------------------------------------------------------

/** An export as a `DigitSet` (bytes 0–255, 28×28), the form training holds MNIST in. */
export function historyExportToDigitSet(file: Uint8Array | string): DigitSet {
  const extra = readHistoryExport(file);
  const images = new Uint8Array(extra.images.length);
  for (let i = 0; i < images.length; i++) images[i] = Math.round(extra.images[i] * 255);
  return { images, labels: extra.labels, count: extra.count, rows: 28, cols: 28 };
}

/**
 * `base` followed by `extra` repeated `repeat` times: a handful of the user's
 * own digits weigh something next to 60,000 MNIST ones.
 */
export function appendDigits(base: DigitSet, extra: DigitSet, repeat = 1): DigitSet {
  if (base.rows !== extra.rows || base.cols !== extra.cols) {
    throw new RangeError(
      `Digit sizes differ: ${base.rows}×${base.cols} and ${extra.rows}×${extra.cols}`,
    );
  }
  const size = base.rows * base.cols;
  const count = base.count + extra.count * repeat;
  const images = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  images.set(base.images.subarray(0, base.count * size));
  labels.set(base.labels.subarray(0, base.count));
  for (let r = 0; r < repeat; r++) {
    const at = base.count + r * extra.count;
    images.set(extra.images.subarray(0, extra.count * size), at * size);
    labels.set(extra.labels.subarray(0, extra.count), at);
  }
  return { images, labels, count, rows: base.rows, cols: base.cols };
}
