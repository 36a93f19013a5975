import type { ResultItem } from "./types.ts";
import { ResultView } from "./ResultView.tsx";
import { lowestConfidence } from "../../lib/browser/recognize_pixels.ts";

const SOURCE_LABELS = { camera: "Camera", upload: "Upload", draw: "Drawing", share: "Shared" };

/**
 * One image of the results list: its preview with the digits boxed, then the
 * reading, a spinner while working, or a clear message when it was refused.
 * `data-digit` / `data-confidence` carry the reading for scripts and tests.
 */
export function ResultCard({ item, unsureBelow }: { item: ResultItem; unsureBelow?: number }) {
  const r = item.outcome?.result;
  const digit = item.status === "done" && r ? r.digits : "";
  const confidence = item.status === "done" && r && !r.noDigit ? lowestConfidence(r) : 0;
  return (
    <article
      class={`rz-result rz-result-${item.status}`}
      data-state={item.status}
      data-digit={digit}
      data-confidence={confidence.toFixed(4)}
      aria-busy={item.status === "working"}
    >
      <div class="rz-media">
        {item.previewUrl
          ? (
            <div class="rz-preview">
              <img src={item.previewUrl} alt={`Your image ${item.name}`} />
              {r && item.size && r.predictions.map((p, i) => {
                const [w, h] = item.size!;
                const [x, y, bw, bh] = p.box;
                if (!bw || !bh) return null;
                return (
                  <span
                    key={i}
                    class="rz-box"
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
            </div>
          )
          : (
            <div class={`rz-preview rz-preview-empty`} aria-hidden="true">
              {item.status === "error" ? "!" : ""}
            </div>
          )}
      </div>
      <div class="rz-body">
        <p class="rz-meta">
          <span class="rz-source">{SOURCE_LABELS[item.source]}</span>
          <span class="rz-name" title={item.name}>{item.name}</span>
        </p>
        {item.status === "working" && (
          <p class="rz-working">
            <span class="rz-spinner" aria-hidden="true" />Reading…
          </p>
        )}
        {item.status === "error" && <p class="rz-error">{item.message}</p>}
        {item.status === "done" && item.outcome && (
          <ResultView outcome={item.outcome} unsureBelow={unsureBelow} />
        )}
      </div>
    </article>
  );
}
