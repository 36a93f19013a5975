import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  drawStroke,
  INK,
  PAD_SIZE,
  renderStrokes,
  type Stroke,
  STROKE_WIDTH,
  toPadPoint,
} from "../../lib/browser/strokes.ts";
import { ClearIcon, UndoIcon } from "./icons.tsx";

type Timer = ReturnType<typeof setTimeout>;

/** Pause in drawing after which the reading is refreshed. */
const LIVE_DELAY_MS = 120;
/** Pause after the last stroke after which the drawing counts as finished (saved to history). */
const COMMIT_DELAY_MS = 2000;

/**
 * A square pad for finger, pen or mouse (pointer events, no scrolling while
 * drawing), with undo and clear. While the user draws, `onLive` is called
 * (debounced, never two at once) with the pad's pixels, or null once it is
 * empty; `onCommit` once the drawing rests for a moment.
 */
export function DrawingPad(
  { onLive, onCommit, children }: {
    onLive: (pixels: ImageData | null) => Promise<void>;
    onCommit: (pixels: ImageData) => void;
    children?: ComponentChildren;
  },
) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const strokes = useRef<Stroke[]>([]);
  const current = useRef<Stroke | null>(null);
  const [count, setCount] = useState(0);
  const timers = useRef<{ live?: Timer; commit?: Timer; busy: boolean; pending: boolean }>({
    busy: false,
    pending: false,
  });

  const ctx = () => canvas.current?.getContext("2d", { willReadFrequently: true }) ?? null;
  const pixels = () => {
    const c = ctx();
    return c && strokes.current.length ? c.getImageData(0, 0, PAD_SIZE, PAD_SIZE) : null;
  };

  const runLive = async () => {
    const t = timers.current;
    if (t.busy) {
      t.pending = true;
      return;
    }
    t.busy = true;
    t.pending = false;
    try {
      await onLive(pixels());
    } finally {
      t.busy = false;
      if (t.pending) runLive();
    }
  };
  const scheduleLive = () => {
    clearTimeout(timers.current.live);
    timers.current.live = setTimeout(runLive, LIVE_DELAY_MS);
  };
  const scheduleCommit = () => {
    clearTimeout(timers.current.commit);
    timers.current.commit = setTimeout(() => {
      const p = pixels();
      if (p) onCommit(p);
    }, COMMIT_DELAY_MS);
  };

  const redraw = () => {
    const c = ctx();
    if (c) renderStrokes(c, strokes.current);
  };
  useEffect(() => {
    redraw();
    const t = timers.current;
    return () => {
      clearTimeout(t.live);
      clearTimeout(t.commit);
    };
  }, []);

  const point = (e: PointerEvent) =>
    toPadPoint(e.clientX, e.clientY, canvas.current!.getBoundingClientRect());

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0 && e.pointerType === "mouse") return;
    e.preventDefault();
    canvas.current!.setPointerCapture?.(e.pointerId);
    clearTimeout(timers.current.commit);
    current.current = [point(e)];
    strokes.current = [...strokes.current, current.current];
    const c = ctx();
    if (c) {
      c.fillStyle = INK;
      c.lineWidth = STROKE_WIDTH;
      drawStroke(c, current.current);
    }
    setCount(strokes.current.length);
    scheduleLive();
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!current.current) return;
    const events = e.getCoalescedEvents?.() ?? [];
    for (const ev of events.length ? events : [e]) current.current.push(point(ev));
    redraw();
    scheduleLive();
  };
  const onPointerUp = () => {
    if (!current.current) return;
    current.current = null;
    scheduleLive();
    scheduleCommit();
  };

  const undo = () => {
    strokes.current = strokes.current.slice(0, -1);
    setCount(strokes.current.length);
    redraw();
    scheduleLive();
    if (strokes.current.length) scheduleCommit();
    else clearTimeout(timers.current.commit);
  };
  const clear = () => {
    strokes.current = [];
    setCount(0);
    redraw();
    clearTimeout(timers.current.commit);
    scheduleLive();
  };

  return (
    <div class="rz-draw">
      <div class="rz-pad-column">
        <div class="rz-pad-wrap">
          <canvas
            ref={canvas}
            class="rz-pad"
            width={PAD_SIZE}
            height={PAD_SIZE}
            tabIndex={0}
            role="img"
            aria-label="Drawing pad: write one or more digits with your finger, a pen or the mouse"
            data-testid="drawing-pad"
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp}
            onKeyDown={(e) => {
              if ((e.ctrlKey || e.metaKey) && e.key === "z") {
                e.preventDefault();
                undo();
              }
            }}
          />
          {count === 0 && <p class="rz-pad-placeholder" aria-hidden="true">Draw a digit here</p>}
        </div>
        <div class="rz-pad-actions">
          <button type="button" onClick={undo} disabled={count === 0}>
            <UndoIcon /> Undo
          </button>
          <button type="button" onClick={clear} disabled={count === 0}>
            <ClearIcon /> Clear
          </button>
        </div>
      </div>
      <div class="rz-draw-result">{children}</div>
    </div>
  );
}
