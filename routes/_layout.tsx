import type { PageProps } from "@/framework/mod.ts";
import { SiteFooter, SiteHeader } from "@/components/SiteChrome.tsx";

/** Header and footer around every page. */
export default function Layout({ Component, url }: PageProps) {
  return (
    <>
      <SiteHeader path={url.pathname} />
      <main id="main" class="page">
        <Component />
      </main>
      <SiteFooter />
    </>
  );
}
