import type { Box } from "../../lib/core/image_types.ts";

/** One box to draw: where, its tag, and its classes. */
export interface BoxMark {
  box: Box;
  tag: string;
  cls: string;
}

/**
 * A box and its tag over each shape read, positioned in percent of the
 * picture (`size`: the pixels the boxes are in), inside a positioned parent:
 * the result card's picture and the live viewfinder.
 */
export function DigitBoxes({ marks, size }: { marks: BoxMark[]; size: [number, number] }) {
  const [w, h] = size;
  return (
    <>
      {marks.map(({ box, tag, cls }, i) => {
        const [x, y, bw, bh] = box;
        if (!bw || !bh) return null;
        return (
          <span
            key={i}
            class={cls}
            aria-hidden="true"
            style={{
              left: `${(x / w) * 100}%`,
              top: `${(y / h) * 100}%`,
              width: `${(bw / w) * 100}%`,
              height: `${(bh / h) * 100}%`,
            }}
          >
            <span class="rz-box-tag">{tag}</span>
          </span>
        );
      })}
    </>
  );
}
