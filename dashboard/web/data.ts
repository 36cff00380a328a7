/**
 * The page's aggregations over the embedded cubes (../model.ts), for a filter: pure functions, no DOM,
 * unit-tested against SQL on the same rows (test/dashboard). Each view asks only for what it draws.
 */
import type { Cube, DashboardData } from '../model';
import { REPLY_BUCKETS_PER_E, SERVICE_KINDS, TOP_MEMBERS_DETAIL } from '../model';

/** Day indexes are inclusive; chat and member -1 mean all. */
export interface Filter {
  readonly from: number;
  readonly to: number;
  readonly chat: number;
  readonly member: number;
}

export type Granularity = 'day' | 'week' | 'month';

const DAY_MS = 86_400_000;

export const MEDIA_KINDS = new Set(['photo', 'video', 'animation', 'audio', 'voice', 'video_note', 'document', 'sticker']);

export const isService = (kind: string): boolean => SERVICE_KINDS.has(kind);

/** The model as the page uses it, with lookups precomputed once. */
export interface Model {
  readonly d: DashboardData;
  readonly firstMs: number;
  /** ISO weekday (1 = Monday) of day 0. */
  readonly firstWeekday: number;
  /** Per kind index: counts as a member's message (not a service message). */
  readonly written: boolean[];
  readonly media: boolean[];
  /** Per chat index: its group index is itself (chats are merged at build time). */
  readonly dayMs: (day: number) => number;
}

export function model(d: DashboardData): Model {
  const firstMs = d.firstDay ? Date.parse(`${d.firstDay}T00:00:00Z`) : 0;
  const weekday = d.firstDay ? ((new Date(firstMs).getUTCDay() + 6) % 7) + 1 : 1;
  return {
    d,
    firstMs,
    firstWeekday: weekday,
    written: d.kinds.map((k) => !isService(k)),
    media: d.kinds.map((k) => MEDIA_KINDS.has(k)),
    dayMs: (day) => firstMs + day * DAY_MS,
  };
}

/** ISO weekday (1-7) of a day index. */
export const weekdayOf = (m: Model, day: number): number => ((m.firstWeekday - 1 + day) % 7 + 7) % 7 + 1;

const passes = (f: Filter, day: number, chat: number, member?: number): boolean =>
  day >= f.from && day <= f.to && (f.chat < 0 || chat === f.chat) && (member === undefined || f.member < 0 || member === f.member);

/** The period of the same length just before. */
export function previousPeriod(f: Filter): Filter {
  const len = f.to - f.from + 1;
  return { ...f, from: f.from - len, to: f.from - 1 };
}

/** Sums a value column over the rows passing the filter (member column optional). */
function sumCube<K extends string>(cube: Cube<K>, value: K, f: Filter, memberColumn?: K): number {
  const day = (cube as Cube<string>).day!;
  const chat = (cube as Cube<string>).chat!;
  const member = memberColumn ? cube[memberColumn] : undefined;
  const v = cube[value];
  let s = 0;
  for (let i = 0; i < v.length; i += 1) if (passes(f, day[i]!, chat[i]!, member?.[i])) s += v[i]!;
  return s;
}

export interface Summary {
  readonly messages: number;
  readonly active: number;
  readonly joins: number;
  readonly leaves: number;
  readonly reactions: number;
  readonly media: number;
  /** media / messages, null without messages. */
  readonly mediaShare: number | null;
}

export function summary(m: Model, f: Filter): Summary {
  const a = m.d.activity;
  let messages = 0;
  let media = 0;
  const seen = new Uint8Array(m.d.members.length);
  let active = 0;
  for (let i = 0; i < a.day.length; i += 1) {
    const k = a.kind[i]!;
    if (!m.written[k] || !passes(f, a.day[i]!, a.chat[i]!, a.member[i])) continue;
    messages += a.messages[i]!;
    if (m.media[k]) media += a.messages[i]!;
    const who = a.member[i]!;
    if (!seen[who]) {
      seen[who] = 1;
      active += 1;
    }
  }
  const chatOnly = { ...f, member: -1 };
  return {
    messages,
    active,
    joins: sumCube(m.d.joins, 'joins', chatOnly),
    leaves: sumCube(m.d.joins, 'leaves', chatOnly),
    reactions: f.member < 0 ? sumCube(m.d.reactions, 'reactions', f) : sumCube(m.d.reactionsIn, 'reactions', f, 'member'),
    media,
    mediaShare: messages ? media / messages : null,
  };
}

/** Day index of the start of the bucket holding `day`. */
export function bucketStart(m: Model, day: number, g: Granularity): number {
  if (g === 'day') return day;
  if (g === 'week') return day - (weekdayOf(m, day) - 1);
  const date = new Date(m.dayMs(day));
  return Math.round((Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) - m.firstMs) / DAY_MS);
}

export interface Series {
  /** Day index of each bucket's first day (may be before the period for the first bucket). */
  readonly starts: number[];
  readonly messages: number[];
  readonly active: number[];
}

/** Messages and distinct active members per bucket, every bucket of the period present (zeros included). */
export function activitySeries(m: Model, f: Filter, g: Granularity): Series {
  const starts: number[] = [];
  const at = new Map<number, number>();
  for (let day = f.from; day <= f.to; day += 1) {
    const s = bucketStart(m, day, g);
    if (!at.has(s)) {
      at.set(s, starts.length);
      starts.push(s);
    }
  }
  const bucketOfDay = new Int32Array(f.to - f.from + 1);
  for (let day = f.from; day <= f.to; day += 1) bucketOfDay[day - f.from] = at.get(bucketStart(m, day, g))!;
  const messages = new Array<number>(starts.length).fill(0);
  const active = new Array<number>(starts.length).fill(0);
  const last = new Int32Array(m.d.members.length).fill(-1);
  const a = m.d.activity;
  // Rows are in day order, so buckets only move forward: one marker per member suffices.
  for (let i = 0; i < a.day.length; i += 1) {
    const k = a.kind[i]!;
    if (!m.written[k] || !passes(f, a.day[i]!, a.chat[i]!, a.member[i])) continue;
    const b = bucketOfDay[a.day[i]! - f.from]!;
    messages[b]! += a.messages[i]!;
    const who = a.member[i]!;
    if (last[who] !== b) {
      last[who] = b;
      active[b]! += 1;
    }
  }
  return { starts, messages, active };
}

export interface LeaderRow {
  readonly member: number;
  readonly messages: number;
  readonly share: number;
  readonly activeDays: number;
  /** Average characters per text message, null without texts. */
  readonly avgLength: number | null;
  readonly repliesReceived: number;
  readonly reactionsReceived: number;
}

export function leaderboard(m: Model, f: Filter): LeaderRow[] {
  const n = m.d.members.length;
  const messages = new Float64Array(n);
  const texts = new Float64Array(n);
  const chars = new Float64Array(n);
  const days = new Int32Array(n);
  const lastDay = new Int32Array(n).fill(-1 - 1e9);
  const a = m.d.activity;
  let total = 0;
  for (let i = 0; i < a.day.length; i += 1) {
    const k = a.kind[i]!;
    if (!m.written[k] || !passes(f, a.day[i]!, a.chat[i]!, a.member[i])) continue;
    const who = a.member[i]!;
    messages[who]! += a.messages[i]!;
    texts[who]! += a.texts[i]!;
    chars[who]! += a.chars[i]!;
    total += a.messages[i]!;
    if (lastDay[who] !== a.day[i]) {
      lastDay[who] = a.day[i]!;
      days[who]! += 1;
    }
  }
  const replies = new Float64Array(n);
  const r = m.d.repliesIn;
  for (let i = 0; i < r.day.length; i += 1) if (passes(f, r.day[i]!, r.chat[i]!, r.member[i])) replies[r.member[i]!]! += r.replies[i]!;
  const reactions = new Float64Array(n);
  const x = m.d.reactionsIn;
  for (let i = 0; i < x.day.length; i += 1) if (passes(f, x.day[i]!, x.chat[i]!, x.member[i])) reactions[x.member[i]!]! += x.reactions[i]!;
  const rows: LeaderRow[] = [];
  for (let who = 0; who < n; who += 1) {
    if (messages[who] === 0) continue;
    rows.push({
      member: who,
      messages: messages[who]!,
      share: total ? messages[who]! / total : 0,
      activeDays: days[who]!,
      avgLength: texts[who] ? chars[who]! / texts[who]! : null,
      repliesReceived: replies[who]!,
      reactionsReceived: reactions[who]!,
    });
  }
  return rows.sort((p, q) => q.messages - p.messages || p.member - q.member);
}

/** Messages per kind (service messages included, they are the group's history too), most first. */
export function kindCounts(m: Model, f: Filter): Array<{ kind: number; messages: number }> {
  const counts = new Float64Array(m.d.kinds.length);
  const a = m.d.activity;
  for (let i = 0; i < a.day.length; i += 1) if (passes(f, a.day[i]!, a.chat[i]!, a.member[i])) counts[a.kind[i]!]! += a.messages[i]!;
  return [...counts].map((messages, kind) => ({ kind, messages })).filter((k) => k.messages > 0).sort((p, q) => q.messages - p.messages || p.kind - q.kind);
}

/** 7 x 24 counts, [weekday 0 = Monday][hour], from the day-level hours cube (time range and chat). */
export function weekHourGrid(m: Model, f: Filter): number[][] {
  const grid = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const h = m.d.hours;
  for (let i = 0; i < h.day.length; i += 1) {
    if (!passes(f, h.day[i]!, h.chat[i]!)) continue;
    grid[weekdayOf(m, h.day[i]!) - 1]![h.hour[i]!]! += h.messages[i]!;
  }
  return grid;
}

/** A member's 7 x 24 over the whole period (chat filter applies), or null when not kept for them. */
export function memberWeekHourGrid(m: Model, chat: number, member: number): number[][] | null {
  if (member >= TOP_MEMBERS_DETAIL && !m.d.memberHours.member.includes(member)) return null;
  const grid = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const c = m.d.memberHours;
  let any = false;
  for (let i = 0; i < c.member.length; i += 1) {
    if (c.member[i] !== member || (chat >= 0 && c.chat[i] !== chat)) continue;
    grid[Math.floor(c.slot[i]! / 24)]![c.slot[i]! % 24]! += c.messages[i]!;
    any = true;
  }
  return any || m.d.memberHours.member.includes(member) ? grid : null;
}

export interface DaySeries {
  readonly days: number[];
  readonly values: number[][];
}

/** Joins and leaves per day of the period (zeros included). */
export function joinSeries(m: Model, f: Filter): DaySeries {
  const len = f.to - f.from + 1;
  const joins = new Array<number>(len).fill(0);
  const leaves = new Array<number>(len).fill(0);
  const j = m.d.joins;
  for (let i = 0; i < j.day.length; i += 1) {
    if (!passes(f, j.day[i]!, j.chat[i]!)) continue;
    joins[j.day[i]! - f.from]! += j.joins[i]!;
    leaves[j.day[i]! - f.from]! += j.leaves[i]!;
  }
  return { days: Array.from({ length: len }, (_, i) => f.from + i), values: [joins, leaves] };
}

/**
 * Member count per day: each chat's latest sample carried forward (a chat counts from its first sample
 * on); with all chats, the sum. Null values before any sample.
 */
export function memberCountSeries(m: Model, f: Filter): { days: number[]; counts: Array<number | null> } {
  const c = m.d.memberCount;
  const chats = f.chat >= 0 ? [f.chat] : m.d.chats.map((_, i) => i);
  const latest = new Map<number, number>();
  const days: number[] = [];
  const counts: Array<number | null> = [];
  const byDay = new Map<number, Array<[number, number]>>();
  for (let i = 0; i < c.day.length; i += 1) {
    if (!chats.includes(c.chat[i]!)) continue;
    const list = byDay.get(c.day[i]!) ?? [];
    list.push([c.chat[i]!, c.count[i]!]);
    byDay.set(c.day[i]!, list);
  }
  const sortedDays = [...byDay.keys()].sort((a, b) => a - b);
  let next = 0;
  for (let day = Math.min(f.from, sortedDays[0] ?? f.from); day <= f.to; day += 1) {
    while (next < sortedDays.length && sortedDays[next]! <= day) {
      for (const [chat, count] of byDay.get(sortedDays[next]!)!) latest.set(chat, count);
      next += 1;
    }
    if (day < f.from) continue;
    days.push(day);
    counts.push(latest.size ? [...latest.values()].reduce((s, x) => s + x, 0) : null);
  }
  return { days, counts };
}

/** Member counts in a per-member cube (reactions given, received), most first. */
function perMember(cube: Cube<'day' | 'chat' | 'member' | 'reactions'>, f: Filter, size: number): Array<{ member: number; n: number }> {
  const n = new Float64Array(size);
  for (let i = 0; i < cube.day.length; i += 1) if (passes(f, cube.day[i]!, cube.chat[i]!, cube.member[i])) n[cube.member[i]!]! += cube.reactions[i]!;
  return [...n].map((v, member) => ({ member, n: v })).filter((x) => x.n > 0).sort((p, q) => q.n - p.n || p.member - q.member);
}

export function reactionStats(m: Model, f: Filter) {
  const e = new Float64Array(m.d.emoji.length);
  const r = m.d.reactions;
  for (let i = 0; i < r.day.length; i += 1) if (passes(f, r.day[i]!, r.chat[i]!)) e[r.emoji[i]!]! += r.reactions[i]!;
  const emoji = [...e].map((n, i) => ({ emoji: i, n })).filter((x) => x.n > 0).sort((p, q) => q.n - p.n || p.emoji - q.emoji);
  const top = m.d.topMessages.filter((t) => passes(f, t.day, t.chat, t.member)).sort((p, q) => q.reactions - p.reactions || p.day - q.day);
  return { emoji, given: perMember(m.d.reactionsOut, f, m.d.members.length), received: perMember(m.d.reactionsIn, f, m.d.members.length), top };
}

/** Months (indexes from firstDay's month) that overlap the period. */
export function monthsOf(m: Model, f: Filter): { from: number; to: number } {
  const first = new Date(m.firstMs);
  const index = (day: number) => {
    const d = new Date(m.dayMs(day));
    return (d.getUTCFullYear() - first.getUTCFullYear()) * 12 + d.getUTCMonth() - first.getUTCMonth();
  };
  return { from: index(f.from), to: index(f.to) };
}

export function replyPairs(m: Model, f: Filter): Array<{ from: number; to: number; n: number }> {
  const { from, to } = monthsOf(m, f);
  const c = m.d.replyPairs;
  const sums = new Map<string, { from: number; to: number; n: number }>();
  for (let i = 0; i < c.month.length; i += 1) {
    if (c.month[i]! < from || c.month[i]! > to || (f.chat >= 0 && c.chat[i] !== f.chat)) continue;
    if (f.member >= 0 && c.from[i] !== f.member && c.to[i] !== f.member) continue;
    const key = `${c.from[i]}>${c.to[i]}`;
    const s = sums.get(key) ?? { from: c.from[i]!, to: c.to[i]!, n: 0 };
    s.n += c.replies[i]!;
    sums.set(key, s);
  }
  return [...sums.values()].sort((p, q) => q.n - p.n || p.from - q.from || p.to - q.to);
}

/** Lower edge in seconds of a reply-time bucket. */
export const bucketLow = (b: number): number => Math.exp(b / REPLY_BUCKETS_PER_E) - 1;

/** Histogram of times to the first reply and its median (interpolated in the bucket, geometric), or null. */
export function replyTimes(m: Model, f: Filter): { buckets: number[]; median: number | null; messages: number } {
  const { from, to } = monthsOf(m, f);
  const c = m.d.replyTimes;
  const buckets: number[] = [];
  for (let i = 0; i < c.month.length; i += 1) {
    if (c.month[i]! < from || c.month[i]! > to || (f.chat >= 0 && c.chat[i] !== f.chat)) continue;
    const b = c.bucket[i]!;
    while (buckets.length <= b) buckets.push(0);
    buckets[b]! += c.messages[i]!;
  }
  const total = buckets.reduce((s, x) => s + x, 0);
  if (!total) return { buckets, median: null, messages: 0 };
  let seen = 0;
  for (let b = 0; b < buckets.length; b += 1) {
    if (seen + buckets[b]! >= total / 2) {
      const within = (total / 2 - seen) / buckets[b]!;
      const lo = bucketLow(b) + 1;
      const hi = bucketLow(b + 1) + 1;
      return { buckets, median: lo * Math.pow(hi / lo, within) - 1, messages: total };
    }
    seen += buckets[b]!;
  }
  return { buckets, median: null, messages: total };
}

/** Top terms of a kind over the months overlapping the period. */
export function topTerms(m: Model, f: Filter, kind: string, limit = 30): Array<{ term: string; n: number }> {
  const k = m.d.termKinds.indexOf(kind);
  if (k < 0) return [];
  const { from, to } = monthsOf(m, f);
  const c = m.d.termCounts;
  const sums = new Map<number, number>();
  for (let i = 0; i < c.month.length; i += 1) {
    if (c.kind[i] !== k || c.month[i]! < from || c.month[i]! > to || (f.chat >= 0 && c.chat[i] !== f.chat)) continue;
    sums.set(c.term[i]!, (sums.get(c.term[i]!) ?? 0) + c.count[i]!);
  }
  return [...sums.entries()].map(([term, n]) => ({ term: m.d.terms[term]!, n })).sort((p, q) => q.n - p.n || (p.term < q.term ? -1 : 1)).slice(0, limit);
}

export function topicCounts(m: Model, f: Filter): Array<{ topic: number; messages: number }> {
  const c = m.d.topicMessages;
  const n = new Float64Array(m.d.topics.length);
  for (let i = 0; i < c.day.length; i += 1) if (passes(f, c.day[i]!, c.chat[i]!)) n[c.topic[i]!]! += c.messages[i]!;
  return [...n].map((messages, topic) => ({ topic, messages })).filter((x) => x.messages > 0).sort((p, q) => q.messages - p.messages || p.topic - q.topic);
}

/** Active members per client language. */
export function languageCounts(m: Model, rows: readonly LeaderRow[]): Array<{ lang: string | null; members: number }> {
  const counts = new Map<string | null, number>();
  for (const r of rows) {
    const lang = m.d.members[r.member]!.lang;
    const base = lang ? lang.split('-')[0]! : null;
    counts.set(base, (counts.get(base) ?? 0) + 1);
  }
  return [...counts.entries()].map(([lang, members]) => ({ lang, members })).sort((p, q) => q.members - p.members || String(p.lang).localeCompare(String(q.lang)));
}

/** Replies sent by a member to each other member (months overlapping the period). */
export function repliesFrom(m: Model, f: Filter, member: number): Array<{ to: number; n: number }> {
  return replyPairs(m, f)
    .filter((p) => p.from === member && p.to !== member)
    .map((p) => ({ to: p.to, n: p.n }));
}
