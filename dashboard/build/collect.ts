/**
 * Runs the facts (facts.ts) on a query engine and turns their rows into the page's data model
 * (../model.ts): dictionaries for chats, members, kinds, emoji and terms, and compact columnar cubes.
 * A fact that fails (a table or column this deployment does not have yet) leaves its cube empty and its
 * part marked with the error, so the page says what is missing; the others still go through.
 */
import type { QueryEngine } from '../../ports/catalog';
import { DEMO_CHAT_ID, DEMO_TITLE_PREFIX } from '../../local/demo';
import { loadReports, renderReportSql, type Report } from '../../reports';
import {
  TOP_MESSAGES_PER_CHAT,
  type ChatInfo,
  type Cube,
  type DashboardData,
  type FactSql,
  type MemberInfo,
  type OriginalReport,
  type PartName,
  type PartStatus,
  type TopMessage,
  type TopicInfo,
} from '../model';
import { FACTS, type FactName } from './facts';
import { checkTimeZone, localSecondsSql, offsetAt, offsetSegments } from './zone';

export interface CollectOptions {
  /** Offset or IANA zone of the local-time views (default -03:00). */
  readonly timeZone?: string;
  readonly now?: Date;
  /** Rows of each original report kept in the page. */
  readonly reportRows?: number;
}

/** The original pipeline's six reports, shown verbatim in their own section. */
export const ORIGINAL_REPORTS = ['messages_per_day', 'messages_per_user_per_day', 'average_length_per_user_per_day', 'messages_by_hour_weekday_week', 'messages_per_user', 'messages_per_month'];

type Row = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * Sums values per key; `columns` are the key columns then the value columns. Rows are appended as they
 * come (a fact's rows are almost all distinct keys already; only merged chats and unknown senders repeat
 * one) and summed once, in build, after a sort: over the half a million rows of a large group's year a
 * hash map of joined key strings cost seconds.
 */
class CubeBuilder<K extends string> {
  private readonly columns: number[][];
  constructor(
    private readonly keys: readonly K[],
    private readonly values: readonly K[],
  ) {
    this.columns = [...keys, ...values].map(() => []);
  }
  add(key: readonly number[], value: readonly number[]): void {
    const cols = this.columns;
    const k = this.keys.length;
    for (let i = 0; i < k; i += 1) cols[i]!.push(key[i]!);
    for (let i = 0; i < value.length; i += 1) cols[k + i]!.push(value[i]!);
  }
  /** Rows ordered by the key columns, one per key (the page relies on day order for a few scans). */
  build(): Cube<K> {
    const k = this.keys.length;
    const keyCols = this.columns.slice(0, k).map((c) => Float64Array.from(c));
    const n = keyCols[0]!.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i += 1) order[i] = i;
    // One number per row when the keys fit (small non-negative integers, as the dictionaries give): the
    // sort then compares one value, not k.
    let radix = 1;
    const weights: number[] = [];
    for (let c = k - 1; c >= 0; c -= 1) {
      weights[c] = radix;
      let max = 0;
      let plain = true;
      for (const v of keyCols[c]!) {
        if (v > max) max = v;
        if (v < 0 || !Number.isInteger(v)) plain = false;
      }
      radix = plain ? radix * (max + 1) : Infinity;
    }
    if (radix <= Number.MAX_SAFE_INTEGER) {
      const composite = new Float64Array(n);
      for (let c = 0; c < k; c += 1) {
        const col = keyCols[c]!;
        const w = weights[c]!;
        for (let i = 0; i < n; i += 1) composite[i]! += col[i]! * w;
      }
      order.sort((a, b) => composite[a]! - composite[b]!);
    } else {
      order.sort((a, b) => {
        for (let c = 0; c < k; c += 1) {
          const col = keyCols[c]!;
          if (col[a] !== col[b]) return col[a]! - col[b]!;
        }
        return 0;
      });
    }
    const out: number[][] = this.columns.map(() => []);
    let last = -1;
    for (let j = 0; j < n; j += 1) {
      const i = order[j]!;
      let same = last >= 0;
      for (let c = 0; same && c < k; c += 1) same = keyCols[c]![i] === keyCols[c]![last];
      if (same) {
        const at = out[0]!.length - 1;
        for (let c = k; c < this.columns.length; c += 1) out[c]![at]! += this.columns[c]![i]!;
      } else {
        for (let c = 0; c < this.columns.length; c += 1) out[c]!.push(this.columns[c]![i]!);
      }
      last = i;
    }
    return Object.fromEntries([...this.keys, ...this.values].map((name, c) => [name, out[c]!])) as Cube<K>;
  }
}

/** Union-find over chat ids linked by migrate_to / migrate_from. */
function chatGroups(rows: Row[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
    parent.set(x, p);
    return p;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const r of rows) {
    const id = String(r.chat_id);
    find(id);
    if (r.migrate_to !== null && r.migrate_to !== undefined) union(id, String(r.migrate_to));
    if (r.migrate_from !== null && r.migrate_from !== undefined) union(String(r.migrate_from), id);
  }
  const out = new Map<string, string>();
  for (const id of parent.keys()) out.set(id, find(id));
  return out;
}

const isDemo = (id: string, title: string | null): boolean => Number(id) === DEMO_CHAT_ID || (title ?? '').startsWith(DEMO_TITLE_PREFIX);

/** The reactions a reaction-list JSON holds (emoji, custom emoji ids, 'paid'); [] when unreadable. */
export function reactionList(json: unknown): string[] {
  if (typeof json !== 'string') return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [];
  } catch {
    return [];
  }
}

/** What one message_reaction update added: reactions in the new list beyond those in the old (as a multiset). */
export function addedReactions(oldJson: unknown, newJson: unknown): string[] {
  const before = new Map<string, number>();
  for (const r of reactionList(oldJson)) before.set(r, (before.get(r) ?? 0) + 1);
  const added: string[] = [];
  for (const r of reactionList(newJson)) {
    const left = before.get(r) ?? 0;
    if (left > 0) before.set(r, left - 1);
    else added.push(r);
  }
  return added;
}

/** The objects of a JSON array (recent_reactions); [] when unreadable. */
function jsonObjects(json: unknown): Array<Record<string, unknown>> {
  if (typeof json !== 'string') return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
  } catch {
    return [];
  }
}

/** A reaction_counts JSON object (reaction -> count); {} when unreadable. */
function reactionCounts(json: unknown): Record<string, number> {
  if (typeof json !== 'string') return {};
  try {
    const v = JSON.parse(json) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: Record<string, number> = {};
    for (const [k, n] of Object.entries(v as Record<string, unknown>)) if (typeof n === 'number' && n > 0) out[k] = n;
    return out;
  } catch {
    return {};
  }
}

const dayMs = (day: string): number => Date.parse(`${day}T00:00:00Z`);
const monthOf = (text: string): number => Number(text.slice(0, 4)) * 12 + Number(text.slice(5, 7)) - 1;

/**
 * The original reports, verbatim in the page, their first `limit` rows and their row count: the engine
 * returns only those (a report of every member's every day is ~365,000 rows a year of a large group, which
 * the page would drop). All are issued at once; the engine runs them in turn.
 */
async function runReportsForPage(engine: QueryEngine, reports: readonly Report[], utcOffsetMinutes: number, limit: number): Promise<OriginalReport[]> {
  return Promise.all(
    reports.map(async (report) => {
      let sql = report.query;
      const base = { name: report.name, file: report.file, title: report.title, description: report.description, ...(report.source ? { source: report.source } : {}) };
      try {
        sql = renderReportSql(report.query, { utcOffsetMinutes });
        const inner = sql.replace(/[\s;]+$/, '');
        // One row more than kept says whether there are more; only then are they counted (a second run).
        const rows = await engine.query(`SELECT * FROM (\n${inner}\n) report_rows LIMIT ${limit + 1}`);
        const totalRows = rows.length > limit ? num((await engine.query(`SELECT count(1) AS n FROM (\n${inner}\n) report_rows`))[0]?.n) : rows.length;
        const columns = rows.length ? Object.keys(rows[0]!) : [];
        return { ...base, sql, columns, rows: rows.slice(0, limit).map((r) => columns.map((c) => r[c] ?? null)), totalRows };
      } catch (error) {
        return { ...base, sql, columns: [], rows: [], totalRows: 0, error: (error as Error).message };
      }
    }),
  );
}

/** Runs every fact on the engine and returns the page's data (the tables as they are when it starts). */
export async function collectDashboardData(engine: QueryEngine, options: CollectOptions = {}): Promise<DashboardData> {
  return engine.snapshot ? engine.snapshot(() => collect(engine, options)) : collect(engine, options);
}

/** The facts in the order collect reads them: each one's query is issued while the one before is read. */
const FACT_ORDER: readonly FactName[] = ['range', 'chats', 'members', 'actors', 'activity', 'hours', 'memberHours', 'joins', 'memberCount', 'repliesIn', 'replyPairs', 'replyTimes', 'reactions', 'reactionCounts', 'topMessages', 'terms', 'topics', 'topicNames'];
/** Queries issued ahead of the one being read: DuckDB runs them in its threads while this one makes rows. */
const FACTS_AHEAD = 2;

async function collect(engine: QueryEngine, options: CollectOptions): Promise<DashboardData> {
  const timeZone = options.timeZone ?? '-03:00';
  checkTimeZone(timeZone);
  const facts: FactSql[] = [];
  const parts: Partial<Record<PartName, PartStatus>> = {};

  // The span of the data, for the zone's offsets.
  const [span] = await engine.query('SELECT min("date") AS first_date, max("date") AS last_date FROM telegram');
  const from = num(span?.first_date) || Math.floor(Date.now() / 1000);
  const to = num(span?.last_date) || from;
  const localDate = localSecondsSql('"date"', offsetSegments(timeZone, from, to));
  const ctx = { localDate };

  // Each fact's query starts when the one FACTS_AHEAD before it is read; its time runs from then.
  const issued = new Map<FactName, { sql: string; started: number; rows: Promise<Row[]> }>();
  const issue = (name: FactName) => {
    let known = issued.get(name);
    if (!known) {
      const sql = FACTS[name].sql(ctx);
      const rows = engine.query(sql);
      rows.catch(() => undefined); // observed when read
      known = { sql, started: performance.now(), rows };
      issued.set(name, known);
    }
    return known;
  };
  const run = async (name: FactName, part?: PartName): Promise<Row[]> => {
    const at = FACT_ORDER.indexOf(name);
    for (const ahead of FACT_ORDER.slice(at, at + 1 + FACTS_AHEAD)) issue(ahead);
    const { sql, started, rows: pending } = issue(name);
    try {
      const rows = await pending;
      facts.push({ name, feeds: FACTS[name].feeds, sql, ms: Math.round(performance.now() - started), rows: rows.length });
      if (part) parts[part] = { ok: true };
      return rows;
    } catch (error) {
      const message = (error as Error).message;
      facts.push({ name, feeds: FACTS[name].feeds, sql, ms: Math.round(performance.now() - started), rows: 0, error: message });
      if (part) parts[part] = { ok: false, error: message };
      return [];
    }
  };

  const [range] = await run('range');
  const firstDay = str(range?.first_day);
  const lastDay = str(range?.last_day);
  const days = firstDay && lastDay ? Math.round((dayMs(lastDay) - dayMs(firstDay)) / 86_400_000) + 1 : 0;
  const dayIndex = (d: unknown): number => Math.round((dayMs(String(d)) - dayMs(firstDay!)) / 86_400_000);
  const firstMonth = firstDay ? monthOf(firstDay) : 0;
  const monthIndex = (m: unknown): number => monthOf(String(m)) - firstMonth;

  // Chats, merged across migrations; the newest chat of a group names it.
  const chatRows = await run('chats', 'chats');
  const groupOf = chatGroups(chatRows);
  const byGroup = new Map<string, { ids: Set<string>; title: string | null; last: number; forum: boolean; messages: number }>();
  for (const r of chatRows) {
    const id = String(r.chat_id);
    const root = groupOf.get(id)!;
    const g = byGroup.get(root) ?? { ids: new Set<string>(), title: null, last: -Infinity, forum: false, messages: 0 };
    g.ids.add(id);
    const last = num(r.last_date);
    if (r.title !== null && r.title !== undefined && (last >= g.last || g.title === null)) g.title = String(r.title);
    if (last > g.last) g.last = last;
    g.forum ||= r.forum === true;
    g.messages += num(r.messages);
    byGroup.set(root, g);
  }
  const groups = [...byGroup.values()].sort((a, b) => b.messages - a.messages || (a.title ?? '').localeCompare(b.title ?? ''));
  const chats: ChatInfo[] = groups.map((g) => {
    const ids = [...g.ids].sort();
    return { title: g.title ?? ids.join(', '), ids, forum: g.forum, demo: ids.some((id) => isDemo(id, g.title)) };
  });
  const chatIndex = new Map<string, number>();
  chats.forEach((c, i) => c.ids.forEach((id) => chatIndex.set(id, i)));
  const chatOf = (v: unknown): number => {
    const known = chatIndex.get(String(v));
    if (known !== undefined) return known;
    chats.push({ title: String(v), ids: [String(v)], forum: false, demo: isDemo(String(v), null) });
    chatIndex.set(String(v), chats.length - 1);
    return chats.length - 1;
  };

  // Members, most messages first; then those who only reacted or joined.
  const memberRows = (await run('members', 'members')).sort((a, b) => num(b.messages) - num(a.messages) || String(a.sender).localeCompare(String(b.sender)));
  const members: MemberInfo[] = [];
  const memberIndex = new Map<string, number>();
  const addMember = (r: Row): number => {
    const id = String(r.sender);
    const known = memberIndex.get(id);
    if (known !== undefined) return known;
    const name = str(r.name)?.trim() || (str(r.username) ? `@${r.username}` : `#${id}`);
    members.push({ id, name, username: str(r.username), lang: str(r.lang)?.toLowerCase() ?? null, bot: r.bot === true });
    memberIndex.set(id, members.length - 1);
    return members.length - 1;
  };
  memberRows.forEach(addMember);
  for (const r of await run('actors')) addMember(r);
  const memberOf = (v: unknown): number => (v === null || v === undefined ? addMember({ sender: '0', name: null }) : addMember({ sender: v, name: null }));

  const dict = () => {
    const list: string[] = [];
    const at = new Map<string, number>();
    return {
      list,
      of(v: string): number {
        let i = at.get(v);
        if (i === undefined) {
          i = list.length;
          list.push(v);
          at.set(v, i);
        }
        return i;
      },
    };
  };
  const kinds = dict();
  const emoji = dict();
  const terms = dict();
  const termKinds = dict();

  const activity = new CubeBuilder(['day', 'chat', 'member', 'kind'] as const, ['messages', 'texts', 'chars'] as const);
  for (const r of await run('activity', 'activity')) {
    activity.add([dayIndex(r.day), chatOf(r.chat_id), memberOf(r.sender), kinds.of(String(r.kind))], [num(r.messages), num(r.texts), num(r.chars)]);
  }
  const hours = new CubeBuilder(['day', 'chat', 'hour'] as const, ['messages'] as const);
  for (const r of await run('hours', 'hours')) hours.add([dayIndex(r.day), chatOf(r.chat_id), num(r.hour)], [num(r.messages)]);
  const memberHours = new CubeBuilder(['chat', 'member', 'slot'] as const, ['messages'] as const);
  for (const r of await run('memberHours', 'memberHours')) memberHours.add([chatOf(r.chat_id), memberOf(r.sender), num(r.slot)], [num(r.messages)]);
  const joins = new CubeBuilder(['day', 'chat'] as const, ['joins', 'leaves'] as const);
  for (const r of await run('joins', 'joins')) joins.add([dayIndex(r.day), chatOf(r.chat_id)], [num(r.joins), num(r.leaves)]);
  const memberCount = new CubeBuilder(['day', 'chat'] as const, ['count'] as const);
  for (const r of await run('memberCount', 'memberCount')) memberCount.add([dayIndex(r.day), chatOf(r.chat_id)], [num(r.member_count)]);
  const repliesIn = new CubeBuilder(['day', 'chat', 'member'] as const, ['replies'] as const);
  for (const r of await run('repliesIn', 'repliesIn')) repliesIn.add([dayIndex(r.day), chatOf(r.chat_id), memberOf(r.sender)], [num(r.replies)]);
  const replyPairs = new CubeBuilder(['month', 'chat', 'from', 'to'] as const, ['replies'] as const);
  for (const r of await run('replyPairs', 'replyPairs')) replyPairs.add([monthIndex(r.month), chatOf(r.chat_id), memberOf(r.sender), memberOf(r.target)], [num(r.replies)]);
  const replyTimes = new CubeBuilder(['month', 'chat', 'bucket'] as const, ['messages'] as const);
  for (const r of await run('replyTimes', 'replyTimes')) replyTimes.add([monthIndex(r.month), chatOf(r.chat_id), Math.max(0, num(r.bucket))], [num(r.messages)]);

  const reactions = new CubeBuilder(['day', 'chat', 'emoji'] as const, ['reactions'] as const);
  const reactionsOut = new CubeBuilder(['day', 'chat', 'member'] as const, ['reactions'] as const);
  const reactionsIn = new CubeBuilder(['day', 'chat', 'member'] as const, ['reactions'] as const);
  for (const r of await run('reactions', 'reactions')) {
    const added = addedReactions(r.old_reactions, r.new_reactions);
    if (added.length === 0) continue;
    const d = dayIndex(r.day);
    const c = chatOf(r.chat_id);
    const times = num(r.events);
    for (const e of added) reactions.add([d, c, emoji.of(e)], [times]);
    if (r.actor !== null && r.actor !== undefined) reactionsOut.add([d, c, memberOf(r.actor)], [added.length * times]);
    if (r.author !== null && r.author !== undefined) reactionsIn.add([d, c, memberOf(r.author)], [added.length * times]);
  }
  // Anonymous counts are totals: what each update adds over the previous one of the same message.
  const countRows = (await run('reactionCounts')).sort((a, b) => num(a.update_id) - num(b.update_id));
  const lastCounts = new Map<string, Record<string, number>>();
  for (const r of countRows) {
    const key = `${r.chat_id}:${r.message_id}`;
    const now = reactionCounts(r.reaction_counts);
    const before = lastCounts.get(key) ?? {};
    lastCounts.set(key, now);
    const d = dayIndex(r.day);
    const c = chatOf(r.chat_id);
    let sum = 0;
    for (const [e, n] of Object.entries(now)) {
      const grew = n - (before[e] ?? 0);
      if (grew > 0) {
        reactions.add([d, c, emoji.of(e)], [grew]);
        sum += grew;
      }
    }
    if (sum > 0 && r.author !== null && r.author !== undefined) reactionsIn.add([d, c, memberOf(r.author)], [sum]);
  }

  // Who reacted on imported messages: each recent reactor the export names is one reaction given.
  for (const r of await run('exportReactors')) {
    for (const x of jsonObjects(r.recent_reactions)) {
      const actor = x.user_id ?? x.chat_id;
      if (typeof actor === 'number') reactionsOut.add([dayIndex(r.day), chatOf(r.chat_id), memberOf(actor)], [1]);
    }
  }

  const topRows = await run('topMessages', 'topMessages');
  const perChat = new Map<number, TopMessage[]>();
  for (const r of topRows) {
    if (r.day === null || r.day === undefined) continue; // the message itself is not in telegram
    const c = chatOf(r.chat_id);
    const list = perChat.get(c) ?? [];
    list.push({ chat: c, day: dayIndex(r.day), member: memberOf(r.sender), messageId: String(r.message_id), text: String(r.text ?? ''), kind: String(r.kind ?? 'other'), reactions: num(r.reactions) });
    perChat.set(c, list);
  }
  const topMessages = [...perChat.values()].flatMap((l) => l.sort((a, b) => b.reactions - a.reactions || a.day - b.day).slice(0, TOP_MESSAGES_PER_CHAT));

  const termCounts = new CubeBuilder(['month', 'chat', 'kind', 'term'] as const, ['count'] as const);
  for (const r of await run('terms', 'terms')) {
    termCounts.add([monthIndex(r.month), chatOf(r.chat_id), termKinds.of(String(r.term_kind)), terms.of(String(r.term))], [num(r.n)]);
  }

  const topics: TopicInfo[] = [];
  const topicIndex = new Map<string, number>();
  const topicOf = (chat: number, thread: string | null): number => {
    const key = `${chat}:${thread ?? ''}`;
    let i = topicIndex.get(key);
    if (i === undefined) {
      i = topics.length;
      topics.push({ chat, thread: thread ?? '', name: null });
      topicIndex.set(key, i);
    }
    return i;
  };
  const topicMessages = new CubeBuilder(['day', 'chat', 'topic'] as const, ['messages'] as const);
  for (const r of await run('topics', 'topics')) {
    const c = chatOf(r.chat_id);
    topicMessages.add([dayIndex(r.day), c, topicOf(c, str(r.thread))], [num(r.messages)]);
  }
  for (const r of await run('topicNames', 'topicNames')) {
    const c = chatOf(r.chat_id);
    const i = topicOf(c, str(r.thread));
    topics[i] = { ...topics[i]!, name: str(r.name) };
  }

  const all = loadReports();
  const offsetMinutes = Math.round(offsetAt(timeZone, to) / 60);
  const reports = await runReportsForPage(
    engine,
    ORIGINAL_REPORTS.map((n) => all.find((r) => r.name === n)).filter((r): r is Report => r !== undefined),
    offsetMinutes,
    options.reportRows ?? 100,
  );
  const catalogue = all
    .filter((r) => !ORIGINAL_REPORTS.includes(r.name))
    .map((r) => ({ name: r.name, file: r.file, title: r.title, description: r.description, sql: r.query }));

  const allParts: PartName[] = ['members', 'chats', 'activity', 'hours', 'memberHours', 'joins', 'memberCount', 'repliesIn', 'replyPairs', 'replyTimes', 'reactions', 'topMessages', 'terms', 'topics', 'topicNames'];
  for (const p of allParts) parts[p] ??= { ok: false, error: 'not run' };

  return {
    version: 1,
    generatedAt: (options.now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z'),
    timeZone,
    firstDay,
    days,
    totals: { messages: num(range?.messages), events: num(range?.events) },
    chats,
    members,
    kinds: kinds.list,
    emoji: emoji.list,
    terms: terms.list,
    termKinds: termKinds.list,
    activity: activity.build(),
    hours: hours.build(),
    memberHours: memberHours.build(),
    joins: joins.build(),
    memberCount: memberCount.build(),
    repliesIn: repliesIn.build(),
    replyPairs: replyPairs.build(),
    replyTimes: replyTimes.build(),
    reactions: reactions.build(),
    reactionsOut: reactionsOut.build(),
    reactionsIn: reactionsIn.build(),
    topMessages,
    termCounts: termCounts.build(),
    topicMessages: topicMessages.build(),
    topics,
    parts: parts as Record<PartName, PartStatus>,
    facts,
    reports,
    catalogue,
  };
}

