/**
 * Drill: one raw object of five damaged, each way (bench/reliability.ts, the same code `npm run bench --
 * --only reliability` prints): truncated, bytes changed, junk appended, a stored member's byte flipped
 * (found only by its CRC), not gzip under a .gz name. The day builds, no line outside the damage is lost
 * or doubled, and after `repairDay` DuckDB's telegram_raw reads exactly what the day holds.
 */
import { describe, expect, it } from 'vitest';
import { CORRUPT_FAULTS, corruptObjectDrill } from '../../bench/reliability';

describe('corrupt raw objects through the enrichment', () => {
  for (const fault of CORRUPT_FAULTS) {
    it(fault, async () => {
      const c = await corruptObjectDrill(fault);
      expect(c).toMatchObject({ status: 'built', lost: 0, duplicates: 0, rawRowsAfterRepair: c.found });
      expect(c.found + c.lostToDamage).toBe(c.written);
      // The damage is quarantined and counted, except for a plain file, which loses nothing.
      if (fault === 'not gzip (.gz name)') expect(c).toMatchObject({ quarantined: 0, lostToDamage: 0 });
      else expect(c.quarantined).toBeGreaterThan(0);
      if (fault === 'junk appended') expect(c.lostToDamage).toBe(0);
    });
  }
});
