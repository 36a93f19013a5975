import AppStatus from "../islands/AppStatus.tsx";
import InstallButton from "../islands/InstallButton.tsx";

const NAV = [
  { href: "/", label: "Recognize" },
  { href: "/history", label: "History" },
  { href: "/about", label: "About" },
];

/** Props of {@link SiteHeader}. */
export interface SiteHeaderProps {
  /** The current page's path, to mark its link as current (optional). */
  path?: string;
}

/**
 * The site header with the app name, navigation and the install button,
 * followed by the app's status line (offline, update, storage problems).
 */
export function SiteHeader({ path }: SiteHeaderProps = {}) {
  return (
    <>
      <header class="site-header">
        <a class="brand" href="/">
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span>Digit Recognizer</span>
        </a>
        <nav aria-label="Main" class="site-nav">
          {NAV.map(({ href, label }) => (
            <a href={href} aria-current={path === href ? "page" : undefined}>{label}</a>
          ))}
        </nav>
        <div class="install-slot">
          <InstallButton />
        </div>
      </header>
      <AppStatus />
    </>
  );
}

/** The site footer. */
export function SiteFooter() {
  return (
    <footer class="site-footer">
      <p>Runs on your device with TensorFlow.js: your images are read here, not on a server.</p>
    </footer>
  );
}
