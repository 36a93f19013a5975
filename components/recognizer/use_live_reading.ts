/**
 * The camera's live reading: grabs the framing guide's part of each video
 * frame (already shrunk to the working size) and has the recognition worker
 * read it, as fast as the worker answers: the page grabs the newest frame
 * shown while the worker reads the one before (two in flight at most).
 */
import type { RefObject } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type FractionRect, grabGuideFrame } from "../../lib/browser/camera.ts";
import { readFrame } from "../../lib/browser/recognize_pixels.ts";
import type { Reading } from "../../lib/browser/recognition_service.ts";
import { SteadyReading } from "../../lib/browser/steady_reading.ts";

/** What the viewfinder shows of the live reading. */
export interface LiveState {
  /** The last frame's reading (null before the first). */
  reading: Reading | null;
  /** Its id, to keep that very frame on capture. */
  frameId: number;
  /** The digits the last frames agree on, once they do. */
  steady: string | null;
  /** Frames read per second over the last second. */
  fps: number;
}

const IDLE: LiveState = { reading: null, frameId: 0, steady: null, fps: 0 };
/** Frames grabbed and not yet read back: the page grabs one while the worker reads another. */
const MAX_IN_FLIGHT = 2;
let frameIds = 0;

/** Reads `video` continuously while `on`; the state resets when it stops. */
export function useLiveReading(
  video: RefObject<HTMLVideoElement>,
  guide: FractionRect,
  on: boolean,
): LiveState {
  const [live, setLive] = useState<LiveState>(IDLE);
  useEffect(() => {
    if (!on) {
      setLive(IDLE);
      return;
    }
    let stopped = false;
    const steady = new SteadyReading();
    const times: number[] = [];
    // Video frames shown so far, and the count when the last one read was grabbed: a frame
    // shown while the worker was busy is read as soon as it can be, without waiting for the next.
    let shown = 0, grabbedAt = -1, inFlight = 0, lastShown = 0;
    const watch = () => {
      if (stopped) return;
      const v = video.current;
      const shownOne = () => {
        shown++;
        watch();
        tick();
      };
      // Where the browser says when a video frame is shown, once per frame; else once per paint.
      if (v && "requestVideoFrameCallback" in v) v.requestVideoFrameCallback(shownOne);
      else requestAnimationFrame(shownOne);
    };
    const tick = async () => {
      const v = video.current;
      // Two frames in flight: the next one is grabbed here while the worker reads the last.
      if (stopped || inFlight >= MAX_IN_FLIGHT || !v || shown === grabbedAt) return;
      if (!(v.readyState >= 2 && v.videoWidth)) return;
      inFlight++;
      grabbedAt = shown;
      try {
        const frameId = ++frameIds;
        const reading = await readFrame(await grabGuideFrame(v, guide), frameId);
        // A reading that overtook this one is newer: keep showing it.
        if (stopped || frameId < lastShown) return;
        lastShown = frameId;
        const now = performance.now();
        times.push(now);
        while (times[0] < now - 1000) times.shift();
        setLive({
          reading,
          frameId,
          steady: steady.push(reading.result.digits),
          fps: times.length,
        });
      } catch {
        // A frame that could not be grabbed or read (camera switching, engine restarting).
      } finally {
        inFlight--;
      }
      tick();
    };
    watch();
    return () => {
      stopped = true;
    };
  }, [on]);
  return live;
}
