/**
 * `replay enrich` runs days a few at a time, but never two adjacent days at once: a day's build reads the
 * day before's manifest and checks the day after's (arrival-dated updates redelivered across midnight),
 * so two neighbours built together could each miss the other's manifest.
 */
import { describe, expect, it } from 'vitest';
import { dateRange } from '../../core/context-date';
import { rebuildDays } from '../../core/replay/enrich-days';

const gap = (a: string, b: string) => Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000;

/** A runner that records what runs at the same time; days finish after `ms(day)`. */
function recorder(ms: (day: string) => number, fail?: string) {
  const running = new Set<string>();
  const started: string[] = [];
  const together: Array<[string, string]> = [];
  let most = 0;
  const run = async (day: string) => {
    for (const other of running) together.push([other, day]);
    running.add(day);
    started.push(day);
    most = Math.max(most, running.size);
    await new Promise((r) => setTimeout(r, ms(day)));
    running.delete(day);
    if (day === fail) throw new Error(`${day} broke`);
    return `built ${day}`;
  };
  return { run, started, together, most: () => most };
}

describe('rebuildDays', () => {
  it('keeps the concurrency, never runs two adjacent days at once, and answers in the order asked', async () => {
    const days = dateRange('2026-03-01', '2026-03-12');
    const r = recorder((day) => 5 + (Number(day.slice(-2)) % 4) * 7, '2026-03-05');
    const done: string[] = [];
    const outcomes = await rebuildDays(days, 4, r.run, (o) => done.push(o.day));
    expect(outcomes.map((o) => o.day)).toEqual(days);
    expect(outcomes.filter((o) => !o.ok)).toEqual([expect.objectContaining({ day: '2026-03-05', ok: false, error: '2026-03-05 broke' })]);
    expect(outcomes.find((o) => o.day === '2026-03-01')).toMatchObject({ ok: true, result: 'built 2026-03-01' });
    expect([...r.started].sort()).toEqual(days);
    expect(done.sort()).toEqual(days);
    expect(r.together.length).toBeGreaterThan(0);
    for (const [a, b] of r.together) expect(gap(a, b), `${a} and ${b} ran together`).toBeGreaterThan(1);
    expect(r.most()).toBe(4);
  });

  it('one at a time is ascending order; a range of two adjacent days runs one after the other', async () => {
    const days = dateRange('2026-02-27', '2026-03-03');
    const one = recorder(() => 1);
    await rebuildDays([...days].reverse(), 1, one.run);
    expect(one.started).toEqual(days);
    const pair = recorder(() => 5);
    await rebuildDays(['2026-03-01', '2026-03-02'], 8, pair.run);
    expect(pair.started).toEqual(['2026-03-01', '2026-03-02']);
    expect(pair.together).toEqual([]);
    expect(await rebuildDays([], 3, pair.run)).toEqual([]);
  });
});
