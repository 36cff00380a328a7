import { describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';

const received = Date.parse('2026-05-04T15:00:00Z');

describe('buildEnvelope', () => {
  it('embeds the body byte for byte, without re-serialising', () => {
    // Spacing, key order, escapes and number forms that JSON.stringify would change.
    const body = '{"update_id":7,  "message":{"date":1777900000,"chat":{"id":-100},"text":"ol\\u00e1 \\ud83d\\ude00 1.0e2","z":1.50}}';
    const env = buildEnvelope(body, parseUpdateBody(body), received, -180);
    expect(env.line.endsWith('\n')).toBe(true);
    expect(env.line).toBe(`{"received_at":${received},"context_date":"2026-05-04","update":${body}}\n`);
    const parsed = JSON.parse(env.line);
    expect(parsed.received_at).toBe(received);
    expect(parsed.update.message.text).toBe('olá 😀 1.0e2');
    expect(env.unparsed).toBe(false);
  });

  it('keeps an invalid body as an escaped unparsed string', () => {
    for (const body of ['not json', '{"message":{}}', '[1,2]', '{"update_id":"7"}', '', 'line1\nline2 "quoted" \u0000']) {
      const env = buildEnvelope(body, parseUpdateBody(body), received, -180);
      expect(env.unparsed).toBe(true);
      expect(env.line.split('\n')).toHaveLength(2);
      expect(JSON.parse(env.line)).toEqual({ received_at: received, context_date: '2026-05-04', unparsed: body });
    }
  });

  it('keeps one record per line when a valid body has line breaks (insignificant whitespace)', () => {
    const body = '{\n  "update_id": 8,\r\n  "message": {"date": 1777900000, "chat": {"id": -1}, "text": "a\\nb"}\n}';
    const env = buildEnvelope(body, parseUpdateBody(body), received, 0);
    expect(env.line.indexOf('\n')).toBe(env.line.length - 1);
    expect(JSON.parse(env.line).update).toEqual(JSON.parse(body));
  });
});
