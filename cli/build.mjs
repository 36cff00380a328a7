#!/usr/bin/env node
// Compiles the `tgpipe` command to JavaScript in dist/cli (one chunk per command, loaded when it runs),
// so the installed command starts without compiling TypeScript. Run by `npm run build` and at install
// (`prepare`). bin/tgpipe.mjs runs the sources through tsx instead when one of them is newer than this
// build (a checkout being edited), using the list of inputs written here.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/cli`;
const INLINED = ['stopwords-iso'];

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('tgpipe build: esbuild is not installed (a production install): tgpipe runs its TypeScript through tsx');
  process.exit(0);
}
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const result = await esbuild.build({
  entryPoints: { main: `${root}cli/main.ts` },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages stay in node_modules, but for JSON-only ones (stopwords-iso): Node's ESM loader needs an
  // import attribute for a JSON module that the sources' plain import does not carry, so it is inlined.
  plugins: [
    {
      name: 'packages-external',
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) => (INLINED.some((p) => args.path === p || args.path.startsWith(`${p}/`)) ? undefined : { path: args.path, external: true }));
      },
    },
  ],
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs)
  .map((f) => relative(root, `${root}${f}`))
  .filter((f) => !f.startsWith('node_modules/'));
await writeFile(`${outdir}/inputs.json`, `${JSON.stringify({ builtAt: Date.now(), inputs }, null, 1)}\n`);
