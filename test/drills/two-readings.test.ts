/**
 * Two readings of one body (issue 17): a key twice in an object (JSON.parse takes the last value, DuckDB
 * and Athena the first) and bytes that are not UTF-8 (decoded to U+FFFD). The webhook (Lambda handler and
 * the local server) keeps such a body as `unparsed`, so every reader agrees it is no update: the
 * enrichment quarantines it and telegram_raw has no `update` for it.
 */
import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config';
import { enrichDay } from '../../core/enrich';
import { hasDuplicateKeys } from '../../core/json-keys';
import { memoryLogger } from '../../core/log';
import { FIREHOSE_LIMITS, FirehoseSink } from '../../adapters/aws/firehose-sink';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { createWebhookHandler } from '../../handlers/webhook';
import { ALLOWED_CHATS, loadFixtures } from '../support/fixtures';
import { http, serve, type Served } from '../local/support/serve';
import { readRaw } from '../local/support/raw';

const SECRET = 'readings_Secret-0123456789';
const CHAT = ALLOWED_CHATS[0]!;
const DATE = 1773500000;
const twoChats = (id: number) => `{"update_id":${id},"message":{"message_id":${id},"date":${DATE},"chat":{"id":-999,"type":"group"},"chat":{"id":${CHAT},"type":"supergroup"},"text":"which chat?"}}`;
const plain = (id: number) => JSON.stringify({ update_id: id, message: { message_id: id, date: DATE, chat: { id: CHAT, type: 'supergroup' }, text: 'fine' } });
/** A valid update whose text holds bytes that are not UTF-8 (0xC3 0x28, 0xFF). */
const badBytes = (id: number) => Buffer.concat([Buffer.from(`{"update_id":${id},"message":{"message_id":${id},"date":${DATE},"chat":{"id":${CHAT},"type":"supergroup"},"text":"ol`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')]);

describe('hasDuplicateKeys', () => {
  it('finds a key twice in any object, as JSON reads keys; no false alarm on arrays, values or other objects', () => {
    expect(hasDuplicateKeys(twoChats(1))).toBe(true);
    expect(hasDuplicateKeys('{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}')).toBe(false);
    expect(hasDuplicateKeys('{"a":"a","b":["a","a"],"c":{"d":"a:"}}')).toBe(false);
    expect(hasDuplicateKeys('{"x":[{"k":1,"k":2}]}')).toBe(true);
    expect(hasDuplicateKeys('{"a":1, "\\u0061" :2}')).toBe(true);
    expect(hasDuplicateKeys('{"a\\"b":1,"a\\"c":2,"s":"\\\\"}')).toBe(false);
    expect(hasDuplicateKeys('{"e":{},"e2":{}, "f":{"e":1}}')).toBe(false);
    expect(hasDuplicateKeys('[1,"2",{"a":{"b":{"c":1,"c":1}}}]')).toBe(true);
  });

  it('an object of many keys (the check switches to a set): found wherever the repeat is', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`);
    const wide = `{${keys.join(',')}}`;
    expect(hasDuplicateKeys(wide)).toBe(false);
    expect(hasDuplicateKeys(`{${keys.join(',')},"k17":1}`)).toBe(true);
    expect(hasDuplicateKeys(`{"k49999":0,${keys.join(',')}}`)).toBe(true);
  });

  it('no fixture of Telegram updates has one', () => {
    for (const f of loadFixtures()) expect(hasDuplicateKeys(f.body), f.file).toBe(false);
  });
});

describe('the Lambda handler', () => {
  const firehose = mockClient(FirehoseClient);
  afterAll(() => firehose.restore());
  const event = (body: string | Buffer, base64: boolean): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      rawPath: '/webhook',
      headers: { 'x-telegram-bot-api-secret-token': SECRET },
      body: base64 ? Buffer.from(body).toString('base64') : body.toString(),
      isBase64Encoded: base64,
      requestContext: { http: { method: 'POST', path: '/webhook' } },
    }) as unknown as APIGatewayProxyEventV2;

  it('keeps a body with a key twice, and base64 bytes that are not UTF-8, as unparsed; a sound body as update', async () => {
    firehose.reset();
    firehose.on(PutRecordCommand).resolves({ RecordId: 'r', Encrypted: true });
    const logger = memoryLogger('webhook');
    const handler = createWebhookHandler({
      config: loadConfig({ ALLOWED_CHAT_IDS: String(CHAT), CONTEXT_UTC_OFFSET: '-03:00' }),
      sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1' }), 'raw'),
      logger,
      loadSecret: async () => SECRET,
      maxRecordBytes: FIREHOSE_LIMITS.maxRecordBytes,
    });
    const answers = [await handler(event(twoChats(1), false)), await handler(event(badBytes(2), true)), await handler(event(plain(3), true))];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    const lines = firehose.commandCalls(PutRecordCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Record!.Data!).toString('utf8')) as Record<string, unknown>);
    expect(lines.map((l) => ('update' in l ? 'update' : 'unparsed' in l ? 'unparsed' : '?'))).toEqual(['unparsed', 'unparsed', 'update']);
    expect(lines[0]!.unparsed).toBe(twoChats(1));
    const reasons = logger.lines.filter((l) => l.event === 'unparsed').map((l) => String(l.error));
    expect(reasons).toEqual([expect.stringMatching(/key twice/), expect.stringMatching(/not valid UTF-8/)]);
  });
});

describe('the local server, then the readers', () => {
  let dir: string;
  let server: Served;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'readings-'));
    server = await serve(dir, [], { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT), CONTEXT_UTC_OFFSET: '-03:00' });
  });
  afterAll(async () => {
    await server?.stop('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('stores both as unparsed; the enrichment quarantines them and telegram_raw has no update for them', async () => {
    const headers = { 'x-telegram-bot-api-secret-token': SECRET, 'content-type': 'application/json' };
    const answers = [await http(server.url, { body: twoChats(11), headers }), await http(server.url, { body: badBytes(12), headers }), await http(server.url, { body: plain(13), headers })];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => /unparsed/.test(a.body))).toEqual([true, true, false]);
    await server.stop('SIGTERM');
    const raw = await readRaw(dir);
    expect(raw.map((r) => (r.record.ok ? 'update' : r.record.reason)).sort()).toEqual(['unparsed_envelope', 'unparsed_envelope', 'update']);
    const stores = localStores(dir);
    // An unparsed body is dated by its arrival, the update by its own date: maybe two days.
    const total = { lines: 0, telegram: 0, quarantined: 0 };
    for (const day of new Set(raw.map((r) => r.day))) {
      const s = await enrichDay(day, { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger('enrich'), enrichedLocation: stores.enriched.root });
      total.lines += s.lines;
      total.telegram += s.rows.telegram;
      total.quarantined += s.quarantined;
    }
    expect(total).toEqual({ lines: 3, telegram: 1, quarantined: 2 });
    const engine = await DuckDbEngine.open(dir, { threads: 1 });
    try {
      const rows = await engine.query('SELECT "update" IS NOT NULL AS is_update, unparsed IS NOT NULL AS is_unparsed FROM telegram_raw ORDER BY is_update');
      expect(rows).toEqual([{ is_update: false, is_unparsed: true }, { is_update: false, is_unparsed: true }, { is_update: true, is_unparsed: false }]);
    } finally {
      await engine.close();
    }
  });
});
