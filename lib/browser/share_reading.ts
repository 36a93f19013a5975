/** Copying and sharing a reading (the Web Share API where available, else the clipboard). */

/** What happened: shared, copied, the user closed the share sheet, or nothing worked. */
export type ShareOutcome = "shared" | "copied" | "cancelled" | "failed";

/** Copies `text`, or shares it with `how: "share"` (falling back to a copy). */
export async function shareReading(text: string, how: "copy" | "share"): Promise<ShareOutcome> {
  if (how === "share" && typeof navigator.share === "function") {
    try {
      await navigator.share({ text });
      return "shared";
    } catch (e) {
      if ((e as Error)?.name === "AbortError") return "cancelled";
      // Not allowed here (no user activation, unsupported data): copy instead.
    }
  }
  try {
    await navigator.clipboard.writeText(text);
    return "copied";
  } catch {
    return copyWithSelection(text) ? "copied" : "failed";
  }
}

/** The old way, for pages without clipboard permission (plain http, older browsers). */
function copyWithSelection(text: string): boolean {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
