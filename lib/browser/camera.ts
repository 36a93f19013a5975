/**
 * The live camera: opening the rear camera, turning its failures into clear
 * messages, grabbing the part of a frame inside the on-screen framing guide
 * (already shrunk to the working size, for the recognition worker), and the
 * torch where the device has one.
 */
import { decodeSize } from "./image_input.ts";

/** Whether this page may ask for a camera at all (API present, secure context). */
export function cameraSupported(): boolean {
  return typeof navigator !== "undefined" && !!navigator.mediaDevices?.getUserMedia &&
    globalThis.isSecureContext !== false;
}

/** A message for the user explaining why the camera did not open. */
export function cameraErrorMessage(error: unknown): string {
  const name = (error as { name?: string })?.name ?? "";
  switch (name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
      return "Camera access was denied. Allow it in your browser's site settings, or take a photo with the button below.";
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return "No camera was found on this device. Take or choose a photo with the button below.";
    case "NotReadableError":
    case "TrackStartError":
      return "The camera is busy in another app. Close it and try again, or take a photo below.";
    case "SecurityError":
      return "The camera needs a secure (https) connection. Take or choose a photo below.";
    default:
      return "The camera could not be started. Take or choose a photo with the button below.";
  }
}

/** Opens the rear camera (falls back to any camera: `ideal`, not `exact`). */
export function openCamera(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: {
      facingMode: { ideal: "environment" },
      width: { ideal: 1920 },
      height: { ideal: 1080 },
    },
  });
}

/** Stops every track of a stream (turns the camera light off). */
export function stopCamera(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** A rectangle as fractions of its container: [left, top, width, height], each 0..1. */
export type FractionRect = [number, number, number, number];

/**
 * Maps a guide drawn over a `object-fit: cover` video element to pixels of
 * the video frame: [x, y, width, height], clamped to the frame.
 */
export function guideToVideoRect(
  element: { width: number; height: number },
  video: { width: number; height: number },
  guide: FractionRect,
): [number, number, number, number] {
  // Cover: the frame is scaled so it fills the element and the overflow is cut evenly.
  const scale = Math.max(element.width / video.width, element.height / video.height);
  const shownW = element.width / scale, shownH = element.height / scale;
  const offX = (video.width - shownW) / 2, offY = (video.height - shownH) / 2;
  const x = Math.max(0, offX + guide[0] * shownW);
  const y = Math.max(0, offY + guide[1] * shownH);
  const w = Math.min(video.width - x, guide[2] * shownW);
  const h = Math.min(video.height - y, guide[3] * shownH);
  return [Math.round(x), Math.round(y), Math.max(1, Math.round(w)), Math.max(1, Math.round(h))];
}

/** The part of the current video frame inside `guide`, shrunk to preprocessing's working size. */
export function grabGuideFrame(video: HTMLVideoElement, guide: FractionRect): Promise<ImageBitmap> {
  const [x, y, w, h] = guideToVideoRect(
    {
      width: video.clientWidth || video.videoWidth,
      height: video.clientHeight || video.videoHeight,
    },
    { width: video.videoWidth, height: video.videoHeight },
    guide,
  );
  const [resizeWidth, resizeHeight] = decodeSize(w, h);
  return createImageBitmap(video, x, y, w, h, {
    resizeWidth,
    resizeHeight,
    resizeQuality: "high",
  });
}

/** The stream's video track when it can light a torch (most phones' rear cameras). */
export function torchTrack(stream: MediaStream | null | undefined): MediaStreamTrack | null {
  const track = stream?.getVideoTracks()[0];
  const capabilities = track?.getCapabilities?.() as { torch?: boolean } | undefined;
  return track && capabilities?.torch ? track : null;
}

/** Turns the torch on or off; false when the device refused. */
export async function setTorch(track: MediaStreamTrack, on: boolean): Promise<boolean> {
  try {
    await track.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
    return true;
  } catch {
    return false;
  }
}
