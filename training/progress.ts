/** A one-line terminal progress bar for training epochs. */

/** Formats seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}

/** State shown on the bar. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  done: number;
  total: number;
  samplesPerS: number;
  loss: number;
  acc: number;
  /** Seconds left for the whole run. */
  etaS: number;
}

/** Renders the bar as a string (pure, so it can be tested and logged). */
export function renderProgress(p: ProgressState, width = 24): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const full = Math.round(frac * width);
  const bar = "█".repeat(full) + "░".repeat(width - full);
  return `epoch ${p.epoch}/${p.epochs} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ` +
    `${p.samplesPerS.toFixed(0)} samples/s loss ${p.loss.toFixed(4)} acc ${
      (p.acc * 100).toFixed(2)
    }% ` +
    `ETA ${formatDuration(p.etaS)}`;
}

const encoder = new TextEncoder();

/** Redraws the bar in place on a TTY; elsewhere (logs) prints a line at most every `log_every_s`. */
export class ProgressBar {
  private lastLog = 0;
  constructor(private readonly tty = Deno.stdout.isTerminal(), private readonly logEveryS = 30) {}

  update(p: ProgressState): void {
    const line = renderProgress(p);
    if (this.tty) {
      Deno.stdout.writeSync(encoder.encode(`\r\x1b[2K${line}`));
    } else {
      const now = performance.now() / 1000;
      if (now - this.lastLog >= this.logEveryS || p.done >= p.total) {
        this.lastLog = now;
        console.log(line);
      }
    }
  }

  /** Ends the current line so the next message starts clean. */
  finish(): void {
    if (this.tty) Deno.stdout.writeSync(encoder.encode("\n"));
  }
}
