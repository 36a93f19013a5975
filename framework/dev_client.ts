/**
 * Development only: reloads the page when the dev server restarts after a
 * file change (the server's boot id changes).
 */
let bootId: string | null = null;
const events = new EventSource("/_frsh/alive");
events.addEventListener("message", (event) => {
  if (bootId === null) {
    bootId = event.data;
    document.documentElement.dataset.frshDevConnected = "";
  } else if (bootId !== event.data) location.reload();
});
