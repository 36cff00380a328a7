/**
 * Drill: property-based fuzzing of methods, secret headers, bodies and sizes at the webhook, through the
 * Lambda handler with a mocked Firehose and through the real local server over HTTP. Answers follow
 * DESIGN.md: 405 for non-POST, 401 without the right secret, 200 for anything with it (an invalid body is
 * stored as `unparsed`, an oversized one dropped); never a 5xx, never a crash; nothing stored without the
 * secret: every stored record is the body of a request that carried it.
 */
import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config';
import { memoryLogger } from '../../core/log';
import { objectRecords } from '../../core/object-lines';
import { FIREHOSE_LIMITS, FirehoseSink } from '../../adapters/aws/firehose-sink';
import { localStores } from '../../adapters/local/data-dir';
import { createWebhookHandler } from '../../handlers/webhook';
import { startTgpipeServe, type Child } from '../../bench/lib/processes';

const SECRET = 'fuzz_Secret-0123456789';
const CHAT = -1001987654321;
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const updateArb = fc
  .record({
    update_id: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
    message: fc.record({ chat: fc.record({ id: fc.oneof(fc.constant(CHAT), fc.integer()) }), date: fc.oneof(fc.integer(), fc.constant(0), fc.constant(-1)), text: fc.string({ unit: 'binary', maxLength: 200 }) }, { requiredKeys: [] }),
  }, { requiredKeys: [] })
  .map((u) => JSON.stringify(u));
const bodyArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  updateArb,
  // Line breaks inside a valid update (insignificant whitespace: the raw line must stay one line).
  updateArb.map((b) => b.replace(/,/g, ',\r\n')),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.integer({ min: 0, max: 300_000 }).map((n) => `{"update_id":1,"message":{"chat":{"id":${CHAT}},"date":1,"text":"${'x'.repeat(n)}"}}`),
  fc.constant(''),
);
const secretArb = fc.oneof(
  fc.constant(SECRET),
  fc.constant(SECRET),
  fc.constant(undefined),
  fc.constant(''),
  fc.string({ maxLength: 40 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
  fc.constant(SECRET.toUpperCase()),
  fc.constant(SECRET.slice(0, -1)),
  fc.constant(`${SECRET}x`),
  fc.constant(`${SECRET} `),
);
const methodArb = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');
const headerNameArb = fc.constantFrom('x-telegram-bot-api-secret-token', 'X-Telegram-Bot-Api-Secret-Token', 'X-TELEGRAM-BOT-API-SECRET-TOKEN');

const expected = (method: string, secret: string | undefined) => (method !== 'POST' ? 405 : secret === SECRET ? 200 : 401);

/** The body part of a stored envelope line: the update's bytes, or the unparsed string. */
function storedBody(line: string): string {
  const record = JSON.parse(line) as { unparsed?: string };
  if (typeof record.unparsed === 'string') return record.unparsed;
  const at = line.indexOf(',"update":');
  return line.slice(at + ',"update":'.length, line.trimEnd().length - 1);
}
/** What the envelope keeps of a body (a valid update's line breaks become spaces). */
const asStored = (body: string) => [body, body.replace(/[\r\n]+/g, ' ')];

describe('webhook fuzzing: the Lambda handler', () => {
  it('answers as DESIGN.md says; only requests with the secret reach Firehose, with their own bytes', async () => {
    const firehose = mockClient(FirehoseClient);
    firehose.on(PutRecordCommand).resolves({ RecordId: 'r' });
    const handler = createWebhookHandler({
      config: loadConfig({ ALLOWED_CHAT_IDS: String(CHAT) }),
      sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1' }), 's'),
      logger: memoryLogger(),
      loadSecret: async () => SECRET,
      maxRecordBytes: FIREHOSE_LIMITS.maxRecordBytes,
    });
    const sizes = fc.integer({ min: FIREHOSE_LIMITS.maxRecordBytes - 200, max: FIREHOSE_LIMITS.maxRecordBytes + 200 }).map((n) => `{"update_id":2,"message":{"chat":{"id":${CHAT}},"date":1,"text":"${'y'.repeat(n - 60)}"}}`);
    await fc.assert(
      fc.asyncProperty(methodArb, secretArb, headerNameArb, fc.oneof({ weight: 9, arbitrary: bodyArb }, { weight: 1, arbitrary: sizes }), fc.boolean(), async (method, secret, headerName, body, base64) => {
        const before = firehose.commandCalls(PutRecordCommand).length;
        const result = await handler({
          headers: secret === undefined ? {} : { [headerName]: secret },
          body: base64 ? Buffer.from(body).toString('base64') : body,
          isBase64Encoded: base64,
          requestContext: { http: { method } },
        } as never);
        expect(result.statusCode).toBe(expected(method, secret));
        const calls = firehose.commandCalls(PutRecordCommand);
        if (result.statusCode !== 200) expect(calls.length).toBe(before);
        expect(calls.length - before).toBeLessThanOrEqual(1);
        if (calls.length > before) {
          const data = Buffer.from(calls.at(-1)!.args[0].input.Record!.Data as Uint8Array).toString('utf8');
          expect(data.length).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxRecordBytes);
          expect(data.split('\n').filter(Boolean)).toHaveLength(1);
          expect(asStored(Buffer.from(body).toString('utf8'))).toContain(storedBody(data.trimEnd()));
        }
      }),
      { numRuns: RUNS + 100 },
    );
    firehose.restore();
  });
});

describe('webhook fuzzing: the local server over HTTP', () => {
  let dir: string;
  let server: Child;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fuzz-'));
    server = await startTgpipeServe(dir, [], { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT) });
  });
  afterAll(async () => {
    await server.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('never answers 5xx, never crashes; every stored record is the body of a request with the secret', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const authorised = new Set<string>();
    await fc.assert(
      fc.asyncProperty(methodArb, secretArb, headerNameArb, bodyArb, async (method, secret, headerName, body) => {
        const payload = method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(body);
        const status = await new Promise<number>((resolve, reject) => {
          // Framed explicitly: Node's client does not chunk DELETE bodies, which would leave them unframed.
          const headers: Record<string, string | number> = { ...(secret === undefined ? {} : { [headerName]: secret }), ...(payload ? { 'content-length': payload.length } : {}) };
          const req = request(`${server.url}/webhook`, { method, agent, headers }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
          req.on('error', reject);
          req.end(payload);
        });
        // HTTP strips whitespace around a header value (RFC 9110 field values exclude OWS).
        expect(status).toBe(expected(method, secret?.trim()));
        if (status === 200) for (const b of asStored(payload!.toString('utf8'))) authorised.add(b);
      }),
      { numRuns: RUNS },
    );
    agent.destroy();
    expect(server.child.exitCode).toBeNull();
    expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({ ok: true });
    expect(await server.stop('SIGTERM')).toBe(0);
    const stores = localStores(dir);
    let records = 0;
    for await (const o of stores.raw.list('telegram/')) {
      for await (const line of objectRecords(await stores.raw.read(o.key))) {
        records += 1;
        expect(authorised.has(storedBody(line))).toBe(true);
      }
    }
    expect(records).toBeGreaterThan(0);
  }, 120_000);
});

describe("webhook: a body over the local server's 1 MiB cap", () => {
  // A 413 would make Telegram retry the update for 24 h and hold the chat back: DESIGN.md asks for 200
  // (dropped, counted) with the secret and 401 without, decided on the headers alone.
  it('is answered 200 with the secret and 401 without (DESIGN.md), never 413', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fuzz-big-'));
    const server = await startTgpipeServe(dir, [], { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT) });
    try {
      const body = `{"update_id":3,"message":{"chat":{"id":${CHAT}},"date":1,"text":"${'z'.repeat(1024 * 1024 + 10)}"}}`;
      const post = (headers: Record<string, string>) => fetch(`${server.url}/webhook`, { method: 'POST', headers, body }).then((r) => r.status);
      expect([await post({ 'x-telegram-bot-api-secret-token': SECRET }), await post({})]).toEqual([200, 401]);
    } finally {
      await server.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
