import { Component } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Tabs, type TabSpec } from "../components/recognizer/Tabs.tsx";
import { CameraIcon, PenIcon, UploadIcon } from "../components/recognizer/icons.tsx";
import { UploadPanel } from "../components/recognizer/UploadPanel.tsx";
import { CameraPanel } from "../components/recognizer/CameraPanel.tsx";
import { DrawingPad } from "../components/recognizer/DrawingPad.tsx";
import { ResultCard } from "../components/recognizer/ResultCard.tsx";
import { CheckedReading } from "../components/recognizer/CheckedReading.tsx";
import { EngineSettings } from "../components/recognizer/EngineSettings.tsx";
import { useDrawingHistory } from "../components/recognizer/use_drawing_history.ts";
import { PersonalModelPanel } from "../components/recognizer/PersonalModelPanel.tsx";
import { useResultList } from "../components/recognizer/use_result_list.ts";
import { useDropAndPaste } from "../components/recognizer/use_drop_and_paste.ts";
import type { ResultItem } from "../components/recognizer/types.ts";
import { hashImageBytes, type RecognitionSource } from "../lib/browser/history_store.ts";
import type { EngineState } from "../lib/browser/engine.ts";
import {
  getEngineState,
  setPreferredBackend,
  startEngine,
  subscribeEngine,
} from "../lib/browser/recognizer_client.ts";
import { InputError } from "../lib/browser/image_input.ts";
import {
  keepFrame,
  lowestConfidence,
  type RecognitionOutcome,
  recognizeFile,
  recognizePixels,
  type ShownOutcome,
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

function messageOf(e: unknown): string {
  if (e instanceof InputError) return e.message;
  if (getEngineState().status === "error") {
    return "The recognizer could not start on this device, so this image was not read.";
  }
  return `This image could not be read: ${(e as Error)?.message ?? String(e)}`;
}

/** Cards rendered at most: the newest; older ones are shown on request (a long session stays fast). */
const SHOWN_CARDS = 40;

/** A result card that re-renders only when its own item changes (a list of hundreds stays fast). */
class Card extends Component<{ item: ResultItem }> {
  override shouldComponentUpdate(next: { item: ResultItem }): boolean {
    return next.item !== this.props.item;
  }
  override render() {
    return <ResultCard item={this.props.item} />;
  }
}

/**
 * Once rendered, scrolls `selector`'s element to the top of the screen unless
 * the part that matters (its top `needed` pixels) is already on screen: a
 * new card after an upload or a capture on a phone (its reading sits under
 * the picture), the drawing pad with the reading under it.
 */
function reveal(selector: string, needed: number): void {
  requestAnimationFrame(() => {
    const el = document.querySelector(selector);
    if (!el) return;
    const { top, height } = el.getBoundingClientRect();
    if (top >= 0 && top + Math.min(height, needed) <= innerHeight) return;
    const calm = matchMedia("(prefers-reduced-motion: reduce)").matches;
    el.scrollIntoView({ behavior: calm ? "auto" : "smooth", block: "start" });
  });
}

/** Card height that must show: the picture (at most 240 px) and the digits read under it. */
const CARD_READING_PX = 400;
/** The tabs, the pad and the reading under it, from the top of the recognizer. */
const PAD_READING_PX = 560;
// No hash without WebCrypto (an insecure address): nothing is stored there either.
const drawingKey = (pixels: ImageData) => hashImageBytes(pixels.data).catch(() => "");
const revealCard = (key: number) => reveal(`.rz-results [data-key="${key}"]`, CARD_READING_PX);

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
  const list = useResultList();
  const [showAll, setShowAll] = useState(false);
  const [drawOutcome, setDrawOutcome] = useState<RecognitionOutcome | null>(null);
  const [drawError, setDrawError] = useState("");
  const [notice, setNotice] = useState("");
  const [lastMs, setLastMs] = useState<number | undefined>(undefined);

  const onStorageProblem = (message: string) => setNotice(message);
  const finish = (key: number, { outcome, preview, size }: ShownOutcome) => {
    list.patch(key, {
      status: "done",
      outcome,
      size,
      previewUrl: preview ? URL.createObjectURL(preview) : undefined,
    });
    const t = outcome.result.timings;
    if (!outcome.fromHistory) setLastMs(t.preprocessMs + t.modelMs);
  };

  const processFiles = async (files: File[], source: RecognitionSource) => {
    const keys = files.map((f) => list.add(f.name || "Pasted image", source));
    if (keys.length) revealCard(keys[0]);
    // One at a time: five 12 MP photos decoded at once would use ~1 GB.
    for (const [i, file] of files.entries()) {
      try {
        finish(
          keys[i],
          await recognizeFile(file, { source, onStorageProblem, name: file.name || undefined }),
        );
      } catch (e) {
        list.patch(keys[i], { status: "error", message: messageOf(e) });
      }
      // The first card has grown from a spinner to a picture and its reading.
      if (i === 0) revealCard(keys[0]);
    }
  };

  const processCapture = async (frameId: number) => {
    const key = list.add("Camera photo", "camera");
    revealCard(key);
    try {
      finish(key, await keepFrame(frameId, { source: "camera", onStorageProblem }));
    } catch (e) {
      list.patch(key, { status: "error", message: messageOf(e) });
    }
    revealCard(key);
  };

  const drawingHistory = useDrawingHistory(onStorageProblem);
  // The drawing on the pad and the stored reading of a finished one, by the pixels' hash: a live
  // reading of the same drawing shows the stored one (it carries the correct/confirm buttons).
  const drawKeys = useRef<{ live?: string; stored?: { key: string; outcome: RecognitionOutcome } }>(
    {},
  );
  const onLiveDrawing = async (pixels: ImageData | null) => {
    drawingHistory.changed(pixels);
    if (!pixels) {
      drawKeys.current.live = undefined;
      setDrawOutcome(null);
      setDrawError("");
      return;
    }
    try {
      // The pad runs one live reading at a time, so the keys arrive in order.
      const key = drawKeys.current.live = await drawingKey(pixels);
      const outcome = await recognizePixels(pixels, { source: "draw", history: false });
      if (drawKeys.current.live !== key) return;
      const stored = drawKeys.current.stored;
      setDrawOutcome(stored?.key === key ? stored.outcome : outcome);
      setDrawError("");
      setLastMs(outcome.result.timings.preprocessMs + outcome.result.timings.modelMs);
    } catch (e) {
      setDrawError(messageOf(e));
    }
  };
  // The finished drawing goes to the history; once stored, its reading can be confirmed or corrected.
  const onCommitDrawing = async (pixels: ImageData) => {
    const key = await drawingKey(pixels);
    const stored = await drawingHistory.commit(pixels);
    if (!stored?.historyId) return;
    drawKeys.current.stored = { key, outcome: stored };
    if (drawKeys.current.live === key) setDrawOutcome(stored);
  };

  const selectTab = (id: TabId) => {
    setTab(id);
    if (id === "draw") reveal("#recognizer", PAD_READING_PX);
  };

  const dragging = useDropAndPaste((files) => {
    setTab("upload");
    processFiles(files, "upload");
  });

  useEffect(() => {
    installDiagnostics();
    const unsubscribe = subscribeEngine(setEngine);
    startEngine({ modelUrl, wasmDir }).catch(() => {}); // Shown through the engine state.
    // The service worker serves the same cached page for every query: read ?mode= here too.
    const fromUrl = tabFromMode(new URLSearchParams(location.search).get("mode"));
    if (fromUrl) selectTab(fromUrl);
    // Images shared to the installed app (share sheet → /?shared=ID), taken once.
    takeSharedImages().then((files) => {
      if (!files.length) return;
      setTab("upload");
      processFiles(files, "share");
    });
    return unsubscribe;
  }, []);

  const items = list.items;
  const hidden = showAll ? 0 : Math.max(0, items.length - SHOWN_CARDS);
  const live = drawOutcome?.result;
  return (
    <section id="recognizer" class="card recognizer rz" aria-label="Recognizer">
      <Tabs tabs={TABS} selected={tab} onSelect={selectTab} label="Choose how to give digits" />

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
          ready={engine.status === "ready"}
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
              ? <CheckedReading key={drawOutcome.historyId ?? "live"} outcome={drawOutcome} />
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
        <button
          type="button"
          onClick={() => {
            list.clear();
            setShowAll(false);
          }}
        >
          Clear
        </button>
      </div>
      {hidden > 0 && (
        <button type="button" class="rz-show-all" onClick={() => setShowAll(true)}>
          Show {hidden} earlier {hidden === 1 ? "result" : "results"}
        </button>
      )}
      <div class="rz-results" aria-live="polite" data-testid="results">
        {items.slice(hidden).map((it) => (
          <div key={it.key} class="rz-slot" data-key={it.key}>
            <Card item={it} />
          </div>
        ))}
      </div>
    </section>
  );
}
