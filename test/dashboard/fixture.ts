/**
 * A dashboard test group, written from the Bot API docs: two chats over 70 days (a basic group that
 * becomes a supergroup half-way, so two chat ids that are one group, and a forum supergroup with named
 * topics), ten members with names from an XSS corpus, replies, edits, reactions set and changed,
 * anonymous reaction counts, joins and leaves. Deterministic. It goes through the real pipeline
 * (raw envelopes -> enrichment -> Parquet) via test/local/reports-support.
 */
export const BASIC_ID = -4001234567;
export const SUPER_ID = -1004001234567;
export const FORUM_ID = -1005005005005;
export const START = '2024-03-01';
export const DAYS = 70;
export const OFFSET_MINUTES = -180;

/** Strings that would run code if any page put them in as markup. Each sets window.__xss. */
export const XSS = [
  '</script><script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=2">',
  '"><svg onload=window.__xss=3>',
  "'-alert(window.__xss=4)-'",
  '<!--<script>window.__xss=5</script>-->',
  '{{constructor.constructor("window.__xss=6")()}}',
  '<iframe srcdoc="<script>parent.__xss=7</script>">',
  'javascript:window.__xss=8',
];

export interface FixtureMember {
  readonly id: number;
  readonly first_name: string;
  readonly last_name?: string;
  readonly username?: string;
  readonly language_code?: string;
  readonly weight: number;
}

export const MEMBERS: FixtureMember[] = [
  { id: 7001, first_name: 'Rita', last_name: 'Lopes', username: 'rita', language_code: 'pt-br', weight: 10 },
  { id: 7002, first_name: XSS[0]!, username: 'xss_one', language_code: 'en', weight: 7 },
  { id: 7003, first_name: XSS[1]!, language_code: 'ru', weight: 6 },
  { id: 7004, first_name: 'Mei', last_name: XSS[2], language_code: 'zh-hans', weight: 5 },
  { id: 7005, first_name: XSS[3]!, language_code: 'de', weight: 4 },
  { id: 7006, first_name: 'Omar', language_code: 'ar', weight: 3 },
  { id: 7007, first_name: XSS[5]!, weight: 2 },
  { id: 7008, first_name: 'Lena', username: 'lena', language_code: 'de', weight: 2 },
  { id: 7009, first_name: 'Tom', language_code: 'en', weight: 1 },
  { id: 7010, first_name: 'Ana', language_code: 'pt', weight: 1 },
];

const TEXTS = ['bom dia', 'ok', XSS[4]!, 'see https://example.org/x', XSS[6]!, '#release tomorrow', 'Привет', '今天很好', XSS[7]!, 'kkkk 😂', 'where is the link?'];
const EMOJI = ['👍', '❤', '🔥', '😂'];

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

const user = (m: FixtureMember) => ({ id: m.id, is_bot: false, first_name: m.first_name, ...(m.last_name ? { last_name: m.last_name } : {}), ...(m.username ? { username: m.username } : {}), ...(m.language_code ? { language_code: m.language_code } : {}) });

export function fixtureUpdates(): object[] {
  const rand = prng(14);
  const updates: object[] = [];
  let updateId = 500_000;
  const nextId = () => (updateId += 1);
  const messageIds = new Map<number, number>();
  const nextMessage = (chat: number) => {
    const n = (messageIds.get(chat) ?? 0) + 1;
    messageIds.set(chat, n);
    return n;
  };
  const startMs = Date.parse(`${START}T00:00:00Z`) - OFFSET_MINUTES * 60_000; // local midnight of START
  const totalWeight = MEMBERS.reduce((s, m) => s + m.weight, 0);
  const pick = () => {
    let r = rand() * totalWeight;
    for (const m of MEMBERS) if ((r -= m.weight) < 0) return m;
    return MEMBERS[0]!;
  };
  const migrateDay = 35;
  const basic = { id: BASIC_ID, type: 'group', title: `Clube ${XSS[0]}` };
  const supergroup = { id: SUPER_ID, type: 'supergroup', title: `Clube do livro ${XSS[1]}` };
  const forum = { id: FORUM_ID, type: 'supergroup', title: 'Forum <b>dev</b>', is_forum: true };
  const topics = [
    { id: 0, name: '' },
    { id: 0, name: `Releases ${XSS[2]}` },
    { id: 0, name: 'Help' },
  ];
  const recent: Array<{ chat: typeof basic | typeof forum; message_id: number; from: FixtureMember; date: number; thread?: number }> = [];

  for (let day = 0; day < DAYS; day += 1) {
    const dayStart = Math.floor(startMs / 1000) + day * 86_400;
    const groupChat = day < migrateDay ? basic : supergroup;
    if (day === migrateDay) {
      // The basic group's last message and the supergroup's first: Telegram links them both ways.
      const at = dayStart + 60;
      updates.push({ update_id: nextId(), message: { message_id: nextMessage(BASIC_ID), from: user(MEMBERS[0]!), chat: basic, date: at, migrate_to_chat_id: SUPER_ID } });
      updates.push({ update_id: nextId(), message: { message_id: nextMessage(SUPER_ID), from: user(MEMBERS[0]!), chat: supergroup, date: at + 1, migrate_from_chat_id: BASIC_ID } });
    }
    if (day === 2) {
      topics.forEach((t, i) => {
        if (i === 0) return;
        const message_id = nextMessage(FORUM_ID);
        t.id = message_id;
        updates.push({ update_id: nextId(), message: { message_id, message_thread_id: message_id, is_topic_message: true, from: user(MEMBERS[1]!), chat: forum, date: dayStart + 3600 + i, forum_topic_created: { name: t.name, icon_color: 7322096 } } });
      });
    }
    const perDay = day % 7 === 3 ? 0 : 6 + Math.floor(rand() * 20); // one quiet day a week: zeros on the axis
    for (let k = 0; k < perDay; k += 1) {
      const inForum = day >= 3 && rand() < 0.3;
      const chat = inForum ? forum : groupChat;
      const from = pick();
      const date = dayStart + Math.floor(rand() * 86_399);
      const message_id = nextMessage(chat.id);
      const msg: Record<string, unknown> = { message_id, from: user(from), chat, date };
      const roll = rand();
      if (roll < 0.7) msg.text = TEXTS[Math.floor(rand() * TEXTS.length)]!;
      else if (roll < 0.8) Object.assign(msg, { photo: [{ file_id: `p${message_id}`, file_unique_id: `u${message_id}`, width: 90, height: 90 }], caption: XSS[Math.floor(rand() * XSS.length)] });
      else if (roll < 0.9) msg.sticker = { file_id: `s${message_id}`, file_unique_id: `su${message_id}`, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: '😂' };
      else msg.voice = { file_id: `v${message_id}`, file_unique_id: `vu${message_id}`, duration: 3 };
      let thread: number | undefined;
      if (inForum) {
        const t = topics[Math.floor(rand() * topics.length)]!;
        if (t.id) {
          thread = t.id;
          Object.assign(msg, { message_thread_id: t.id, is_topic_message: true });
        }
      }
      const candidates = recent.filter((r) => r.chat.id === chat.id && r.date < date && r.thread === thread);
      if (candidates.length && rand() < 0.3) {
        const target = candidates[Math.floor(rand() * candidates.length)]!;
        msg.reply_to_message = { message_id: target.message_id, from: user(target.from), chat, date: target.date, text: 'x', ...(thread ? { message_thread_id: thread, is_topic_message: true } : {}) };
      }
      updates.push({ update_id: nextId(), message: msg });
      recent.push({ chat, message_id, from, date, ...(thread ? { thread } : {}) });
      if (recent.length > 40) recent.shift();
      // Reactions from others, some changed later the same day.
      if (rand() < 0.35) {
        const reactor = pick();
        const emoji = EMOJI[Math.floor(rand() * EMOJI.length)]!;
        const at = Math.min(dayStart + 86_399, date + 30 + Math.floor(rand() * 600));
        updates.push({ update_id: nextId(), message_reaction: { chat, message_id, user: user(reactor), date: at, old_reaction: [], new_reaction: [{ type: 'emoji', emoji }] } });
        if (rand() < 0.3) {
          const other = EMOJI[(EMOJI.indexOf(emoji) + 1) % EMOJI.length]!;
          updates.push({ update_id: nextId(), message_reaction: { chat, message_id, user: user(reactor), date: at + 5, old_reaction: [{ type: 'emoji', emoji }], new_reaction: [{ type: 'emoji', emoji }, { type: 'emoji', emoji: other }] } });
        }
      }
      if (rand() < 0.05) {
        const at = Math.min(dayStart + 86_399, date + 60);
        updates.push({ update_id: nextId(), message_reaction_count: { chat, message_id, date: at, reactions: [{ type: { type: 'emoji', emoji: '🔥' }, total_count: 2 }] } });
      }
      if (rand() < 0.1) updates.push({ update_id: nextId(), edited_message: { ...msg, edit_date: date + 30, text: 'edited' } });
    }
    // Joins and leaves: service message and chat_member update for the same change (counted once).
    if (day % 5 === 1) {
      const m = MEMBERS[(day / 5) % MEMBERS.length | 0]!;
      const at = dayStart + 7200;
      updates.push({ update_id: nextId(), message: { message_id: nextMessage(groupChat.id), from: user(m), chat: groupChat, date: at, new_chat_members: [user(m)] } });
      updates.push({ update_id: nextId(), chat_member: { chat: groupChat, from: user(m), date: at, old_chat_member: { status: 'left', user: user(m) }, new_chat_member: { status: 'member', user: user(m) } } });
    }
    if (day % 9 === 4) {
      const m = MEMBERS[9 - (day % MEMBERS.length)]!;
      updates.push({ update_id: nextId(), chat_member: { chat: forum, from: user(m), date: dayStart + 9000, old_chat_member: { status: 'member', user: user(m) }, new_chat_member: { status: 'left', user: user(m) } } });
    }
  }
  return updates;
}
