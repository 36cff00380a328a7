import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExportJsonStream, ExportSyntaxError, type ExportEvent } from '../../core/export/json-stream';
import { accountExport, chatExport, dated, serialize, serializeString } from '../support/tdesktop-export';

function readAll(bytes: Buffer, chunk: number): ExportEvent[] {
  const parser = new ExportJsonStream();
  const events: ExportEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunk) events.push(...parser.write(bytes.subarray(i, i + chunk)));
  events.push(...parser.end());
  return events;
}

const messagesOf = (events: ExportEvent[]) => events.filter((e) => e.kind === 'message').map((e) => (e as { value: unknown }).value);

const sampleMessages = [
  { id: 1, type: 'message', ...dated(1700000000), from: 'Ana "A" \\', from_id: 'user1', text: 'tab\there\nnew line \u0001\u001f bell\u0007 é 👋🏽 \u2028 end', text_entities: [{ type: 'plain', text: 'x' }] },
  { id: 2, type: 'message', ...dated(1700000100), from: null, from_id: 'user2', text: ['a ', { type: 'bold', text: 'b' }, { type: 'mention_name', text: 'c', user_id: 5 }], text_entities: [] },
  { id: 3, type: 'unsupported' },
  { id: 4, type: 'service', ...dated(1700000200), actor: 'Ana', actor_id: 'user1', action: 'invite_members', members: ['B', null] },
  { id: 5, type: 'message', ...dated(1700000300), location_information: { latitude: -34.603722, longitude: -58.381592 }, poll: { question: 'q', closed: false, total_voters: 0, answers: [] }, n: 1.5e-7 },
];

describe('ExportJsonStream', () => {
  it('reads a single-chat export in the writer\'s format, whatever the chunk size, with \\xHH escapes', () => {
    const text = chatExport({ name: 'G \u0002', type: 'private_supergroup', id: 123, messages: sampleMessages });
    expect(text).toContain('\\x01'); // the writer's escape, which JSON.parse refuses
    expect(() => JSON.parse(text)).toThrow();
    const bytes = Buffer.from(text);
    const expected = JSON.parse(text.replace(/\\x([0-9A-F]{2})/g, '\\u00$1'));
    for (const chunk of [1, 2, 3, 5, 7, 13, 64, 4096, bytes.length]) {
      const events = readAll(bytes, chunk);
      expect(events[0]).toMatchObject({ kind: 'chat_start', chat: { index: 0, section: 'root', name: 'G \u0002', type: 'private_supergroup', id: 123 } });
      expect(messagesOf(events)).toEqual(expected.messages);
      expect(events.at(-1)).toMatchObject({ kind: 'chat_end', messages: 5 });
    }
  });

  it('gives each message its byte offset and line in the file', () => {
    const text = chatExport({ name: 'G', type: 'private_group', id: 9, messages: sampleMessages });
    const events = readAll(Buffer.from(text), 10).filter((e) => e.kind === 'message') as Array<{ offset: number; line: number; value: { id: number } }>;
    for (const e of events) {
      expect(Buffer.from(text).subarray(e.offset, e.offset + 1).toString()).toBe('{');
      expect(text.slice(0, Buffer.from(text).subarray(0, e.offset).toString().length).split('\n').length).toBe(e.line);
    }
  });

  it('keeps lines and offsets right over many chunks and messages (the incremental line cursor), and names late damage exactly', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ ...sampleMessages[i % sampleMessages.length]!, id: i + 1 }));
    const text = chatExport({ name: 'G', type: 'private_supergroup', id: 9, messages: many });
    const bytes = Buffer.from(text);
    const lineOfByte = (offset: number) => bytes.subarray(0, offset).toString().split('\n').length;
    for (const chunk of [1, 7, 64, 1000, 65536]) {
      const events = readAll(bytes, chunk).filter((e) => e.kind === 'message') as Array<{ offset: number; line: number }>;
      expect(events).toHaveLength(300);
      for (const e of events) {
        expect(bytes[e.offset]).toBe(0x7b);
        expect(e.line).toBe(lineOfByte(e.offset));
      }
    }
    // A stray byte inside message 250: its byte, line and column, whatever the chunk size.
    const at = text.indexOf('"id": 250,');
    const damaged = Buffer.from(`${text.slice(0, at)}@${text.slice(at)}`);
    const offset = Buffer.byteLength(text.slice(0, at));
    const lines = text.slice(0, at).split('\n');
    for (const chunk of [3, 64, 4096]) {
      const parser = new ExportJsonStream();
      const events: ExportEvent[] = [];
      for (let i = 0; i < damaged.length && !parser.damage; i += chunk) events.push(...parser.write(damaged.subarray(i, i + chunk)));
      expect(parser.damage, `chunk ${chunk}`).toBeInstanceOf(ExportSyntaxError);
      expect(parser.damage).toMatchObject({ offset, line: lines.length, column: Buffer.byteLength(lines.at(-1)!) + 1 });
      expect(messagesOf(events)).toHaveLength(249);
    }
  });

  it('reads an account export: chats.list and left_chats.list, skipping everything else', () => {
    const text = accountExport(
      [
        { name: 'One', type: 'public_supergroup', id: 1, messages: sampleMessages.slice(0, 2) },
        { name: 'Me', type: 'personal_chat', id: 2, messages: [] },
      ],
      [{ name: 'Left', type: 'private_channel', id: 3, messages: sampleMessages.slice(3) }],
    );
    const events = readAll(Buffer.from(text), 100);
    const starts = events.filter((e) => e.kind === 'chat_start').map((e) => (e as { chat: unknown }).chat);
    expect(starts).toEqual([
      { index: 0, section: 'chats', name: 'One', type: 'public_supergroup', id: 1 },
      { index: 1, section: 'chats', name: 'Me', type: 'personal_chat', id: 2 },
      { index: 2, section: 'left_chats', name: 'Left', type: 'private_channel', id: 3 },
    ]);
    expect(messagesOf(events).map((m) => (m as { id: number }).id)).toEqual([1, 2, 4, 5]);
  });

  it('names the byte, line and column of damage, after handing out the messages before it', () => {
    const text = chatExport({ name: 'G', type: 'private_group', id: 9, messages: sampleMessages });
    const cut = text.indexOf('"id": 4');
    const damaged = `${text.slice(0, cut)}"id": 4,, ${text.slice(cut + 8)}`;
    const parser = new ExportJsonStream();
    const events: ExportEvent[] = [];
    let error: unknown;
    try {
      for (let i = 0; i < damaged.length; i += 50) {
        events.push(...parser.write(Buffer.from(damaged.slice(i, i + 50))));
        if (parser.damage) break;
      }
      parser.end();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExportSyntaxError);
    const e = error as ExportSyntaxError;
    expect(e.offset).toBe(Buffer.byteLength(damaged.slice(0, cut + 8)));
    const before = damaged.slice(0, cut + 8).split('\n');
    expect(e.line).toBe(before.length);
    expect(e.column).toBe(before.at(-1)!.length + 1);
    expect(messagesOf(events).map((m) => (m as { id: number }).id)).toEqual([1, 2, 3]);
  });

  it('calls a cut-off file truncated, at its end', () => {
    const text = chatExport({ name: 'G', type: 'private_group', id: 9, messages: sampleMessages });
    for (const at of [text.indexOf('"id": 3') + 3, text.length - 3, 1, text.indexOf('tab') + 2]) {
      const parser = new ExportJsonStream();
      parser.write(Buffer.from(text.slice(0, at)));
      expect(() => parser.end()).toThrow(/truncated|ends inside/);
    }
    expect(() => new ExportJsonStream().end()).toThrow(/empty/);
  });

  it('refuses what is not an export: an array, trailing garbage, bad escapes, bad literals', () => {
    const bad = ['[1,2]', '{"a":1} x', '{"a":"\\q"}', '{"a":tru}', '{"a":01}', '{"a" 1}', '{"a":1]', '{"a":"\\x4"}'];
    for (const text of bad) expect(() => readAll(Buffer.from(text), 3), text).toThrow(ExportSyntaxError);
  });

  it('reads any string the writer can write (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 40 }), (texts, chunk) => {
        const messages = texts.map((t, i) => ({ id: i + 1, type: 'message', ...dated(1700000000 + i), text: t, [[...t].slice(0, 5).join('') || 'k']: t }));
        const events = readAll(Buffer.from(chatExport({ name: texts[0]!, type: 'private_group', id: 1, messages })), chunk);
        expect(messagesOf(events)).toEqual(messages);
      }),
      { numRuns: 50 },
    );
  });

  it('serializes strings as the writer does (the helper itself)', () => {
    expect(serializeString('a\u0001\n"\\\u2029')).toBe('"a\\x01\\n\\"\\\\\\u2029"');
    expect(serialize({ a: [1, { b: null }] })).toBe('{\n "a": [\n  1,\n  {\n   "b": null\n  }\n ]\n}');
  });
});
