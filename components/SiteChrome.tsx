/** The site header with the app name and navigation. */
export function SiteHeader() {
  return (
    <header class="site-header">
      <a class="brand" href="/">
        <img src="/favicon.svg" alt="" width="28" height="28" />
        <span>Digit Recognizer</span>
      </a>
      <nav aria-label="Main">
        <a href="/">Recognize</a>
        <a href="/about">About</a>
      </nav>
    </header>
  );
}

/** The site footer. */
export function SiteFooter() {
  return (
    <footer class="site-footer">
      <p>Runs on your device with TensorFlow.js. Your images never leave it.</p>
    </footer>
  );
}
