/** The repository root and its production build, shared by the browser test suites. */
import { build } from "../../framework/build.ts";

/** The repository root. */
export const ROOT = new URL("../../", import.meta.url).pathname;

let built: Promise<unknown> | undefined;

/** The app's production build, once per test process. */
export function buildOnce(): Promise<unknown> {
  built ??= build({ root: ROOT });
  return built;
}
