import { describe, expect, it } from 'vitest';
import { loadConfig, parseChatIds } from '../../core/config';

describe('loadConfig', () => {
  it('defaults to -03:00 and an empty allow-list', () => {
    const c = loadConfig({});
    expect(c.utcOffset).toBe('-03:00');
    expect(c.utcOffsetMinutes).toBe(-180);
    expect(c.allowedChatIds.size).toBe(0);
  });
  it('reads the environment and lets flags override it', () => {
    const env = { ALLOWED_CHAT_IDS: '-1001987654321, -4055512345', CONTEXT_UTC_OFFSET: '+01:00', TELEGRAM_WEBHOOK_SECRET: 'abc_DEF-123' };
    const c = loadConfig(env);
    expect([...c.allowedChatIds]).toEqual([-1001987654321, -4055512345]);
    expect(c.utcOffsetMinutes).toBe(60);
    expect(c.webhookSecret).toBe('abc_DEF-123');
    const o = loadConfig(env, { allowedChatIds: '42', utcOffset: 'Z' });
    expect([...o.allowedChatIds]).toEqual([42]);
    expect(o.utcOffsetMinutes).toBe(0);
  });
  it('rejects bad values with a message naming them', () => {
    expect(() => parseChatIds('-100,abc')).toThrow(/"abc"/);
    expect(() => parseChatIds('1.5')).toThrow(/"1.5"/);
    expect(() => loadConfig({ CONTEXT_UTC_OFFSET: 'BRT' })).toThrow(/BRT/);
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_SECRET: 'has space' })).toThrow(/A-Z a-z 0-9/);
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_SECRET: 'x'.repeat(257) })).toThrow();
  });
});
