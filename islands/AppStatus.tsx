import { useEffect, useState } from "preact/hooks";
import { onStorageProblem } from "../lib/browser/history_store.ts";

/**
 * The app's status line under the header, on every page: registers the
 * service worker, says when the device is offline (without blocking
 * anything), offers "new version: reload" when an update waits, and shows
 * storage problems of the history. Renders nothing while all is well.
 */
export default function AppStatus() {
  const [offline, setOffline] = useState(false);
  const [applyUpdate, setApplyUpdate] = useState<(() => void) | null>(null);
  const [storageProblem, setStorageProblem] = useState<string | null>(null);

  useEffect(() => {
    const sync = () => setOffline(!navigator.onLine);
    sync();
    addEventListener("online", sync);
    addEventListener("offline", sync);
    // Loaded in the browser only: workbox-window is a browser module.
    import("../sw/register.ts").then(({ registerServiceWorker }) =>
      registerServiceWorker((apply) => setApplyUpdate(() => apply))
    );
    const stop = onStorageProblem((problem) => setStorageProblem(problem.message));
    return () => {
      removeEventListener("online", sync);
      removeEventListener("offline", sync);
      stop();
    };
  }, []);

  return (
    <div class="app-status">
      <div role="status" aria-live="polite">
        {offline && (
          <p class="status-banner status-offline" data-status="offline">
            <span class="status-dot" aria-hidden="true" />
            <span>You're offline. Recognition and your history still work.</span>
          </p>
        )}
        {storageProblem && (
          <p class="status-banner status-warning" data-status="storage">
            <span>{storageProblem}</span>
            <button type="button" class="link-button" onClick={() => setStorageProblem(null)}>
              Dismiss
            </button>
          </p>
        )}
      </div>
      {applyUpdate && (
        <div class="update-toast" role="alert" data-status="update">
          <span>A new version of the app is ready.</span>
          <button type="button" class="primary" onClick={() => applyUpdate()}>Reload</button>
          <button
            type="button"
            class="link-button"
            aria-label="Later"
            onClick={() => setApplyUpdate(null)}
          >
            Later
          </button>
        </div>
      )}
    </div>
  );
}
