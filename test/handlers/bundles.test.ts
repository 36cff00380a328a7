/**
 * Every Lambda entry, bundled exactly as the stack bundles it, loads in a fresh Node process and
 * exports a handler. This caught parquetjs-lite failing under a strict (ESM) bundle.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ESBUILD_OPTIONS, PROJECT_ROOT } from '../../infra/bundling';

const OUT = join(PROJECT_ROOT, 'bench', 'out', 'bundle-test');
const entries = ['webhook', 'enrichment', 'replay', 'watchdog'].filter((h) => existsSync(join(PROJECT_ROOT, 'handlers', `${h}.ts`)));

describe('Lambda bundles', () => {
  it.each(entries)('%s loads and exports a handler', async (name) => {
    mkdirSync(OUT, { recursive: true });
    const outfile = join(OUT, `${name}.cjs`);
    await build({ ...ESBUILD_OPTIONS, entryPoints: [join(PROJECT_ROOT, 'handlers', `${name}.ts`)], outfile, logLevel: 'silent', absWorkingDir: PROJECT_ROOT });
    const type = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(outfile)}).handler)`], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } }).toString();
    expect(type).toBe('function');
  });
});
