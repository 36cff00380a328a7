/**
 * How every Lambda is bundled (esbuild from devDependencies, no Docker). Shared by the stack, the bundle
 * test and the cold-start benchmark so they measure what is deployed.
 *
 * CommonJS, not ESM: parquetjs-lite's generated Thrift code assigns undeclared globals, which only works
 * in sloppy mode; an ESM bundle is strict as a whole and fails at load ("Statistics is not defined").
 * For the same reason the bundle uses tsconfig.bundle.json (alwaysStrict off, so no file-wide "use strict").
 */
import * as path from 'node:path';

export const PROJECT_ROOT = path.join(import.meta.dirname, '..');
export const BUNDLE_TSCONFIG = path.join(PROJECT_ROOT, 'tsconfig.bundle.json');
export const BUNDLE_TARGET = 'node22';

/** The same settings as plain esbuild options (for tests and benchmarks). */
export const ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node' as const,
  target: BUNDLE_TARGET,
  format: 'cjs' as const,
  tsconfig: BUNDLE_TSCONFIG,
};

/**
 * Modules a Lambda takes from its runtime instead of its bundle (Node.js 24 runtimes ship AWS SDK v3).
 * Only the webhook's Secrets Manager client: its SDK fallback (regions without the extension's arm64
 * layer, infra/regions.ts) is loaded on first use there, so bundled it would only add parse time to every
 * cold start (measured ~2% of the load time) for a path most regions never take.
 */
export const RUNTIME_PROVIDED: Readonly<Record<string, readonly string[]>> = {
  'handlers/webhook.ts': ['@aws-sdk/client-secrets-manager'],
};

/** esbuild options for one entry (relative to the project root), exactly as the stack bundles it. */
export function esbuildOptionsFor(entry: string) {
  return { ...ESBUILD_OPTIONS, external: [...(RUNTIME_PROVIDED[entry] ?? [])] };
}
