import { useEffect, useState } from "preact/hooks";
import {
  getPersonalState,
  type PersonalState,
  resetPersonalModel,
  setPersonalEnabled,
  startPersonalModel,
  subscribePersonal,
} from "../../lib/browser/personal_model.ts";

function summary(s: PersonalState): string {
  switch (s.status) {
    case "ready":
      return `Personalised with ${s.trainedWith} of your digits`;
    case "training":
      return `Learning your handwriting from ${s.digits} of your digits…`;
    case "off":
      return "Personal model off: the standard model reads your digits";
    case "waiting":
      return `Correct or confirm ${s.needed} more of your digits and the model learns your ` +
        "handwriting, on this device";
    case "unavailable":
      return "This browser cannot keep a personal model";
    case "error":
      return `The personal model could not be trained: ${s.error}`;
  }
}

/**
 * The personal model's line under the recognizer: how many of the user's
 * digits it learnt from, a switch, and a reset.
 */
export function PersonalModelPanel({ modelUrl, wasmDir }: { modelUrl: string; wasmDir: string }) {
  const [s, setS] = useState<PersonalState>(getPersonalState());
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const unsubscribe = subscribePersonal(setS);
    startPersonalModel({ modelUrl, wasmDir });
    return unsubscribe;
  }, []);
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="rz-personal" data-testid="personal-model" data-status={s.status}>
      <div class="rz-personal-row">
        <span class="rz-personal-text" role="status">{summary(s)}</span>
        {s.status !== "unavailable" && (s.digits > 0 || s.status === "off") && (
          <label>
            <input
              type="checkbox"
              checked={s.enabled}
              disabled={busy}
              data-action="personal-toggle"
              onChange={(e) =>
                act(() => setPersonalEnabled((e.target as HTMLInputElement).checked))}
            />
            Use my handwriting
          </label>
        )}
        {(s.status === "ready" || s.status === "off") && s.trainedWith !== undefined && (
          <button
            type="button"
            class="link-button"
            disabled={busy}
            data-action="personal-reset"
            onClick={() => act(resetPersonalModel)}
          >
            Reset
          </button>
        )}
      </div>
    </div>
  );
}
