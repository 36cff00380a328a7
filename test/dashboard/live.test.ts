/**
 * What `tgpipe serve` answers at `/`: the dashboard built once, served as built to every request, and
 * built again only when asked (after an enrichment); concurrent requests to rebuild fold into one more run.
 */
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { livePage } from '../../dashboard/build/live';
import { startServer } from '../../local/server';
import { memoryLogger } from '../../core/log';
import { loadConfig } from '../../core/config';
import { buildDataset, tempDataDir } from '../local/reports-support';

/** The data model a page carries (base64 of deflated JSON). */
const pageData = (html: string) => JSON.parse(inflateRawSync(Buffer.from(/id="tgpipe-data"[^>]*>([^<]*)</.exec(html)![1]!, 'base64')).toString('utf8'));

const message = (n: number, title: string) => ({
  update_id: n,
  message: { message_id: n, from: { id: 42, is_bot: false, first_name: 'Rita' }, chat: { id: -1001112223334, title, type: 'supergroup' }, date: Date.parse('2024-06-05T15:00:00Z') / 1000 + n, text: `msg ${n}` },
});

describe('the served dashboard', () => {
  it('is built at start and after enrichments, never per request', async () => {
    const { dir, cleanup } = await tempDataDir('tgpipe-live-');
    try {
      let opened = 0;
      const page = livePage({ timeZone: '-03:00', openEngine: async () => ((opened += 1), DuckDbEngine.open(dir)) });
      expect(page.current()).toMatch(/being built/);
      await page.rebuild();
      expect(pageData(page.current()).days).toBe(0);

      const server = await startServer({ config: loadConfig({}), secret: 's3cret', sink: { put: async () => undefined } as never, logger: memoryLogger(), page: async () => page.current() });
      try {
        const bodies = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/`).then((r) => r.text())));
        expect(new Set(bodies).size).toBe(1);
        expect(opened).toBe(1);

        await buildDataset(dir, [1, 2, 3].map((n) => message(n, 'Book club')), -180);
        // Three asked at once: the first runs, the other two fold into one more run after it.
        await Promise.all([page.rebuild(), page.rebuild(), page.rebuild()]);
        expect(opened).toBe(3);
        expect(page.builds).toBe(3);
        const after = await (await fetch(`${server.url}/`)).text();
        expect(after).toContain('<title>Book club');
        expect(pageData(after).totals.messages).toBe(3);
      } finally {
        await server.close();
      }
    } finally {
      await cleanup();
    }
  }, 120_000);
});
