import { useEffect, useRef } from "preact/hooks";

/** Side of the model's input image. */
const SIDE = 28;

/** A 28×28 model input (white on black, 0..1) drawn to a small canvas, scaled up pixelated by CSS. */
export function ModelInputCanvas({ pixels, label }: { pixels: Float32Array; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext("2d");
    if (!ctx) return;
    const img = ctx.createImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) {
      const v = Math.round(Math.min(1, Math.max(0, pixels[i] ?? 0)) * 255);
      img.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels]);
  return (
    <canvas ref={ref} class="rz-crop" width={SIDE} height={SIDE} role="img" aria-label={label} />
  );
}
