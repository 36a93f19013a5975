import type { DigitPrediction } from "../../lib/core/image_types.ts";

/**
 * A box and its digit over each digit read, positioned in percent of the
 * picture (`size`: the pixels the boxes are in), inside a positioned parent.
 */
export function DigitBoxes(
  { predictions, size, extraClass = "" }: {
    predictions: DigitPrediction[];
    size: [number, number];
    extraClass?: string;
  },
) {
  const [w, h] = size;
  return (
    <>
      {predictions.map((p, i) => {
        const [x, y, bw, bh] = p.box;
        if (!bw || !bh) return null;
        return (
          <span
            key={i}
            class={`rz-box ${extraClass}`.trim()}
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
    </>
  );
}
