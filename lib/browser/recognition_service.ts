/**
 * Everything between an image and its reading that is not drawing the page:
 * decoding, preprocessing, the model, the preview and thumbnail JPEGs, and
 * the camera's live reading. It runs in the recognition worker
 * (recognition_worker.ts) and, where a browser has no module workers or
 * OffscreenCanvas, on the page itself (recognizer_client.ts calls
 * `handleRequest` directly): one code path either way.
 */
import { preprocessImage } from "../core/preprocess.ts";
import type { RecognitionResult } from "../core/image_types.ts";
import type { ModelJson } from "../core/model_runner.ts";
import { type PersonalModel, withPersonal } from "../core/personal_reader.ts";
import type { BackendName } from "./backend_choice.ts";
import {
  classifyPreprocessed,
  type EngineConfig,
  type EngineState,
  liveTensors,
  runArtifactsOn,
  setModelAdapter,
  setPreferredBackend,
  simulateBackendLoss,
  startEngine,
  subscribeEngine,
} from "./engine.ts";
import { canvas2d, decodeImageFile, decodeSize, rasterize } from "./image_input.ts";
import { IMAGE_SIDE, makeThumbnail } from "./thumbnail.ts";

/** What the page may ask for. */
export type RecognitionRequest =
  | { type: "start"; config: EngineConfig }
  | { type: "setBackend"; name: BackendName | null }
  /** The personal model (lib/browser/personal_model.ts), or null for the shipped model. */
  | { type: "setPersonalHead"; personal: { id: string; model: PersonalModel } | null }
  /** Decode (to the working size), read, and encode a preview and a thumbnail. */
  | { type: "readFile"; file: Blob }
  /** Read RGBA pixels (a drawing); `keep` adds a thumbnail for the history. */
  | { type: "readPixels"; pixels: ImageData; keep: boolean }
  /**
   * Read a camera frame (cropped to the framing guide by the page). The last
   * frame read is kept, so `keepFrame` can hand it over.
   */
  | { type: "readFrame"; frame: ImageBitmap; frameId: number }
  /** A recent frame read by readFrame, with its reading, preview and thumbnail. */
  | { type: "keepFrame"; frameId: number }
  | { type: "decode"; file: Blob }
  /** Every URL fetched here (backend code, WASM build, model): for the service worker to keep. */
  | { type: "usedFiles" }
  | { type: "numTensors" }
  | { type: "simulateBackendLoss" }
  | {
    type: "runArtifacts";
    backend: BackendName;
    json: ModelJson;
    weights: ArrayBuffer;
    inputs: Float32Array[];
  };

/** One reading and what the page needs to show and keep it. */
export interface Reading {
  result: RecognitionResult & { backend: string };
  /** The 28×28 inputs the model saw (784 values in [0, 1], white on black), left to right. */
  crops: Float32Array[];
  /** Size of the pixels that were read (boxes are in these units). */
  size: [number, number];
  /** Milliseconds spent decoding (files) or grabbing the frame (camera). */
  decodeMs: number;
  /** The image as read, for the result card (files and kept frames). */
  preview?: Blob;
  /** A small JPEG for the history. */
  thumbnail?: Blob;
  /** A larger JPEG for the history, in which a photographed number stays readable. */
  image?: Blob;
  /** The pixels read (kept camera frames: the history keys them by their hash). */
  pixels?: ImageData;
}

async function read(pixels: ImageData, decodeMs: number): Promise<Reading> {
  const t0 = performance.now();
  const pre = preprocessImage(pixels);
  const result = await classifyPreprocessed(pre, {}, performance.now() - t0);
  return {
    result,
    crops: pre.digits.map((d) => d.pixels),
    size: [pixels.width, pixels.height],
    decodeMs,
  };
}

/** The last few camera frames read, by id: a capture keeps the one whose reading the user saw. */
const recentFrames = new Map<number, { pixels: ImageData; reading: Reading }>();
const RECENT_FRAMES = 4;

/** The canvas camera frames are drawn into: one for the whole session while their size holds. */
let frameCanvas: ReturnType<typeof canvas2d> | undefined;

/** The pixels of a camera frame, at the working size (the page usually grabbed it at that size). */
function framePixels(frame: ImageBitmap): ImageData {
  try {
    const [w, h] = decodeSize(frame.width, frame.height);
    if (frameCanvas?.canvas.width !== w || frameCanvas.canvas.height !== h) {
      frameCanvas = canvas2d(w, h);
    }
    return rasterize(frame, w, h, frameCanvas);
  } finally {
    frame.close();
  }
}

/** Answers one request; `onState` hears every engine state change (from "start" on). */
export async function handleRequest(
  request: RecognitionRequest,
  onState: (state: EngineState) => void,
): Promise<unknown> {
  switch (request.type) {
    case "start":
      subscribeEngine(onState);
      return await startEngine(request.config);
    case "setBackend":
      return await setPreferredBackend(request.name);
    case "setPersonalHead": {
      const personal = request.personal;
      return await setModelAdapter(
        personal ? { id: personal.id, wrap: (m) => withPersonal(m, personal.model) } : null,
      );
    }
    case "readFile": {
      const t0 = performance.now();
      const { pixels } = await decodeImageFile(request.file);
      const reading = await read(pixels, performance.now() - t0);
      [reading.preview, reading.thumbnail] = await Promise.all([
        makeThumbnail(pixels, IMAGE_SIDE),
        makeThumbnail(pixels),
      ]);
      // The pixels read are at the working size, under IMAGE_SIDE: one JPEG is both.
      reading.image = reading.preview;
      return reading;
    }
    case "readPixels": {
      const reading = await read(request.pixels, 0);
      if (request.keep) {
        [reading.thumbnail, reading.image] = await Promise.all([
          makeThumbnail(request.pixels),
          makeThumbnail(request.pixels, IMAGE_SIDE),
        ]);
      }
      return reading;
    }
    case "readFrame": {
      const t0 = performance.now();
      const pixels = framePixels(request.frame);
      const reading = await read(pixels, performance.now() - t0);
      recentFrames.set(request.frameId, { pixels, reading });
      for (const id of recentFrames.keys()) {
        if (recentFrames.size <= RECENT_FRAMES) break;
        recentFrames.delete(id);
      }
      return reading;
    }
    case "keepFrame": {
      const kept = recentFrames.get(request.frameId);
      if (!kept) throw new Error("that camera frame is no longer there; capture again");
      const { pixels, reading } = kept;
      recentFrames.delete(request.frameId); // Its pixels go to the page (transferred).
      const [preview, thumbnail] = await Promise.all([
        makeThumbnail(pixels, IMAGE_SIDE),
        makeThumbnail(pixels),
      ]);
      return { ...reading, preview, image: preview, thumbnail, pixels };
    }
    case "decode":
      return (await decodeImageFile(request.file)).pixels;
    case "usedFiles":
      return performance.getEntriesByType("resource").map((e) => e.name);
    case "numTensors":
      return liveTensors();
    case "simulateBackendLoss":
      return simulateBackendLoss();
    case "runArtifacts":
      return await runArtifactsOn(
        request.backend,
        request.json,
        request.weights,
        request.inputs,
      );
  }
}

/** The transferable buffers of an answer, so posting it copies nothing large. */
export function transferablesOf(value: unknown): Transferable[] {
  const out: Transferable[] = [];
  if (value instanceof ImageData) out.push(value.data.buffer);
  const reading = value as Partial<Reading> | null;
  if (reading && typeof reading === "object" && reading.pixels instanceof ImageData) {
    out.push(reading.pixels.data.buffer);
  }
  return out;
}
