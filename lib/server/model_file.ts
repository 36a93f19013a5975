/**
 * Loads the model from a file path or URL on the server and CLI side: the
 * path is turned into a file: URL here, so lib/core/model_runner.ts needs no
 * file-system API of its own.
 */
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type DigitModel, loadModel } from "../core/model_runner.ts";

/** The shipped model, found relative to this file so any working directory works. */
export const DEFAULT_MODEL_PATH = fileURLToPath(
  new URL("../../static/model/model.json", import.meta.url),
);

/** A URL for `source`: kept as is when it already is one, else a file path from the cwd. */
export function modelUrl(source: string | URL): URL {
  if (source instanceof URL) return source;
  // "C:\…" is a Windows path, not a URL with scheme "c".
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) {
    return new URL(source);
  }
  return pathToFileURL(resolve(source));
}

/** Loads model.json (and its shards beside it) from a file path or URL. */
export function loadModelFile(source: string | URL): Promise<DigitModel> {
  return loadModel(modelUrl(source));
}
