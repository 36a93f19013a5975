import { useEffect, useState } from "preact/hooks";

/** The event Chromium fires when the app can be installed (not in the DOM typings). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

/**
 * "Install app", shown only where the browser offers installation
 * (`beforeinstallprompt`) and only until the app is installed or the offer is
 * turned down: one quiet button, never a pop-up.
 */
export default function InstallButton() {
  const [offer, setOffer] = useState<BeforeInstallPromptEvent | null>(null);

  useEffect(() => {
    const onOffer = (event: Event) => {
      // Keep the browser's own mini-infobar away: the button is the one way in.
      event.preventDefault();
      setOffer(event as BeforeInstallPromptEvent);
    };
    const onInstalled = () => setOffer(null);
    addEventListener("beforeinstallprompt", onOffer);
    addEventListener("appinstalled", onInstalled);
    return () => {
      removeEventListener("beforeinstallprompt", onOffer);
      removeEventListener("appinstalled", onInstalled);
    };
  }, []);

  if (!offer) return null;
  const install = async () => {
    await offer.prompt();
    await offer.userChoice.catch(() => undefined);
    // A prompt can be shown once per event; the browser fires a new one if it may ask again.
    setOffer(null);
  };
  return (
    <button type="button" class="install-button" onClick={install}>
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path
          d="M12 4v11m0 0l-4-4m4 4l4-4M5 19h14"
          fill="none"
          stroke="currentColor"
          stroke-width="2"
          stroke-linecap="round"
          stroke-linejoin="round"
        />
      </svg>
      Install app
    </button>
  );
}
