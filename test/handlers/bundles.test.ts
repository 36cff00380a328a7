/**
 * Every Lambda entry, bundled exactly as the stack bundles it, loads in a fresh Node process and
 * exports a handler. This caught parquetjs-lite failing under a strict (ESM) bundle.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsFor, PROJECT_ROOT, RUNTIME_PROVIDED } from '../../infra/bundling';

const OUT = join(PROJECT_ROOT, 'bench', 'out', 'bundle-test');
const entries = ['webhook', 'enrichment', 'replay', 'watchdog'].filter((h) => existsSync(join(PROJECT_ROOT, 'handlers', `${h}.ts`)));

describe('Lambda bundles', () => {
  it.each(entries)('%s loads and exports a handler', async (name) => {
    mkdirSync(OUT, { recursive: true });
    const outfile = join(OUT, `${name}.cjs`);
    await build({ ...esbuildOptionsFor(`handlers/${name}.ts`), entryPoints: [join(PROJECT_ROOT, 'handlers', `${name}.ts`)], outfile, logLevel: 'silent', absWorkingDir: PROJECT_ROOT });
    const type = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(outfile)}).handler)`], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } }).toString();
    expect(type).toBe('function');
  });

  it('the webhook bundle leaves the Secrets Manager client to the runtime and requires it only on the SDK path', async () => {
    expect(RUNTIME_PROVIDED['handlers/webhook.ts']).toEqual(['@aws-sdk/client-secrets-manager']);
    mkdirSync(OUT, { recursive: true });
    const outfile = join(OUT, 'webhook-external.cjs');
    await build({ ...esbuildOptionsFor('handlers/webhook.ts'), entryPoints: [join(PROJECT_ROOT, 'handlers', 'webhook.ts')], outfile, logLevel: 'silent', absWorkingDir: PROJECT_ROOT });
    const code = readFileSync(outfile, 'utf8');
    // Kept as a reference to the runtime's module (never bundled; no printing a 500 KiB bundle on failure).
    expect(/(require|import)\("@aws-sdk\/client-secrets-manager"\)/.test(code)).toBe(true);
    expect(code.includes('secretsmanager.GetSecretValue') || code.includes('"GetSecretValue"')).toBe(false);
    // Loading the bundle does not load the client; the first SDK read does (node_modules stands in for the runtime's).
    const probe = `const m=require('module');const seen=[];const r=m.prototype.require;m.prototype.require=function(id){seen.push(id);return r.apply(this,arguments)};` +
      `require(${JSON.stringify(outfile)});process.stdout.write(JSON.stringify(seen.filter((id)=>id.includes('secrets-manager'))))`;
    const loaded = execFileSync(process.execPath, ['-e', probe], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } }).toString();
    expect(JSON.parse(loaded)).toEqual([]);

    // And the bundled SDK path works: a request through the bundle reads the secret from a local Secrets Manager.
    const arn = 'arn:aws:secretsmanager:me-west-1:123456789012:secret:webhook-AbCdEf';
    let reads = 0;
    const secrets = createServer((req, res) => {
      reads += 1;
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify({ ARN: arn, Name: 'webhook', SecretString: '{"token":"bundled-secret"}' }));
    });
    const firehose = createServer((req, res) => {
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end('{"RecordId":"r1","Encrypted":true}');
    });
    await Promise.all([secrets, firehose].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    const port = (s: typeof secrets) => (s.address() as AddressInfo).port;
    try {
      const run = `require(${JSON.stringify(outfile)}).handler({rawPath:'/webhook',headers:{'x-telegram-bot-api-secret-token':'bundled-secret'},body:'{"update_id":1,"message":{"message_id":1,"date":1780000000,"chat":{"id":-1001,"type":"supergroup"},"text":"hi"}}',requestContext:{http:{method:'POST'}}}).then((r)=>process.stdout.write(String(r.statusCode)))`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', run], {
        env: {
          ...process.env,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_REGION: 'me-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port(secrets)}`,
          AWS_ENDPOINT_URL_FIREHOSE: `http://127.0.0.1:${port(firehose)}`,
          WEBHOOK_SECRET_SOURCE: 'sdk', TELEGRAM_WEBHOOK_SECRET_ARN: arn, DELIVERY_STREAM_NAME: 'raw', ALLOWED_CHAT_IDS: '-1001', LOG_LEVEL: 'error',
        },
      });
      expect(stdout).toBe('200');
      expect(reads).toBe(1);
    } finally {
      secrets.close();
      firehose.close();
    }
  });
});
