/** `deno task build`: the production build of the app in the current folder. */
import { build } from "./build.ts";

const started = performance.now();
const manifest = await build({ root: Deno.cwd() });
console.log(
  `Built ${Object.keys(manifest.islands).length} island(s) into _fresh/ in ${
    Math.round(performance.now() - started)
  } ms`,
);
