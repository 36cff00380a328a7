/**
 * Drill: a burst over 40 keep-alive connections while the local sink fails 10% of its appends at random;
 * the sender retries 5xx as Telegram does. After enrichment: 0 lost, 0 duplicate rows. N: DRILL_UPDATES
 * (default 100,000, the size: ~30 s here; also `npm run bench -- --drills`).
 */
import { describe, expect, it } from 'vitest';
import { burstWithFaultsDrill } from '../../bench/lib/drills';

const N = Number(process.env.DRILL_UPDATES ?? 100_000);

describe('drill: burst with a failing sink', () => {
  it(`${N} updates, 40 connections, 10% of appends failing: 0 lost, 0 duplicates`, async () => {
    const r = await burstWithFaultsDrill({ updates: N, connections: 40, failRate: 0.1, timeBudgetMs: 240_000 });
    expect(r.acknowledged).toBe(N);
    expect(r.retries).toBeGreaterThan(0); // the faults really happened
    expect(Object.keys(r.failures).filter((s) => s !== '503')).toEqual([]); // only the injected 503s
    expect(r.serverExit).toBe(0);
    expect({ rows: r.rows, distinct: r.distinct, lost: r.lost, duplicates: r.duplicates }).toEqual({ rows: N, distinct: N, lost: 0, duplicates: 0 });
  }, 300_000);
});
