/**
 * Images dropped anywhere on the page or pasted (outside text fields) go to
 * `onFiles`; `dragging` is true while files are dragged over the page.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { filesOf } from "../../lib/browser/image_input.ts";

/** Listens for drops and pastes on the whole page while mounted; returns whether files are dragged over it. */
export function useDropAndPaste(onFiles: (files: File[], how: "drop" | "paste") => void): boolean {
  const [dragging, setDragging] = useState(false);
  // The listener is installed once; it calls the latest callback.
  const latest = useRef(onFiles);
  latest.current = onFiles;
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target?.closest?.("input, textarea, [contenteditable]")) return;
      const files = filesOf(e.clipboardData?.files);
      if (!files.length) return;
      e.preventDefault();
      latest.current(files, "paste");
    };
    const hasFiles = (e: DragEvent) => !!e.dataTransfer?.types?.includes("Files");
    const onDragOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // Without this the browser would open the file and leave the app.
      setDragging(true);
    };
    const onDragLeave = (e: DragEvent) => {
      if (!e.relatedTarget) setDragging(false);
    };
    const onDrop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(false);
      latest.current(filesOf(e.dataTransfer?.files), "drop");
    };
    document.addEventListener("paste", onPaste);
    globalThis.addEventListener("dragover", onDragOver);
    globalThis.addEventListener("dragleave", onDragLeave);
    globalThis.addEventListener("drop", onDrop);
    return () => {
      document.removeEventListener("paste", onPaste);
      globalThis.removeEventListener("dragover", onDragOver);
      globalThis.removeEventListener("dragleave", onDragLeave);
      globalThis.removeEventListener("drop", onDrop);
    };
  }, []);
  return dragging;
}
