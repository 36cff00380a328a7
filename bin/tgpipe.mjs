#!/usr/bin/env node
// The `tgpipe` command. It runs the compiled JavaScript in dist/cli (built at install by `prepare`, or
// `npm run build`); when a source is newer than that build (a checkout being edited) or there is none,
// it runs the TypeScript sources through tsx instead, so the command always runs the code as it is.
import { readFileSync, statSync } from 'node:fs';

// The AWS SDK warns on every command that it will drop Node 20 (still supported here until then, see
// README): keep it out of normal output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Output piped into `head` and closed early is not an error of the command's.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const root = new URL('..', import.meta.url);

function compiledIsCurrent() {
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'));
    return inputs.every((file) => statSync(new URL(file, root)).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

let main;
if (compiledIsCurrent()) ({ main } = await import('../dist/cli/main.mjs'));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
