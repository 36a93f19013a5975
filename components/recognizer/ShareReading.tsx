import { useState } from "preact/hooks";
import { type ShareOutcome, shareReading } from "../../lib/browser/share_reading.ts";

const SAID: Record<ShareOutcome, string> = {
  shared: "Shared",
  copied: "Copied",
  cancelled: "",
  failed: "Could not copy: select the digits and copy them instead",
};

/** Copy and (where the browser can) share buttons for a reading. */
export function ShareReading({ text }: { text: string }) {
  const [said, setSaid] = useState("");
  const canShare = typeof navigator !== "undefined" && typeof navigator.share === "function";
  const act = async (how: "copy" | "share") => {
    const outcome = await shareReading(text, how);
    setSaid(SAID[outcome]);
    if (outcome !== "failed") setTimeout(() => setSaid(""), 2500);
  };
  if (!text) return null;
  return (
    <div class="rz-share">
      <button type="button" class="rz-chip" data-action="copy" onClick={() => act("copy")}>
        Copy
      </button>
      {canShare && (
        <button
          type="button"
          class="rz-chip"
          data-action="share"
          onClick={() => act("share")}
        >
          Share
        </button>
      )}
      <span class="rz-share-said" role="status">{said}</span>
    </div>
  );
}
