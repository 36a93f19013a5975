/** The state of one image in the results list. */
import type { RecognitionSource } from "../../lib/browser/history_store.ts";
import type { RecognitionOutcome } from "../../lib/browser/recognize_pixels.ts";

/** One image the user gave: waiting, being read, read, or refused. */
export interface ResultItem {
  key: number;
  /** The file name, or "Camera photo" / "Drawing". */
  name: string;
  source: RecognitionSource;
  status: "working" | "done" | "error";
  /** Object URL of the image as shown (after EXIF rotation), once decoded. */
  previewUrl?: string;
  /** Size of the pixels that were recognised (boxes are in these units). */
  size?: [number, number];
  outcome?: RecognitionOutcome;
  /** What went wrong, for the user, when status is "error". */
  message?: string;
}
