/**
 * The page's code and styles: dashboard/web (TypeScript and CSS) bundled and minified by esbuild when a
 * dashboard is first built in a process, then kept: every later build reuses the same bundle.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** dashboard/web, found upwards from this module (run from the sources or from the compiled dist/cli). */
function webDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'web'), join(dir, 'dashboard', 'web')]) if (existsSync(join(candidate, 'main.ts'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`dashboard/web not found above ${from}`);
  }
}

export const WEB_DIR = webDir(import.meta.dirname);

export interface WebBundle {
  readonly js: string;
  readonly css: string;
}

let bundle: Promise<WebBundle> | undefined;

async function build(): Promise<WebBundle> {
  const esbuild = await import('esbuild');
  const common = { bundle: true, minify: true, write: false, logLevel: 'silent', legalComments: 'none' } as const;
  const [js, css] = await Promise.all([
    esbuild.build({ ...common, entryPoints: [join(WEB_DIR, 'main.ts')], format: 'esm', target: 'es2022', platform: 'browser' }),
    esbuild.build({ ...common, entryPoints: [join(WEB_DIR, 'style.css')] }),
  ]);
  return { js: js.outputFiles[0]!.text, css: css.outputFiles[0]!.text };
}

/** The bundled page code and styles (built once per process). */
export function webBundle(): Promise<WebBundle> {
  bundle ??= build().catch((error: unknown) => {
    bundle = undefined;
    throw error;
  });
  return bundle;
}
