/**
 * Command-line parsing for the project's commands (predict, eval-photos,
 * train, eval): `--help`/`-h` prints the usage and exits 0; an unknown option
 * or a missing value prints what is wrong and the usage and exits 2, never a
 * stack trace.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Options of every command: `--help` is added to each. */
type WithHelp<T extends ParseArgsConfig> = T & {
  options: T["options"] & { help: { type: "boolean"; short: "h" } };
};

/** Parses `Deno.args` (or `args`) by `config`; answers --help and bad options itself. */
export function parseCli<T extends ParseArgsConfig>(
  config: T,
  usage: string,
  args: string[] = Deno.args,
): ReturnType<typeof parseArgs<WithHelp<T>>> {
  const full = {
    ...config,
    args,
    options: { ...config.options, help: { type: "boolean", short: "h" } },
  } as WithHelp<T>;
  let parsed: ReturnType<typeof parseArgs<WithHelp<T>>>;
  try {
    parsed = parseArgs(full);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage}`);
    Deno.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    Deno.exit(0);
  }
  return parsed;
}
