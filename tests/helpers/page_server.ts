/**
 * The app's server for the browser tests: main.ts without its warm-up (the
 * server-side model and the decoder processes), which pages never use and
 * which cost every one of some sixty browser tests a second or two of CPU.
 * The API still works here: the model and the decoders start on first use.
 */
import { serveApp } from "../../main.ts";

await serveApp();
