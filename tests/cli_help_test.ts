/** Every command answers --help with its usage and a bad option with a message, not a stack trace. */
import assert from "node:assert/strict";

const COMMANDS = {
  predict: "cli/predict.ts",
  "eval-photos": "cli/eval_photos.ts",
  train: "training/train.ts",
  eval: "training/eval.ts",
};

async function run(script: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(`../${script}`, import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

for (const [task, script] of Object.entries(COMMANDS)) {
  Deno.test(`${task} - --help prints the usage and exits 0; a bad option exits 2 with the usage`, async () => {
    const help = await run(script, "--help");
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`deno task ${task} `));
    assert.doesNotMatch(help.stderr, /\bat \S+:\d+:\d+/, "no stack trace");

    const bad = await run(script, "--no-such-option");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown option '--no-such-option'/);
    assert.match(bad.stderr, new RegExp(`deno task ${task} `));
    assert.doesNotMatch(bad.stderr, /\bat \S+:\d+:\d+/, "no stack trace");
  });
}
