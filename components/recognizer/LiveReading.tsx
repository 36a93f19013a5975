import type { LiveState } from "./use_live_reading.ts";
import { DigitBoxes } from "./DigitBoxes.tsx";

/**
 * The camera's live reading drawn over the framing guide: a box and digit
 * per digit found in the last frame read, and the reading itself, which
 * carries `data-digit` like every result (`data-steady` once the last frames
 * agree, `data-fps` for the benchmark).
 */
export function LiveReading({ live }: { live: LiveState }) {
  const r = live.reading;
  const digits = r?.result.digits ?? "";
  return (
    <>
      {r && (
        <DigitBoxes
          size={r.size}
          marks={r.result.predictions.map((p) => ({
            box: p.box,
            tag: String(p.digit),
            cls: "rz-box rz-live-box",
          }))}
        />
      )}
      <p
        class={`rz-guide-hint rz-live-reading${live.steady ? " rz-live-steady" : ""}`}
        data-testid="camera-live"
        data-state={r ? "done" : "idle"}
        data-digit={digits}
        data-steady={live.steady ?? ""}
        data-fps={live.fps}
        aria-live="polite"
      >
        {live.steady
          ? (
            <>
              Reads <strong>{live.steady}</strong>: capture to keep it
            </>
          )
          : digits
          ? <>Reading… {digits}</>
          : "Fit the digits inside the frame"}
      </p>
    </>
  );
}
