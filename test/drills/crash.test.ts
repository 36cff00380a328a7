/**
 * Drill: SIGKILL the local server in the middle of a 40-connection burst and restart it on the same
 * folder: every update that got a 200 is in the raw layer (torn trailing appends are cut off at start-up,
 * the rest reads). Then the sender re-sends what got no 200, as Telegram does, and after enrichment the
 * table holds each update once. N: DRILL_UPDATES (default 5,000).
 */
import { describe, expect, it } from 'vitest';
import { crashDrill } from '../../bench/lib/drills';

const N = Number(process.env.DRILL_UPDATES ?? 5_000);

describe('drill: SIGKILL mid-burst', () => {
  it(`${N} updates, killed at half: every acknowledged update survives, then 0 lost and 0 duplicates`, async () => {
    const r = await crashDrill({ updates: N, connections: 40, killAt: 0.5, timeBudgetMs: 240_000 });
    expect(r.acknowledgedBeforeKill).toBeGreaterThanOrEqual(N / 2);
    expect(r.acknowledgedBeforeKill).toBeLessThan(N); // the kill really was mid-burst
    expect(r.missingAfterRestart).toBe(0);
    expect(r.acknowledged).toBe(N);
    expect({ rows: r.rows, distinct: r.distinct, lost: r.lost, duplicates: r.duplicates }).toEqual({ rows: N, distinct: N, lost: 0, duplicates: 0 });
  }, 300_000);
});
