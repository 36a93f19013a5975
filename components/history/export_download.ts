/**
 * Builds the history export in the browser and offers it as a download.
 * Loaded on demand (it pulls in the preprocessing, to make 28×28 crops from
 * thumbnails of entries stored without them).
 */
import { effectiveLabel, type HistoryEntry, shownLabel } from "../../lib/browser/history_store.ts";
import {
  EXPORT_MIME,
  exportFileName,
  type ExportRecord,
  packCrops,
  unpackCrops,
  writeHistoryExport,
} from "../../lib/core/history_export.ts";
import { preprocessImage } from "../../lib/core/preprocess.ts";
import { writeHistoryCsv } from "../../lib/core/history_csv.ts";

/** What an export contained, for the message shown after it. */
export interface ExportSummary {
  records: number;
  /** Digit images usable for training. */
  digits: number;
  fileName: string;
}

async function cropsFromThumbnail(thumbnail: Blob): Promise<Uint8Array[]> {
  const bitmap = await createImageBitmap(thumbnail);
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d")!;
  ctx.drawImage(bitmap, 0, 0);
  const pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  bitmap.close();
  return preprocessImage(pixels).digits.map((d) => packCrops([d.pixels]));
}

/** The training crops of an entry: stored ones when they match the label, else made from the thumbnail. */
async function cropsFor(entry: HistoryEntry, label: string): Promise<Uint8Array[]> {
  if (!/^\d+$/.test(label)) return [];
  if (entry.crops && entry.crops.length === label.length * 784) return unpackCrops(entry.crops);
  try {
    const crops = await cropsFromThumbnail(entry.thumbnail);
    return crops.length === label.length ? crops : [];
  } catch {
    return [];
  }
}

/** Turns entries into the export records, newest first. */
export async function toExportRecords(entries: HistoryEntry[]): Promise<ExportRecord[]> {
  const records: ExportRecord[] = [];
  for (const entry of entries) {
    const label = effectiveLabel(entry);
    records.push({
      id: entry.id,
      time: entry.time,
      source: entry.source,
      predicted: entry.digits,
      label,
      corrected: entry.correctedLabel !== undefined,
      confidence: entry.confidence,
      probabilities: entry.probabilities,
      backend: entry.backend,
      modelVersion: entry.modelVersion,
      thumbnail: entry.thumbnail
        ? {
          type: entry.thumbnail.type || "application/octet-stream",
          bytes: new Uint8Array(await entry.thumbnail.arrayBuffer()),
        }
        : null,
      crops: await cropsFor(entry, label),
    });
  }
  return records;
}

/** Offers `blob` as a download named `fileName`. */
function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser time to start reading the blob before it goes.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Writes the training export of `entries` and starts its download. */
export async function downloadExport(entries: HistoryEntry[]): Promise<ExportSummary> {
  const records = await toExportRecords(entries);
  const fileName = exportFileName();
  download(new Blob([writeHistoryExport(records)], { type: EXPORT_MIME }), fileName);
  return {
    records: records.length,
    digits: records.reduce((n, r) => n + r.crops.length, 0),
    fileName,
  };
}

/** Writes `entries` as CSV (one row per recognition) and starts its download. */
export function downloadCsv(entries: HistoryEntry[]): ExportSummary {
  const text = writeHistoryCsv(entries.map((e) => ({
    time: e.time,
    name: e.name,
    source: e.source,
    predicted: e.reading ?? e.digits,
    label: shownLabel(e),
    corrected: e.correctedLabel !== undefined,
    confirmed: e.confirmed === true,
    confidence: e.confidence,
    modelVersion: e.modelVersion,
    id: e.id,
    turned: e.turned,
  })));
  const fileName = exportFileName().replace(/\.[a-z]+$/, ".csv");
  download(new Blob([text], { type: "text/csv" }), fileName);
  return { records: entries.length, digits: 0, fileName };
}
