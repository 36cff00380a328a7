/**
 * Drill: SIGKILL the local server in the middle of a 40-connection burst and restart it on the same
 * folder: every update that got a 200 is in the raw layer (torn trailing appends are cut off at start-up,
 * the rest reads). Then the sender re-sends what got no 200, as Telegram does, and after enrichment the
 * table holds each update once. N: DRILL_UPDATES (default 100,000, ~30 s here), with the server's default
 * durability (`process`), and a smaller burst with `--durability disk`.
 */
import { describe, expect, it } from 'vitest';
import { crashDrill } from '../../bench/lib/drills';

const N = Number(process.env.DRILL_UPDATES ?? 100_000);

describe('drill: SIGKILL mid-burst', () => {
  for (const [durability, n] of [['process', N], ['disk', Math.min(N, 10_000)]] as const) {
    it(`${n} updates, --durability ${durability}, killed at half: every acknowledged update survives, then 0 lost and 0 duplicates`, async () => {
      const r = await crashDrill({ updates: n, connections: 40, killAt: 0.5, timeBudgetMs: 240_000, durability });
      expect(r.acknowledgedBeforeKill).toBeGreaterThanOrEqual(n / 2);
      expect(r.acknowledgedBeforeKill).toBeLessThan(n); // the kill really was mid-burst
      expect(r.missingAfterRestart).toBe(0);
      expect(r.acknowledged).toBe(n);
      expect({ rows: r.rows, distinct: r.distinct, lost: r.lost, duplicates: r.duplicates }).toEqual({ rows: n, distinct: n, lost: 0, duplicates: 0 });
    }, 300_000);
  }
});
