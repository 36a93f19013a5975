import { useEffect, useRef, useState } from "preact/hooks";
import {
  cameraErrorMessage,
  cameraSupported,
  type FractionRect,
  openCamera,
  stopCamera,
  torchTrack,
} from "../../lib/browser/camera.ts";
import { CameraIcon } from "./icons.tsx";
import { LiveReading } from "./LiveReading.tsx";
import { TorchButton } from "./TorchButton.tsx";
import { useLiveReading } from "./use_live_reading.ts";

/** The framing guide, as fractions of the viewfinder: only this part of the frame is read. */
export const GUIDE: FractionRect = [0.08, 0.2, 0.84, 0.6];

type CameraState = "off" | "starting" | "live" | "error";

/**
 * The live viewfinder (rear camera preferred) with a framing guide, read
 * continuously by the recognition worker: boxes and digits drawn over the
 * video, and the reading offered once it is steady. Capture keeps the frame
 * last read with its reading (`onCapture`). A torch button where the camera
 * has one. Where the camera is unavailable or denied it says why and offers
 * the system camera through `<input capture>`, which installed iOS web apps
 * need. The camera runs only while this panel is shown and the page is visible.
 */
export function CameraPanel(
  { active, ready, onCapture, onFiles }: {
    active: boolean;
    /** The recognizer can read (live reading starts then). */
    ready: boolean;
    /** The user captured: keep the frame `frameId` (the last one read) with its reading. */
    onCapture: (frameId: number) => void;
    onFiles: (files: File[]) => void;
  },
) {
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  /** Bumped on every start and stop, so a camera that opens after the user left is closed. */
  const session = useRef(0);
  const [state, setState] = useState<CameraState>("off");
  const [message, setMessage] = useState("");
  const [flash, setFlash] = useState(false);
  const [torch, setTorchTrack] = useState<MediaStreamTrack | null>(null);
  const live = useLiveReading(video, GUIDE, state === "live" && ready);

  const stop = () => {
    session.current++;
    stopCamera(stream.current);
    stream.current = null;
    setTorchTrack(null);
    if (video.current) video.current.srcObject = null;
    setState((s) => (s === "error" ? s : "off"));
  };

  const start = async () => {
    if (!cameraSupported()) {
      setMessage(
        "This browser cannot show a live camera here. Take a photo with the button below.",
      );
      setState("error");
      return;
    }
    setState("starting");
    const mine = ++session.current;
    try {
      const s = await openCamera();
      if (mine !== session.current) {
        stopCamera(s); // The panel was left while the permission prompt was open.
        return;
      }
      stream.current = s;
      if (video.current) {
        video.current.srcObject = s;
        await video.current.play().catch(() => {});
      }
      setTorchTrack(torchTrack(s));
      setState("live");
    } catch (e) {
      if (mine !== session.current) return;
      setMessage(cameraErrorMessage(e));
      setState("error");
    }
  };

  useEffect(() => {
    if (!active) return;
    start();
    const onVisibility = () => {
      if (document.hidden) stop();
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      stop();
    };
  }, [active]);

  const capture = () => {
    const v = video.current;
    if (!v || v.readyState < 2 || !v.videoWidth || !live.reading) return;
    onCapture(live.frameId);
    setFlash(true);
    setTimeout(() => setFlash(false), 180);
  };

  const [gx, gy, gw, gh] = GUIDE.map((f) => `${f * 100}%`);
  return (
    <div class="rz-camera">
      <div class={`rz-viewfinder rz-viewfinder-${state}`}>
        <video ref={video} playsInline muted autoPlay aria-label="Camera viewfinder" />
        {state === "live" && (
          <div class="rz-guide" style={{ left: gx, top: gy, width: gw, height: gh }}>
            <LiveReading live={live} />
          </div>
        )}
        {state === "live" && torch && <TorchButton track={torch} />}
        {flash && <div class="rz-flash" aria-hidden="true" />}
        {state === "starting" && <p class="rz-viewfinder-note">Starting the camera…</p>}
        {state === "off" && (
          <div class="rz-viewfinder-note">
            <button type="button" class="primary" onClick={start}>Start camera</button>
          </div>
        )}
        {state === "error" && <p class="rz-viewfinder-note rz-camera-error">{message}</p>}
      </div>
      <div class="rz-camera-actions">
        <button
          type="button"
          class="primary rz-capture"
          onClick={capture}
          disabled={state !== "live" || !live.reading}
          data-testid="capture"
          data-steady={live.steady ? "true" : "false"}
        >
          <CameraIcon /> {live.steady ? `Keep ${live.steady}` : "Capture"}
        </button>
        <label class="rz-button-secondary">
          <input
            type="file"
            accept="image/*"
            capture="environment"
            class="rz-visually-hidden"
            onChange={(e) => {
              const input = e.currentTarget as HTMLInputElement;
              const files = Array.from(input.files ?? []);
              input.value = "";
              if (files.length) onFiles(files);
            }}
          />
          {state === "error" ? "Take a photo" : "Use the camera app"}
        </label>
      </div>
    </div>
  );
}
