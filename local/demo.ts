/**
 * The demo group for `npm start` on a fresh clone: a clearly marked DEMO chat with several users over
 * ~14 days ending yesterday (in the configured offset), every common message kind and service event,
 * replies and forwards, joins and leaves, edits, reactions, a join request, and one burst of
 * a few hundred messages within a minute. The updates are Bot API shaped and go through the caller's
 * ingest path (the webhook's own checks, envelope and sink), like real deliveries. Deterministic: the
 * same options give the same updates.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays, dateInOffset, startOfDayMs, type DayZone } from '../core/context-date';
import { DEFAULT_UTC_OFFSET } from '../core/config';
import { parseUtcOffset } from '../core/context-date';

/** A supergroup id no real chat has (real ones are -100 followed by 10 digits issued by Telegram). */
export const DEMO_CHAT_ID = -1009999999999;
/** Reports and the HTML page mark data as demo when the chat title starts with this. */
export const DEMO_TITLE_PREFIX = 'DEMO';
export const DEMO_CHAT_TITLE = 'DEMO — sample group (generated data)';

/** Message kinds (core/flatten message_kind) the demo always contains. */
export const DEMO_MESSAGE_KINDS = [
  'text', 'photo', 'video', 'animation', 'audio', 'voice', 'video_note', 'document', 'sticker', 'poll', 'dice',
  'location', 'venue', 'contact', 'new_chat_members', 'left_chat_member', 'new_chat_title', 'new_chat_photo',
  'pinned_message',
] as const;

/** Update kinds the demo always contains. */
export const DEMO_UPDATE_KINDS = [
  'message', 'edited_message', 'message_reaction', 'message_reaction_count', 'chat_member', 'my_chat_member',
  'chat_join_request',
] as const;

interface DemoUser {
  readonly id: number;
  readonly is_bot: boolean;
  readonly first_name: string;
  readonly last_name?: string;
  readonly username?: string;
  readonly language_code?: string;
  /** Relative activity. */
  readonly weight: number;
}

const MEMBERS: DemoUser[] = [
  { id: 900001, is_bot: false, first_name: 'Ana', last_name: 'Souza', username: 'ana_demo', language_code: 'pt-br', weight: 9 },
  { id: 900002, is_bot: false, first_name: 'Bruno', username: 'bruno_demo', language_code: 'pt-br', weight: 6 },
  { id: 900003, is_bot: false, first_name: 'Chen', username: 'chen_demo', language_code: 'zh-hans', weight: 4 },
  { id: 900004, is_bot: false, first_name: 'Dmitri', language_code: 'ru', weight: 3 },
  { id: 900005, is_bot: false, first_name: 'Eve', username: 'eve_demo', language_code: 'en', weight: 5 },
  { id: 900006, is_bot: false, first_name: 'Farah', language_code: 'ar', weight: 2 },
  { id: 900007, is_bot: false, first_name: 'Gabi', username: 'gabi_demo', language_code: 'es', weight: 1 },
];
const BOT: DemoUser = { id: 900099, is_bot: true, first_name: 'tgpipe demo bot', username: 'tgpipe_demo_bot', weight: 0 };

const TEXTS = [
  'Bom dia, pessoal! ☀️', 'Alguém viu o relatório de ontem?', 'Let us ship it 🚀', 'Привет всем', '今天的数据看起来不错',
  'Reunião às 15h', 'Thanks! 🙏🏽', 'O pipeline rodou 👍', 'lol', 'Where is the dashboard link?', 'Vou almoçar',
  'Great job team 🎉', 'Alguém tem o link da planilha?', '¿Quién viene mañana?', 'مرحبا بالجميع', 'ok', 'kkkkkk',
  'Acho que o número de ontem está errado, vou conferir e volto aqui com os detalhes completos.',
  'Sim', 'Não sei', 'https://example.org/docs', '#release amanhã', '@ana_demo pode revisar?', '👀',
];
const EMOJI = ['👍', '❤', '🔥', '😂', '🎉', '👀'];

/** Small, fast, seedable PRNG (mulberry32). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoOptions {
  /** Number of days (default 14). */
  readonly days?: number;
  /** Last day, YYYY-MM-DD in the offset (default: yesterday in the offset). */
  readonly endDate?: string;
  /** Offset of the day boundary in minutes east of UTC, or an IANA zone (default: CONTEXT_UTC_OFFSET or -03:00). */
  readonly offsetMinutes?: DayZone;
  /** Average messages per day outside the burst (default 45). */
  readonly messagesPerDay?: number;
  /** Messages in the one-minute burst (default 300; 0 for none). */
  readonly burst?: number;
  readonly seed?: number;
}

export interface DemoData {
  /** Updates in delivery order (increasing update_id and time). */
  readonly updates: object[];
  /** The context dates the updates fall on, sorted. */
  readonly days: string[];
}

const defaultOffset = (): DayZone => parseUtcOffset(process.env.CONTEXT_UTC_OFFSET || DEFAULT_UTC_OFFSET);

/** Builds the demo updates (pure apart from the default end date, which is yesterday). */
export function demoUpdates(options: DemoOptions = {}): DemoData {
  const offset = options.offsetMinutes ?? defaultOffset();
  const end = options.endDate ?? addDays(dateInOffset(Date.now(), offset), -1);
  const dayCount = Math.max(1, options.days ?? 14);
  const perDay = options.messagesPerDay ?? 45;
  const burstSize = options.burst ?? 300;
  const rand = prng(options.seed ?? 20240601);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const weighted = (): DemoUser => {
    const total = MEMBERS.reduce((n, u) => n + u.weight, 0);
    let r = rand() * total;
    for (const u of MEMBERS) if ((r -= u.weight) < 0) return u;
    return MEMBERS[0]!;
  };
  const user = (u: DemoUser) => ({
    id: u.id, is_bot: u.is_bot, first_name: u.first_name,
    ...(u.last_name ? { last_name: u.last_name } : {}),
    ...(u.username ? { username: u.username } : {}),
    ...(u.language_code ? { language_code: u.language_code } : {}),
  });
  let title = DEMO_CHAT_TITLE;
  const chat = () => ({ id: DEMO_CHAT_ID, title, type: 'supergroup' });

  /** Events with their time; update ids are given in time order at the end. */
  const events: Array<{ at: number; seq: number; build: (updateId: number) => object }> = [];
  let seq = 0;
  const at = (time: number, build: (updateId: number) => object) => events.push({ at: time, seq: seq++, build });
  let nextMessageId = 1;
  const sent: Array<{ message_id: number; from: ReturnType<typeof user>; date: number; text?: string }> = [];
  let fileN = 0;
  const file = (prefix: string) => {
    fileN += 1;
    return { file_id: `DEMO-${prefix}-${fileN}`, file_unique_id: `demo${prefix}${fileN}` };
  };

  /** Content for a message of the given kind. */
  const content = (kind: string): Record<string, unknown> => {
    switch (kind) {
      case 'text': {
        const text = pick(TEXTS);
        const entities = text.startsWith('http') ? [{ type: 'url', offset: 0, length: text.length }] : text.startsWith('#') ? [{ type: 'hashtag', offset: 0, length: 8 }] : text.startsWith('@') ? [{ type: 'mention', offset: 0, length: 9 }] : undefined;
        return { text, ...(entities ? { entities } : {}) };
      }
      case 'photo':
        return { photo: [{ ...file('p'), width: 90, height: 60, file_size: 1_400 }, { ...file('p'), width: 1280, height: 853, file_size: 96_000 + Math.floor(rand() * 90_000) }], ...(rand() < 0.5 ? { caption: 'foto do quadro 📷' } : {}) };
      case 'video':
        return { video: { ...file('v'), width: 1920, height: 1080, duration: 5 + Math.floor(rand() * 60), mime_type: 'video/mp4', file_size: 2_400_000 } };
      case 'animation':
        return { animation: { ...file('a'), width: 320, height: 240, duration: 3, mime_type: 'video/mp4', file_name: 'reaction.mp4', file_size: 210_000 }, document: { ...file('a'), mime_type: 'video/mp4', file_name: 'reaction.mp4' } };
      case 'audio':
        return { audio: { ...file('au'), duration: 185, performer: 'Demo Band', title: 'Demo song', mime_type: 'audio/mpeg', file_size: 3_100_000 } };
      case 'voice':
        return { voice: { ...file('vo'), duration: 2 + Math.floor(rand() * 45), mime_type: 'audio/ogg', file_size: 20_000 } };
      case 'video_note':
        return { video_note: { ...file('vn'), length: 384, duration: 9, file_size: 400_000 } };
      case 'document':
        return { document: { ...file('d'), file_name: pick(['relatorio.pdf', 'dados.csv', 'notes.txt']), mime_type: 'application/pdf', file_size: 340_000 }, ...(rand() < 0.3 ? { caption: 'segue o arquivo' } : {}) };
      case 'sticker':
        return { sticker: { ...file('s'), type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: pick(['😂', '👍', '🐱']), set_name: 'DemoPack', file_size: 24_000 } };
      case 'poll':
        return { poll: { id: `demo-poll-${nextMessageId}`, question: 'Pizza ou sushi na sexta?', options: [{ text: 'Pizza', voter_count: 0 }, { text: 'Sushi', voter_count: 0 }], total_voter_count: 0, is_closed: false, is_anonymous: false, type: 'regular', allows_multiple_answers: false } };
      case 'dice':
        return { dice: { emoji: '🎲', value: 1 + Math.floor(rand() * 6) } };
      case 'location':
        return { location: { latitude: -23.5505, longitude: -46.6333 } };
      case 'venue':
        return { location: { latitude: -22.9068, longitude: -43.1729 }, venue: { location: { latitude: -22.9068, longitude: -43.1729 }, title: 'Café Demo', address: 'Rua Exemplo, 123' } };
      case 'contact':
        return { contact: { phone_number: '+5511999990000', first_name: 'Contato', last_name: 'Demo', user_id: 900010 } };
      default:
        throw new Error(`no demo content for ${kind}`);
    }
  };
  const CONTENT_KINDS = DEMO_MESSAGE_KINDS.slice(0, 14);
  const CONTENT_WEIGHTS: Record<string, number> = { text: 70, photo: 8, video: 2, animation: 2, audio: 1, voice: 4, video_note: 1, document: 2, sticker: 6, poll: 0.5, dice: 1, location: 0.5, venue: 0.5, contact: 0.5 };
  const weightedKind = (): string => {
    const total = Object.values(CONTENT_WEIGHTS).reduce((a, b) => a + b, 0);
    let r = rand() * total;
    for (const k of CONTENT_KINDS) if ((r -= CONTENT_WEIGHTS[k]!) < 0) return k;
    return 'text';
  };

  /** A new message at `date` from `from`; reactions, edits and replies follow it at random. */
  const message = (date: number, from: DemoUser, fields: Record<string, unknown>, dayEnd: number, follow = true) => {
    const message_id = nextMessageId++;
    const m: Record<string, unknown> = { message_id, from: user(from), chat: chat(), date, ...fields };
    if (follow && fields.text && sent.length > 0 && rand() < 0.18) {
      const target = sent[Math.max(0, sent.length - 1 - Math.floor(rand() * 12))]!;
      m.reply_to_message = { message_id: target.message_id, from: target.from, chat: chat(), date: target.date, ...(target.text ? { text: target.text } : {}) };
    } else if (follow && fields.text && rand() < 0.03) {
      m.forward_origin = { type: 'user', sender_user: user(pick(MEMBERS)), date: date - 86_400 };
    }
    const snapshot = { ...m };
    at(date, (update_id) => ({ update_id, message: snapshot }));
    sent.push({ message_id, from: user(from), date, ...(typeof fields.text === 'string' ? { text: fields.text } : {}) });
    if (!follow) return message_id;
    if (typeof fields.text === 'string' && rand() < 0.07) {
      const editDate = Math.min(dayEnd, date + 30 + Math.floor(rand() * 600));
      at(editDate, (update_id) => ({ update_id, edited_message: { ...snapshot, edit_date: editDate, text: `${fields.text as string} (editado)` } }));
    }
    const reactions = rand() < 0.25 ? 1 + Math.floor(rand() * 3) : 0;
    for (let r = 0; r < reactions; r += 1) {
      const reactionDate = Math.min(dayEnd, date + 20 + Math.floor(rand() * 1800));
      const reactor = user(pick(MEMBERS));
      const emoji = pick(EMOJI);
      at(reactionDate, (update_id) => ({ update_id, message_reaction: { chat: chat(), message_id, user: reactor, date: reactionDate, old_reaction: [], new_reaction: [{ type: 'emoji', emoji }] } }));
    }
    return message_id;
  };

  const joinUpdates = (date: number, member: DemoUser, dayEnd: number) => {
    message(date, member, { new_chat_members: [user(member)] }, dayEnd, false);
    at(date, (update_id) => ({ update_id, chat_member: { chat: chat(), from: user(member), date, old_chat_member: { status: 'left', user: user(member) }, new_chat_member: { status: 'member', user: user(member) } } }));
  };
  const leaveUpdates = (date: number, member: DemoUser, dayEnd: number) => {
    message(date, member, { left_chat_member: user(member) }, dayEnd, false);
    at(date, (update_id) => ({ update_id, chat_member: { chat: chat(), from: user(member), date, old_chat_member: { status: 'member', user: user(member) }, new_chat_member: { status: 'left', user: user(member) } } }));
  };

  const burstDay = Math.max(0, dayCount - 5);
  for (let d = 0; d < dayCount; d += 1) {
    const day = addDays(end, d - (dayCount - 1));
    const dayStart = Math.floor(startOfDayMs(day, offset) / 1000);
    const dayEnd = dayStart + 86_399;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
    const weekend = weekday === 0 || weekday === 6;
    const local = (hour: number) => dayStart + Math.floor(hour * 3600);
    /** Activity peaks mid-morning and evening (local time). */
    const randomTime = () => {
      const peak = rand() < 0.45 ? 10.5 : rand() < 0.7 ? 20 : 15;
      const spread = (rand() + rand() + rand() - 1.5) * 4;
      return local(Math.min(23.99, Math.max(0, peak + spread)));
    };

    if (d === 0) {
      // The bot is added, and one message of every kind opens the demo.
      at(local(8), (update_id) => ({ update_id, my_chat_member: { chat: chat(), from: user(MEMBERS[0]!), date: local(8), old_chat_member: { status: 'left', user: user(BOT) }, new_chat_member: { status: 'administrator', user: user(BOT), can_be_edited: false, can_manage_chat: true, can_delete_messages: true, can_restrict_members: false, can_promote_members: false, can_change_info: false, can_invite_users: true, can_post_stories: false, can_edit_stories: false, can_delete_stories: false, is_anonymous: false, can_manage_video_chats: false } } }));
      CONTENT_KINDS.forEach((kind, k) => message(local(9 + k * 0.1), MEMBERS[k % MEMBERS.length]!, content(kind), dayEnd));
      message(local(11), MEMBERS[0]!, { new_chat_photo: [{ ...file('cp'), width: 160, height: 160, file_size: 9_000 }] }, dayEnd, false);
    }
    const n = Math.max(1, Math.round(perDay * (weekend ? 0.55 : 1) * (0.7 + rand() * 0.6)));
    const times = Array.from({ length: n }, randomTime).sort((a, b) => a - b);
    for (const time of times) message(time, weighted(), content(weightedKind()), dayEnd);

    if (d % 4 === 1) joinUpdates(local(10.2), { id: 910000 + d, is_bot: false, first_name: `Visitor ${d}`, weight: 0 }, dayEnd);
    if (d % 6 === 3) leaveUpdates(local(19.7), { id: 910000 + d - 2, is_bot: false, first_name: `Visitor ${d - 2}`, weight: 0 }, dayEnd);
    if (d === Math.floor(dayCount / 2)) {
      const requester = { id: 920001, is_bot: false, first_name: 'Hugo', weight: 0 };
      at(local(13), (update_id) => ({ update_id, chat_join_request: { chat: chat(), from: user(requester), user_chat_id: requester.id, date: local(13), invite_link: { invite_link: 'https://t.me/+DEMOdemoDEMO', creator: user(MEMBERS[0]!), creates_join_request: true, is_primary: false, is_revoked: false } } }));
      const pinned = sent[sent.length - 1]!;
      message(local(13.5), MEMBERS[0]!, { pinned_message: { message_id: pinned.message_id, from: pinned.from, chat: chat(), date: pinned.date, ...(pinned.text ? { text: pinned.text } : {}) } }, dayEnd, false);
      const newTitle = `${DEMO_CHAT_TITLE} ✨`;
      message(local(14), MEMBERS[0]!, { new_chat_title: newTitle }, dayEnd, false);
      title = newTitle;
      const counted = sent[sent.length - 3]!;
      at(local(14.2), (update_id) => ({ update_id, message_reaction_count: { chat: chat(), message_id: counted.message_id, date: local(14.2), reactions: [{ type: { type: 'emoji', emoji: '👍' }, total_count: 4 }, { type: { type: 'emoji', emoji: '🔥' }, total_count: 2 }] } }));
    }
    if (d === burstDay && burstSize > 0) {
      // A burst: a few hundred messages within one minute (a heated moment, or a flood).
      const t0 = local(21.5);
      for (let i = 0; i < burstSize; i += 1) message(t0 + Math.floor((i * 60) / burstSize), weighted(), { text: `🔥 ${pick(TEXTS)}` }, dayEnd, false);
    }
  }

  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  let updateId = 700_000_000;
  const updates = events.map((e) => e.build(updateId++));
  const days = [...new Set(events.map((e) => dateInOffset(e.at * 1000, offset)))].sort();
  return { updates, days };
}

async function hasRawData(dataDir: string): Promise<boolean> {
  try {
    return (await readdir(join(dataDir, 'raw', 'telegram'))).length > 0;
  } catch {
    return false;
  }
}

/**
 * Generates the demo group through `ingest` when the data folder has no raw data yet (a folder with real
 * data is never touched). `days` are the context dates to enrich.
 */
export async function ensureDemoData(
  dataDir: string,
  ingest: (updates: object[]) => Promise<unknown>,
  options: DemoOptions = {},
): Promise<{ generated: boolean; updates: number; days: string[] }> {
  if (await hasRawData(dataDir)) return { generated: false, updates: 0, days: [] };
  const { updates, days } = demoUpdates(options);
  await ingest(updates);
  return { generated: true, updates: updates.length, days };
}
