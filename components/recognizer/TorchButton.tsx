import { useState } from "preact/hooks";
import { setTorch } from "../../lib/browser/camera.ts";

/** Turns the camera's torch on and off (shown only where the camera has one). */
export function TorchButton({ track }: { track: MediaStreamTrack }) {
  const [on, setOn] = useState(false);
  return (
    <button
      type="button"
      class="rz-torch"
      aria-pressed={on}
      data-testid="torch"
      onClick={async () => {
        if (await setTorch(track, !on)) setOn(!on);
      }}
    >
      {on ? "Torch off" : "Torch on"}
    </button>
  );
}
