/** core/doctor: the verdicts on gathered facts (no I/O), and how they are shown. */
import { describe, expect, it } from 'vitest';
import { botTokenOfSecret } from '../../core/doctor/aws';
import { exitCodeOf, renderText, type CheckResult } from '../../core/doctor/result';
import { checkWebhookInfo } from '../../core/doctor/webhook';
import { ALL_UPDATE_KINDS } from '../../core/update-kinds';

const NOW = Date.parse('2026-12-02T01:00:00Z');
const URL = 'https://abc.lambda-url.eu-west-1.on.aws/webhook';
const info = (extra: Record<string, unknown> = {}) => ({ url: URL, has_custom_certificate: false, pending_update_count: 0, allowed_updates: [...ALL_UPDATE_KINDS], max_connections: 40, ...extra });
const expectation = { url: URL, maxConnections: 40, setWebhook: 'tgpipe set-webhook', now: NOW };

describe('checkWebhookInfo', () => {
  it('passes a webhook at this URL with every kind and no error', () => {
    expect(checkWebhookInfo(info(), expectation)).toMatchObject({ status: 'pass', detail: 'delivering to this webhook, 0 pending' });
  });

  it("fails Telegram's default allowed_updates (it omits chat_member and the reactions) and names the kinds", () => {
    const r = checkWebhookInfo(info({ allowed_updates: undefined }), expectation);
    expect(r).toMatchObject({ status: 'fail', fix: 'tgpipe set-webhook' });
    expect(r.detail).toBe('allowed_updates lacks message_reaction, message_reaction_count, chat_member'); // in ALL_UPDATE_KINDS' order
    const partial = checkWebhookInfo(info({ allowed_updates: ALL_UPDATE_KINDS.filter((k) => k !== 'my_chat_member') }), expectation);
    expect(partial.detail).toBe('allowed_updates lacks my_chat_member');
  });

  it('fails a delivery error of the last hour, warns about an older one, with its age', () => {
    const recent = checkWebhookInfo(info({ last_error_date: NOW / 1000 - 600, last_error_message: 'Read timeout expired', pending_update_count: 340 }), expectation);
    expect(recent.status).toBe('fail');
    expect(recent.detail).toBe('delivery failed 10 min ago (Read timeout expired); 340 updates waiting');
    const older = checkWebhookInfo(info({ last_error_date: NOW / 1000 - 3 * 86_400, last_error_message: 'Connection refused' }), expectation);
    expect(older.status).toBe('warn');
    expect(older.lines).toContain('last error 3 d ago: Connection refused');
  });

  it('warns when max_connections is not what the stack was sized for', () => {
    expect(checkWebhookInfo(info({ max_connections: 100 }), expectation)).toMatchObject({ status: 'warn', detail: 'max_connections 100, the stack was sized for 40' });
  });

  it('fails no webhook and another URL', () => {
    expect(checkWebhookInfo(info({ url: '' }), expectation).detail).toBe('no webhook is set: Telegram delivers nothing');
    expect(checkWebhookInfo(info({ url: 'https://x.example/webhook' }), expectation).status).toBe('fail');
  });
});

describe('botTokenOfSecret', () => {
  it("reads the stack's JSON form and a bare token; the placeholder is no token", () => {
    expect(botTokenOfSecret('{"token":"123:AAx_y-z"}')).toEqual({ token: '123:AAx_y-z', wellFormed: true });
    expect(botTokenOfSecret('123:AAx\n')).toEqual({ token: '123:AAx', wellFormed: true });
    expect(botTokenOfSecret('{"token":""}')).toEqual({ wellFormed: false });
    expect(botTokenOfSecret('not a token')).toEqual({ token: 'not a token', wellFormed: false });
    expect(botTokenOfSecret(undefined)).toEqual({ wellFormed: false });
  });
});

describe('renderText and exitCodeOf', () => {
  const results: CheckResult[] = [
    { id: 'a', title: 'first', status: 'pass', detail: 'fine', fix: 'never shown' },
    { id: 'b', title: 'second', status: 'warn', detail: 'hmm', fix: 'look' },
    { id: 'c', title: 'third', status: 'fail', detail: 'broken', fix: 'repair it', lines: ['why'] },
  ];
  it('plain marks off a terminal, coloured on one; the fix under what did not pass', () => {
    const plain = renderText(results, { colour: false });
    expect(plain).toBe('✓ first: fine\n! second: hmm\n    fix: look\n✗ third: broken\n    why\n    fix: repair it\n\n1 passed, 1 warning, 1 failed\n');
    const coloured = renderText(results, { colour: true });
    expect(coloured).toContain('\x1b[31m✗\x1b[0m third: broken');
    expect(coloured).toContain('\x1b[32m✓\x1b[0m first');
  });
  it('exits 1 only when something failed', () => {
    expect(exitCodeOf(results)).toBe(1);
    expect(exitCodeOf(results.slice(0, 2))).toBe(0);
  });
});
