import type { PageProps } from "@/framework/mod.ts";
import { SiteFooter, SiteHeader } from "@/components/SiteChrome.tsx";

/** Header and footer around every page. */
export default function Layout({ Component }: PageProps) {
  return (
    <>
      <SiteHeader />
      <main id="main" class="page">
        <Component />
      </main>
      <SiteFooter />
    </>
  );
}
