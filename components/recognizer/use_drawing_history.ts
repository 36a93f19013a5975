import { useRef } from "preact/hooks";
import { type RecognitionOutcome, recognizePixels } from "../../lib/browser/recognize_pixels.ts";
import { deleteEntry, findByHash, isUserLabelled } from "../../lib/browser/history_store.ts";

/**
 * Keeps only finished drawings in the history. A drawing is stored when it
 * rests (the pad's commit), but drawing on after that pause makes it
 * unfinished: the stored draft is replaced by the drawing as it ends, unless
 * the user already corrected or confirmed it. An empty pad starts a new drawing.
 * `commit` resolves with the stored reading (it carries the history id the
 * correct/confirm buttons need), or undefined when it could not be stored.
 */
export function useDrawingHistory(onStorageProblem: (message: string) => void) {
  const draft = useRef<string | undefined>(undefined);
  const queue = useRef<Promise<unknown>>(Promise.resolve());

  const commit = (pixels: ImageData): Promise<RecognitionOutcome | undefined> => {
    // One commit at a time, so a slow save cannot let two drafts survive.
    const done = queue.current.then(async () => {
      const outcome = await recognizePixels(pixels, { source: "draw", onStorageProblem });
      await outcome.saved;
      const previous = draft.current;
      draft.current = outcome.historyId;
      if (previous && previous !== outcome.historyId) {
        const stored = await findByHash(previous);
        if (stored && !isUserLabelled(stored)) await deleteEntry(previous);
      }
      return outcome;
    }).catch(() => undefined); // Storage problems are reported by the store itself.
    queue.current = done;
    return done;
  };
  /** Called with the pad's pixels on every change; null = the pad is empty. */
  const changed = (pixels: ImageData | null) => {
    if (!pixels) draft.current = undefined;
  };
  return { commit, changed };
}
