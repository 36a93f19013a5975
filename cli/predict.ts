/**
 * `deno task predict [--model PATH] [--deadline SECONDS] FILE…`
 *
 * Prints one JSON line per file, in the API's format (lib/core/result_json.ts,
 * without the ten probabilities):
 * `{"file":…,"digits":"2026","predictions":[{"digit":2,"confidence":0.99,"box":[x,y,w,h],"not_digit":0.01},…],"no_digit":false,"unsure":false}`;
 * an image without digits answers `"no_digit":true` with a `reason` and a
 * `kind` (blank, noise, nothing, writing, symbol, drawing, photo). A file that cannot
 * be read or decoded gets `{"file":…,"error":…,"code":…}`; the other files
 * are still processed and the exit status is 1 at the end. Each file is
 * decoded in a worker with a deadline (as the API does), so a file that
 * makes a decoder loop (omggif on some crafted GIFs) fails alone.
 */
import { parseCli } from "../lib/server/cli_args.ts";
import { DEFAULT_MAX_PIXELS } from "../lib/server/decode_image.ts";
import { type DigitModel, loadModelWithHead } from "../lib/core/model_runner.ts";
import { DEFAULT_MODEL_PATH, modelUrl } from "../lib/server/model_file.ts";
import { outcomeJson } from "../lib/core/result_json.ts";
import { classifyDigits } from "../lib/core/recognize.ts";
import { ApiError } from "../lib/server/api_error.ts";
import { PreprocessPool } from "../lib/server/preprocess_pool.ts";
import { initInferenceBackend } from "../lib/server/tf_backend.ts";

const USAGE = `usage: deno task predict [--model PATH] [--deadline SECONDS] FILE…

Reads the digits in each image FILE and prints one JSON line per file.
  --model PATH         model.json to use (default: the shipped static/model/model.json)
  --deadline SECONDS   give up decoding a file after this long (default 30)
  -h, --help           show this text`;

/** Seconds one file may take to decode before it is given up as hostile (`--deadline`). */
export const DECODE_DEADLINE_S = 30;

/**
 * Recognises one file, decoded and preprocessed by `pool`, and returns its
 * JSON line's object. Never throws.
 */
export async function predictFile(
  model: DigitModel,
  file: string,
  pool: PreprocessPool,
  head?: DigitModel,
): Promise<Record<string, unknown>> {
  try {
    const { pre, preprocessMs } = await pool.run(await Deno.readFile(file), DEFAULT_MAX_PIXELS);
    const r = classifyDigits(model, pre, { noDigitHead: head }, preprocessMs);
    return { file, ...outcomeJson(r) };
  } catch (e) {
    const code = e instanceof ApiError
      ? e.code
      : e instanceof Deno.errors.NotFound
      ? "not_found"
      : "error";
    return { file, error: (e as Error).message, code };
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseCli({
    allowPositionals: true,
    options: {
      model: { type: "string", default: DEFAULT_MODEL_PATH },
      deadline: { type: "string", default: String(DECODE_DEADLINE_S) },
    },
  }, USAGE);
  if (positionals.length === 0) {
    console.error(USAGE);
    return 2;
  }
  await initInferenceBackend();
  let model: DigitModel, head: DigitModel | undefined;
  try {
    ({ model, head } = await loadModelWithHead(modelUrl(values.model!)));
  } catch (e) {
    console.error(`cannot load the model ${values.model}: ${(e as Error).message}`);
    return 2;
  }
  let failed = 0;
  const pool = new PreprocessPool({ size: 1, timeoutMs: Number(values.deadline) * 1000 });
  for (const file of positionals) {
    const line = await predictFile(model, file, pool, head);
    if ("error" in line) failed++;
    console.log(JSON.stringify(line));
  }
  pool.close();
  model.dispose();
  head?.dispose();
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
