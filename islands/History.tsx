import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import {
  clearHistory,
  deleteEntry,
  historyBytes,
  type HistoryEntry,
  HistoryStorageError,
  listEntries,
  matchesReading,
  onHistoryChange,
  requestPersistentStorage,
  restoreEntry,
  setCorrection,
  type StorageInfo,
  storageInfo,
} from "../lib/browser/history_store.ts";
import { HistoryItem } from "../components/history/HistoryItem.tsx";
import { EntryDialog } from "../components/history/EntryDialog.tsx";
import { ConfirmDialog } from "../components/history/ConfirmDialog.tsx";
import { formatBytes } from "../lib/core/format.ts";

/** Rows rendered at first and added per "Show more": hundreds of entries stay smooth. */
const PAGE = 40;

type Load =
  | { state: "loading" }
  | { state: "ready"; entries: HistoryEntry[] }
  | { state: "error"; message: string };

function messageOf(error: unknown): string {
  return error instanceof HistoryStorageError
    ? error.message
    : `Something went wrong: ${(error as Error)?.message ?? error}`;
}

/**
 * The history of recognitions, newest first: open one, correct it, delete
 * it, clear everything, export everything for fine-tuning. Follows changes
 * made in other tabs.
 */
export default function History() {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [shownCount, setShownCount] = useState(PAGE);
  const [openId, setOpenId] = useState<string | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const [notice, setNotice] = useState<
    { text: string; error?: boolean; undo?: () => void } | null
  >(null);
  const [query, setQuery] = useState("");
  const [exporting, setExporting] = useState(false);
  const [storage, setStorage] = useState<StorageInfo>({});
  const [now, setNow] = useState(0);
  const sentinel = useRef<HTMLDivElement>(null);

  // One read at a time; changes arriving meanwhile (a burst of saves) cause a single re-read.
  const reading = useRef(false);
  const stale = useRef(false);
  const refresh = useCallback(async () => {
    if (reading.current) {
      stale.current = true;
      return;
    }
    reading.current = true;
    try {
      do {
        stale.current = false;
        try {
          const entries = await listEntries();
          setNow(Date.now());
          setLoad({ state: "ready", entries });
          setStorage(await storageInfo());
        } catch (error) {
          setLoad({ state: "error", message: messageOf(error) });
        }
      } while (stale.current);
    } finally {
      reading.current = false;
    }
  }, []);

  useEffect(() => {
    void refresh();
    return onHistoryChange(() => void refresh());
  }, [refresh]);

  const entries = load.state === "ready" ? load.entries : [];
  const found = query ? entries.filter((e) => matchesReading(e, query)) : entries;
  const more = found.length > shownCount;

  // Load further rows as the end of the list scrolls into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !more || typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver((seen) => {
      if (seen.some((s) => s.isIntersecting)) setShownCount((n) => n + PAGE);
    }, { rootMargin: "400px" });
    io.observe(el);
    return () => io.disconnect();
  }, [more, shownCount]);

  const act = async (work: () => Promise<unknown>, done?: string) => {
    try {
      await work();
      if (done) setNotice({ text: done });
    } catch (error) {
      setNotice({ text: messageOf(error), error: true });
    }
  };

  const open = entries.find((e) => e.id === openId) ?? null;
  const count = entries.length;

  const exportCsv = async () => {
    try {
      const { downloadCsv } = await import("../components/history/export_download.ts");
      const summary = downloadCsv(entries);
      setNotice({ text: `Exported ${summary.records} rows to ${summary.fileName}.` });
    } catch (error) {
      setNotice({ text: `The export failed: ${(error as Error)?.message ?? error}`, error: true });
    }
  };

  const remove = async (id: string) => {
    try {
      const removed = await deleteEntry(id);
      setNotice({
        text: "Deleted.",
        undo: removed ? () => act(() => restoreEntry(removed), "Restored.") : undefined,
      });
    } catch (error) {
      setNotice({ text: messageOf(error), error: true });
    }
  };

  const exportAll = async () => {
    setExporting(true);
    try {
      const { downloadExport } = await import("../components/history/export_download.ts");
      const summary = await downloadExport(entries);
      setNotice({
        text: `Exported ${summary.records} recognition${summary.records === 1 ? "" : "s"} ` +
          `(${summary.digits} labelled digit image${summary.digits === 1 ? "" : "s"}) ` +
          `to ${summary.fileName}.`,
      });
    } catch (error) {
      setNotice({ text: `The export failed: ${(error as Error)?.message ?? error}`, error: true });
    } finally {
      setExporting(false);
    }
  };

  return (
    <section class="history" aria-labelledby="history-title" data-state={load.state}>
      <div class="history-head">
        <div>
          <h1 id="history-title">History</h1>
          <p class="history-summary">
            {load.state === "ready" && count > 0
              ? `${count} recognition${count === 1 ? "" : "s"}, stored on this device only` +
                ` (${formatBytes(historyBytes(entries))})`
              : "Your recognitions, stored on this device only"}
          </p>
        </div>
        <div class="history-actions" hidden={count === 0}>
          <button
            type="button"
            onClick={exportAll}
            disabled={count === 0 || exporting}
            data-action="export"
          >
            {exporting ? "Exporting…" : "Export for training"}
          </button>
          <button type="button" onClick={exportCsv} disabled={count === 0} data-action="export-csv">
            Export CSV
          </button>
          <button
            type="button"
            class="danger"
            onClick={() => setConfirmClear(true)}
            disabled={count === 0}
            data-action="clear"
          >
            Clear all
          </button>
        </div>
      </div>

      <div role="status" aria-live="polite" class="history-notice-slot">
        {notice && (
          <p class={notice.error ? "notice notice-error" : "notice"}>
            <span>{notice.text}</span>
            {notice.undo && (
              <button
                type="button"
                class="link-button"
                data-action="undo-delete"
                onClick={() => {
                  const undo = notice.undo!;
                  setNotice(null);
                  undo();
                }}
              >
                Undo
              </button>
            )}
            <button type="button" class="link-button" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </p>
        )}
      </div>

      {load.state === "loading" && <p class="history-empty">Loading your history…</p>}
      {load.state === "error" && (
        <div class="notice notice-error history-error" role="alert">
          <p>{load.message}</p>
          <button type="button" onClick={() => void refresh()}>Try again</button>
        </div>
      )}
      {load.state === "ready" && count === 0 && (
        <div class="history-empty card">
          <p>
            <strong>No recognitions yet.</strong>{" "}
            Every digit you recognise is kept here, with its picture, so you can check it, correct
            it and export it.
          </p>
          <a class="button primary" href="/">Recognize a digit</a>
        </div>
      )}
      {count > 0 && (
        <>
          <div class="history-search">
            <label for="history-search" class="visually-hidden">Search by reading</label>
            <input
              id="history-search"
              type="search"
              inputMode="numeric"
              placeholder="Search by reading, e.g. 472"
              value={query}
              onInput={(e) => {
                setQuery((e.target as HTMLInputElement).value);
                setShownCount(PAGE);
              }}
            />
            {query && (
              <span class="history-found" role="status">
                {found.length} of {count}
              </span>
            )}
          </div>
          {query && found.length === 0 && (
            <p class="history-empty">No reading contains “{query.replace(/\D+/g, "")}”.</p>
          )}
          <ul class="history-list" aria-label="Recognitions, newest first">
            {found.slice(0, shownCount).map((entry) => (
              <HistoryItem key={entry.id} entry={entry} now={now} onOpen={setOpenId} />
            ))}
          </ul>
          {more && (
            <div ref={sentinel} class="history-more">
              <button type="button" onClick={() => setShownCount((n) => n + PAGE)}>
                Show more ({found.length - shownCount} left)
              </button>
            </div>
          )}
          {storage.persisted === false && (
            <p class="history-hint">
              Your browser may delete this history when space runs low.{" "}
              <button
                type="button"
                class="link-button"
                onClick={() =>
                  act(async () =>
                    setStorage({ ...storage, persisted: !!(await requestPersistentStorage()) })
                  )}
              >
                Ask to keep it
              </button>{" "}
              or export it now and then.
            </p>
          )}
        </>
      )}

      <EntryDialog
        entry={open}
        onClose={() => setOpenId(null)}
        onCorrect={(id, label) =>
          act(
            () => setCorrection(id, label),
            label === null
              ? "Correction removed."
              : label === ""
              ? "Saved: no digit."
              : label === open?.digits
              ? `Confirmed: it is ${label}.`
              : `Saved: it was ${label}.`,
          )}
        onDelete={(id) => {
          setOpenId(null);
          void remove(id);
        }}
      />
      <ConfirmDialog
        open={confirmClear}
        title="Clear the whole history?"
        confirmLabel="Delete all"
        onCancel={() => setConfirmClear(false)}
        onConfirm={() => {
          setConfirmClear(false);
          void act(() => clearHistory(), "History cleared.");
        }}
      >
        <p>
          All {count} recognition{count === 1 ? "" : "s"}{" "}
          and their pictures will be deleted from this device. This cannot be undone; export first
          to keep a copy.
        </p>
      </ConfirmDialog>
    </section>
  );
}
