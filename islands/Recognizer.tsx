import { useEffect, useRef, useState } from "preact/hooks";
import { Tabs, type TabSpec } from "../components/recognizer/Tabs.tsx";
import { CameraIcon, PenIcon, UploadIcon } from "../components/recognizer/icons.tsx";
import { UploadPanel } from "../components/recognizer/UploadPanel.tsx";
import { CameraPanel } from "../components/recognizer/CameraPanel.tsx";
import { DrawingPad } from "../components/recognizer/DrawingPad.tsx";
import { ResultCard } from "../components/recognizer/ResultCard.tsx";
import { ResultView } from "../components/recognizer/ResultView.tsx";
import { EngineSettings } from "../components/recognizer/EngineSettings.tsx";
import { useDrawingHistory } from "../components/recognizer/use_drawing_history.ts";
import { PersonalModelPanel } from "../components/recognizer/PersonalModelPanel.tsx";
import type { ResultItem } from "../components/recognizer/types.ts";
import type { RecognitionSource } from "../lib/browser/history_store.ts";
import {
  engineReady,
  type EngineState,
  getEngineState,
  setPreferredBackend,
  startEngine,
  subscribeEngine,
} from "../lib/browser/engine.ts";
import { decodeImageFile, filesOf, InputError } from "../lib/browser/image_input.ts";
import {
  lowestConfidence,
  type RecognitionOutcome,
  recognizePixels,
} from "../lib/browser/recognize_pixels.ts";
import { installDiagnostics } from "../lib/browser/diagnostics.ts";
import { takeSharedImages } from "../lib/browser/share_inbox.ts";

type TabId = "camera" | "upload" | "draw";

/** The tab named by `?mode=` (the manifest's shortcuts use it), if it is one. */
function tabFromMode(mode: string | null | undefined): TabId | null {
  return mode === "camera" || mode === "upload" || mode === "draw" ? mode : null;
}

const TABS: TabSpec<TabId>[] = [
  { id: "camera", label: "Camera", icon: <CameraIcon /> },
  { id: "upload", label: "Upload", icon: <UploadIcon /> },
  { id: "draw", label: "Draw", icon: <PenIcon /> },
];

/** Props of the recognizer island (JSON-serialisable). */
export interface RecognizerProps {
  /** URL of the model's model.json (default "/model/model.json"). */
  modelUrl?: string;
  /** Folder URL of the tfjs WASM binaries (default "/wasm/"). */
  wasmDir?: string;
  /** The tab to open with ("camera", "upload" or "draw"; default "upload"). */
  mode?: string | null;
}

function pixelsToUrl(pixels: ImageData): Promise<string> {
  const canvas = document.createElement("canvas");
  canvas.width = pixels.width;
  canvas.height = pixels.height;
  canvas.getContext("2d")!.putImageData(pixels, 0, 0);
  return new Promise((resolve) =>
    canvas.toBlob((b) => resolve(b ? URL.createObjectURL(b) : ""), "image/jpeg", 0.9)
  );
}

function messageOf(e: unknown): string {
  if (e instanceof InputError) return e.message;
  if (getEngineState().status === "error") {
    return "The recognizer could not start on this device, so this image was not read.";
  }
  return `This image could not be read: ${(e as Error)?.message ?? String(e)}`;
}

/** Scrolls the results heading into view when it is off screen (after an upload on a phone). */
function revealResults(): void {
  requestAnimationFrame(() => {
    const head = document.querySelector(".rz-results-head");
    if (!head) return;
    const { top } = head.getBoundingClientRect();
    if (top >= 0 && top < innerHeight - 160) return;
    const calm = matchMedia("(prefers-reduced-motion: reduce)").matches;
    head.scrollIntoView({ behavior: calm ? "auto" : "smooth", block: "start" });
  });
}

/**
 * The recognizer: camera, upload (picker, drop, paste) and drawing inputs, a
 * result card per image, and the engine's status and settings. Everything
 * runs on the device; results are kept in the on-device history.
 */
export default function Recognizer(
  { modelUrl = "/model/model.json", wasmDir = "/wasm/", mode }: RecognizerProps,
) {
  const [tab, setTab] = useState<TabId>(tabFromMode(mode) ?? "upload");
  const [engine, setEngine] = useState<EngineState>(getEngineState());
  const [items, setItems] = useState<ResultItem[]>([]);
  const [drawOutcome, setDrawOutcome] = useState<RecognitionOutcome | null>(null);
  const [drawError, setDrawError] = useState("");
  const [notice, setNotice] = useState("");
  const [dragging, setDragging] = useState(false);
  const [lastMs, setLastMs] = useState<number | undefined>(undefined);
  const nextKey = useRef(1);

  const onStorageProblem = (message: string) => setNotice(message);
  const patch = (key: number, p: Partial<ResultItem>) =>
    setItems((list) => list.map((it) => (it.key === key ? { ...it, ...p } : it)));
  const add = (name: string, source: RecognitionSource): number => {
    const key = nextKey.current++;
    setItems((list) => [{ key, name, source, status: "working" }, ...list]);
    return key;
  };
  const finish = (key: number, outcome: RecognitionOutcome) => {
    patch(key, { status: "done", outcome });
    const t = outcome.result.timings;
    if (!outcome.fromHistory) setLastMs(t.preprocessMs + t.modelMs);
  };

  const processFiles = async (files: File[], source: RecognitionSource) => {
    const keys = files.map((f) => add(f.name || "Pasted image", source));
    revealResults();
    // One at a time: five 12 MP photos decoded at once would use ~1 GB.
    for (const [i, file] of files.entries()) {
      const key = keys[i];
      try {
        const decoded = await decodeImageFile(file);
        patch(key, {
          previewUrl: URL.createObjectURL(file),
          size: [decoded.pixels.width, decoded.pixels.height],
        });
        await engineReady();
        const hashBytes = await file.arrayBuffer();
        finish(
          key,
          await recognizePixels(decoded.pixels, {
            source,
            hashBytes,
            onStorageProblem,
            name: file.name || undefined,
          }),
        );
      } catch (e) {
        patch(key, { status: "error", message: messageOf(e) });
      }
    }
  };

  const processCapture = async (pixels: ImageData) => {
    const key = add("Camera photo", "camera");
    try {
      patch(key, { previewUrl: await pixelsToUrl(pixels), size: [pixels.width, pixels.height] });
      await engineReady();
      finish(key, await recognizePixels(pixels, { source: "camera", onStorageProblem }));
    } catch (e) {
      patch(key, { status: "error", message: messageOf(e) });
    }
  };

  const drawingHistory = useDrawingHistory(onStorageProblem);
  const onLiveDrawing = async (pixels: ImageData | null) => {
    drawingHistory.changed(pixels);
    if (!pixels) {
      setDrawOutcome(null);
      setDrawError("");
      return;
    }
    try {
      await engineReady();
      const outcome = await recognizePixels(pixels, { source: "draw", history: false });
      setDrawOutcome(outcome);
      setDrawError("");
      setLastMs(outcome.result.timings.preprocessMs + outcome.result.timings.modelMs);
    } catch (e) {
      setDrawError(messageOf(e));
    }
  };
  // The finished drawing goes to the history; the reading on screen is already current.
  const onCommitDrawing = drawingHistory.commit;

  useEffect(() => {
    installDiagnostics();
    const unsubscribe = subscribeEngine(setEngine);
    startEngine({ modelUrl, wasmDir }).catch(() => {}); // Shown through the engine state.
    // The service worker serves the same cached page for every query: read ?mode= here too.
    const fromUrl = tabFromMode(new URLSearchParams(location.search).get("mode"));
    if (fromUrl) setTab(fromUrl);
    // Images shared to the installed app (share sheet → /?shared=ID), taken once.
    takeSharedImages().then((files) => {
      if (!files.length) return;
      setTab("upload");
      processFiles(files, "share");
    });

    const onPaste = (e: ClipboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target?.closest?.("input, textarea, [contenteditable]")) return;
      const files = filesOf(e.clipboardData?.files);
      if (!files.length) return;
      e.preventDefault();
      processFiles(files, "upload");
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
      setTab("upload");
      processFiles(filesOf(e.dataTransfer?.files), "upload");
    };
    document.addEventListener("paste", onPaste);
    globalThis.addEventListener("dragover", onDragOver);
    globalThis.addEventListener("dragleave", onDragLeave);
    globalThis.addEventListener("drop", onDrop);
    return () => {
      unsubscribe();
      document.removeEventListener("paste", onPaste);
      globalThis.removeEventListener("dragover", onDragOver);
      globalThis.removeEventListener("dragleave", onDragLeave);
      globalThis.removeEventListener("drop", onDrop);
    };
  }, []);

  const clearResults = () => {
    for (const it of items) if (it.previewUrl) URL.revokeObjectURL(it.previewUrl);
    setItems([]);
  };

  const live = drawOutcome?.result;
  return (
    <section id="recognizer" class="card recognizer rz" aria-label="Recognizer">
      <Tabs tabs={TABS} selected={tab} onSelect={setTab} label="Choose how to give digits" />

      {engine.status === "error" && (
        <p class="rz-error" role="alert">
          The recognizer could not start: {engine.error}. Check your connection and reload the page.
        </p>
      )}

      {notice && (
        <p class="rz-notice" role="status">
          <span>{notice}</span>
          <button type="button" class="rz-notice-close" onClick={() => setNotice("")}>
            Dismiss
          </button>
        </p>
      )}

      <div
        class="rz-panel"
        role="tabpanel"
        id="rz-panel-camera"
        aria-labelledby="rz-tab-camera"
        hidden={tab !== "camera"}
      >
        <CameraPanel
          active={tab === "camera"}
          onCapture={processCapture}
          onFiles={(files) => processFiles(files, "camera")}
        />
      </div>
      <div
        class="rz-panel"
        role="tabpanel"
        id="rz-panel-upload"
        aria-labelledby="rz-tab-upload"
        hidden={tab !== "upload"}
      >
        <UploadPanel onFiles={(files) => processFiles(files, "upload")} dragging={dragging} />
      </div>
      <div
        class="rz-panel"
        role="tabpanel"
        id="rz-panel-draw"
        aria-labelledby="rz-tab-draw"
        hidden={tab !== "draw"}
      >
        <DrawingPad onLive={onLiveDrawing} onCommit={onCommitDrawing}>
          <div
            class="rz-result rz-live"
            data-testid="draw-result"
            data-state={live ? "done" : "idle"}
            data-digit={live?.digits ?? ""}
            data-confidence={live && !live.noDigit ? lowestConfidence(live).toFixed(4) : "0"}
            aria-live="polite"
          >
            {drawError
              ? <p class="rz-error">{drawError}</p>
              : drawOutcome
              ? <ResultView outcome={drawOutcome} />
              : (
                <p class="rz-idle">
                  Write a digit on the pad: it is read as you draw. Undo removes the last stroke.
                </p>
              )}
          </div>
        </DrawingPad>
      </div>

      <EngineSettings
        state={engine}
        lastMs={lastMs}
        onChoose={(b) => setPreferredBackend(b).catch(() => {})}
      />
      <PersonalModelPanel modelUrl={modelUrl} wasmDir={wasmDir} />

      <div class="rz-results-head" hidden={items.length === 0}>
        <h2>
          Results <span class="rz-count">{items.length}</span>
        </h2>
        <button type="button" onClick={clearResults}>Clear</button>
      </div>
      <div class="rz-results" aria-live="polite" data-testid="results">
        {items.map((it) => <ResultCard key={it.key} item={it} />)}
      </div>
    </section>
  );
}
