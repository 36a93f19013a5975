import {
  BACKEND_LABELS,
  type BackendName,
  BACKENDS,
  isAvailable,
  parseBackend,
} from "../../lib/browser/backend_choice.ts";
import type { EngineState } from "../../lib/browser/engine.ts";

/** A short status line for the engine, e.g. "WebAssembly · ready". */
export function engineSummary(s: EngineState): string {
  if (s.status === "error") return "Recognition unavailable";
  if (s.status !== "ready" || !s.backend) return "Loading the model…";
  return `Ready · ${BACKEND_LABELS[s.backend]}`;
}

/**
 * The engine's details and the backend override, folded away by default:
 * which backend runs the model and why, the model version, the warm-up time.
 */
export function EngineSettings(
  { state, onChoose, lastMs }: {
    state: EngineState;
    onChoose: (b: BackendName | null) => void;
    lastMs?: number;
  },
) {
  const probe = state.probe;
  return (
    <details class="rz-engine">
      <summary>
        <span class={`rz-dot rz-dot-${state.status}`} aria-hidden="true" />
        <span data-testid="engine-status">{engineSummary(state)}</span>
        <span class="rz-engine-more">Settings</span>
      </summary>
      <div class="rz-engine-body">
        <label class="rz-field">
          <span>Run the model with</span>
          <select
            value={state.preferred ?? ""}
            disabled={!probe}
            onChange={(e) => onChoose(parseBackend((e.currentTarget as HTMLSelectElement).value))}
          >
            <option value="">Automatic (fastest here)</option>
            {BACKENDS.map((b) => {
              const available = probe ? isAvailable(probe, b) : true;
              const failed = state.failed[b];
              return (
                <option key={b} value={b} disabled={!available}>
                  {BACKEND_LABELS[b]}
                  {!available ? " (not on this device)" : failed ? " (failed here)" : ""}
                </option>
              );
            })}
          </select>
        </label>
        <dl class="rz-facts">
          <dt>In use</dt>
          <dd data-testid="engine-backend">
            {state.backend ? BACKEND_LABELS[state.backend] : "—"}
          </dd>
          {state.reason && (
            <>
              <dt>Why</dt>
              <dd>{state.reason}</dd>
            </>
          )}
          {probe?.gpuName && (
            <>
              <dt>Graphics</dt>
              <dd>{probe.gpuName}</dd>
            </>
          )}
          <dt>Model</dt>
          <dd>{state.modelVersion ?? "—"}</dd>
          {state.warmupMs !== undefined && (
            <>
              <dt>Warm-up</dt>
              <dd>{state.warmupMs.toFixed(0)} ms</dd>
            </>
          )}
          {lastMs !== undefined && (
            <>
              <dt>Last reading</dt>
              <dd>{lastMs.toFixed(1)} ms</dd>
            </>
          )}
          {Object.entries(state.failed).map(([b, why]) => (
            <>
              <dt>{BACKEND_LABELS[b as BackendName]}</dt>
              <dd class="rz-muted">failed: {why}</dd>
            </>
          ))}
        </dl>
        {state.error && <p class="rz-error">{state.error}</p>}
      </div>
    </details>
  );
}
