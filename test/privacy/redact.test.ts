/** The pure parts of data modes: redaction rules, pseudonyms, and the webhook's use of them. */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/log';
import { createPseudonymizer, isPseudonym, PSEUDONYM_BASE } from '../../core/privacy/pseudonym';
import { redactUpdate, REDACTED_FIELD } from '../../core/privacy/redact';
import { flattenUpdate } from '../../core/flatten';
import { handleWebhook } from '../../core/webhook';
import { createMatcher } from '../../core/privacy/erasure';
import { ANA, BEN, CHAT, conversation, DIA } from './support';

const pseudonymize = createPseudonymizer('a test key of enough bytes');
const chat = { id: CHAT, type: 'supergroup', title: 'Group title', username: 'public_group' };

describe('redactUpdate', () => {
  const reply = {
    update_id: 1,
    message: {
      message_id: 2,
      from: ANA,
      chat,
      date: 1773500000,
      text: 'héllo 👋',
      entities: [{ type: 'text_link', offset: 0, length: 5, url: 'https://x.example' }],
      reply_to_message: { message_id: 1, from: BEN, chat, date: 1773499000, caption: 'a caption', photo: [{ file_id: 'f', file_unique_id: 'u', width: 1, height: 1 }] },
      quote: { text: 'quoted', position: 0 },
    },
  };

  it('full is the identity (the same object: the webhook keeps the bytes)', () => {
    expect(redactUpdate(reply, { mode: 'full' })).toBe(reply);
  });

  it('no-text removes the words at every depth and keeps their lengths, kinds, entity types and the chat title', () => {
    const out = redactUpdate(reply, { mode: 'no-text' }) as any;
    expect(JSON.stringify(out)).not.toMatch(/héllo|a caption|quoted|x\.example/);
    expect(out.message[REDACTED_FIELD]).toEqual({ text: 7 });
    expect(out.message.reply_to_message[REDACTED_FIELD]).toEqual({ caption: 9 });
    expect(out.message.entities).toEqual([{ type: 'text_link', offset: 0, length: 5, [REDACTED_FIELD]: { url: 17 } }]);
    expect(out.message.chat).toEqual(chat);
    expect(out.message.from).toEqual(ANA);
    const full = flattenUpdate(reply as any, 1).row;
    const row = flattenUpdate(out, 1, 'no-text').row;
    expect(row).toMatchObject({ text: null, text_length: full.text_length, message_kind: 'text', entity_types: '["text_link"]', quote_text: null, data_mode: 'no-text' });
    expect(full.text_length).toBe(7);
  });

  it('pseudonymous replaces user ids (users, private chats, contacts) and drops names, usernames, phones and places', () => {
    const updates = conversation();
    const out = updates.map((u) => redactUpdate(u, { mode: 'pseudonymous', pseudonymize }));
    const text = JSON.stringify(out);
    for (const v of ['Anafirstzq', 'ana_userzq', '+5511987650000', '-23.5505199', String(ANA.id), String(DIA.id)]) expect(text).not.toContain(v);
    const first = out[0] as any;
    expect(first.message.from).toEqual({ id: pseudonymize(ANA.id), is_bot: false, language_code: 'pt-br', [REDACTED_FIELD]: { first_name: null, last_name: null, username: null } });
    const location = out.find((u: any) => u.message?.location) as any;
    expect(location.message.location).toEqual({});
    expect(flattenUpdate(location, 1, 'pseudonymous').row.message_kind).toBe('location');
    const contact = out.find((u: any) => u.message?.contact) as any;
    expect(contact.message.contact.user_id).toBe(pseudonymize(BEN.id));
    const group = redactUpdate({ update_id: 3, message: { message_id: 1, chat, date: 1, text: 't' } }, { mode: 'pseudonymous', pseudonymize }) as any;
    expect(group.message.chat.username).toBe('public_group');
    const privateChat = redactUpdate({ update_id: 4, message: { message_id: 1, chat: { id: ANA.id, type: 'private', first_name: 'A', username: 'u' }, date: 1, text: 't' } }, { mode: 'pseudonymous', pseudonymize }) as any;
    expect(privateChat.message.chat).toEqual({ id: pseudonymize(ANA.id), type: 'private', [REDACTED_FIELD]: { first_name: null, username: null } });
  });

  it('applying a mode twice changes nothing more; pseudonymous of no-text equals pseudonymous of the original', () => {
    for (const u of conversation()) {
      const once = redactUpdate(u, { mode: 'pseudonymous', pseudonymize });
      expect(redactUpdate(once, { mode: 'pseudonymous', pseudonymize })).toEqual(once);
      expect(redactUpdate(redactUpdate(u, { mode: 'no-text' }), { mode: 'pseudonymous', pseudonymize })).toEqual(once);
    }
  });

  it('pseudonymous needs the key', () => {
    expect(() => redactUpdate(reply, { mode: 'pseudonymous' })).toThrow(/key/);
  });
});

describe('pseudonyms', () => {
  it('are keyed, stable, above every real user id and safe integers', () => {
    const other = createPseudonymizer('another key of enough bytes');
    for (const id of [1, 777000, 910000001, 2 ** 52 - 1]) {
      const p = pseudonymize(id);
      expect(p).toBe(createPseudonymizer('a test key of enough bytes')(id));
      expect(p).not.toBe(other(id));
      expect(isPseudonym(p)).toBe(true);
      expect(p).toBeGreaterThanOrEqual(PSEUDONYM_BASE);
      expect(Number.isSafeInteger(p)).toBe(true);
      expect(pseudonymize(p)).toBe(p);
    }
    expect(() => createPseudonymizer('short')).toThrow(/16 bytes/);
  });
});

describe('the webhook applies the mode and the opt-out list', () => {
  const lines: string[] = [];
  const sink = { put: async (l: string) => void lines.push(l), putBatch: async () => ({ failed: [], errors: [] }), close: async () => {} };
  const deps = (privacy: any) => ({ secret: 'S', allowedChatIds: new Set([CHAT]), utcOffsetMinutes: -180, sink, logger: memoryLogger(), privacy });
  const post = (u: object, privacy: any) => handleWebhook({ method: 'POST', headers: { 'x-telegram-bot-api-secret-token': 'S' }, body: JSON.stringify(u) }, deps(privacy));

  it('full with nobody opted out stores the body as received', async () => {
    lines.length = 0;
    const u = conversation()[1]!;
    expect((await post(u, { mode: 'full', optedOut: () => undefined })).outcome).toBe('stored');
    expect(lines[0]).toContain(`"update":${JSON.stringify(u)}}`);
  });

  it('an opted-out sender is dropped and counted; others keep their update with that person taken out', async () => {
    lines.length = 0;
    const optedOut = () => createMatcher([ANA.id], []);
    const [own, reply] = conversation();
    expect((await post(own!, { mode: 'full', optedOut })).outcome).toBe('dropped_opted_out');
    expect((await post(reply!, { mode: 'full', optedOut })).outcome).toBe('stored');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/Anafirstzq|910000001|Textzq hello/);
    expect(lines[0]).toContain('"reply_to_message":{"message_id":5001,"tgpipe_erased":true}');
  });

  it('an unparsed body keeps only its size in a mode that withholds text', async () => {
    lines.length = 0;
    const r = await handleWebhook({ method: 'POST', headers: { 'x-telegram-bot-api-secret-token': 'S' }, body: 'secret words' }, deps({ mode: 'no-text' }));
    expect(r.outcome).toBe('stored_unparsed');
    expect(lines[0]).not.toContain('secret words');
    expect(lines[0]).toContain('"data_mode":"no-text"');
  });
});
