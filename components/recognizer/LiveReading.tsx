import type { LiveState } from "./use_live_reading.ts";

/**
 * The camera's live reading drawn over the framing guide: a box and digit
 * per digit found in the last frame read, and the reading itself, which
 * carries `data-digit` like every result (`data-steady` once the last frames
 * agree, `data-fps` for the benchmark).
 */
export function LiveReading({ live }: { live: LiveState }) {
  const r = live.reading;
  const digits = r?.result.digits ?? "";
  const [w, h] = r?.size ?? [1, 1];
  return (
    <>
      {r?.result.predictions.map((p, i) => {
        const [x, y, bw, bh] = p.box;
        return (
          <span
            key={i}
            class="rz-box rz-live-box"
            aria-hidden="true"
            style={{
              left: `${(x / w) * 100}%`,
              top: `${(y / h) * 100}%`,
              width: `${(bw / w) * 100}%`,
              height: `${(bh / h) * 100}%`,
            }}
          >
            <span class="rz-box-tag">{p.digit}</span>
          </span>
        );
      })}
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
