/**
 * A synthetic high-volume day: N messages as Firehose would land them (gzip JSON-lines objects of
 * envelopes, ~1,400 objects for 1M), with a little duplication as at-least-once delivery gives.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rawDayPrefix } from '../schemas';

export const BENCH_DAY = '2026-06-15';
const TEXTS = ['bom dia pessoal ☀️', 'alguém tem o link da reunião?', 'ok', 'kkkkkk', 'Привет', '今天', 'let us ship it 🚀', 'the dashboard is up, please check the numbers before the call at 3pm'];

/** The i-th synthetic update's JSON (deterministic). */
export function syntheticUpdate(i: number): string {
  const user = 1000 + (i % 250);
  const date = Date.parse(`${BENCH_DAY}T03:00:00Z`) / 1000 + Math.floor((i / 1_000_000) * 86_000);
  const text = TEXTS[i % TEXTS.length]!;
  const reply = i % 10 === 0 && i > 0 ? `,"reply_to_message":{"message_id":${i - 1},"from":{"id":${1000 + ((i - 1) % 250)},"is_bot":false,"first_name":"U${(i - 1) % 250}"},"chat":{"id":-1001987654321,"title":"Data Crew","type":"supergroup"},"date":${date - 5},"text":"..."}` : '';
  return `{"update_id":${100_000_000 + i},"message":{"message_id":${i + 1},"from":{"id":${user},"is_bot":false,"first_name":"U${i % 250}","username":"user${i % 250}","language_code":"pt-br"},"chat":{"id":-1001987654321,"title":"Data Crew","type":"supergroup"},"date":${date},"text":"${text} #${i}","entities":[{"offset":0,"length":3,"type":"bold"}]${reply}}}`;
}

/** Writes the day under `<dir>/raw/` once (cached); returns the number of objects. */
export async function ensureSyntheticDay(
  dir: string,
  messages: number,
  objects = Math.max(1, Math.round((messages / 1_000_000) * 1400)),
  update: (i: number) => string = syntheticUpdate,
): Promise<{ objects: number; lines: number }> {
  const marker = join(dir, `.complete-${messages}`);
  const perObject = Math.ceil(messages / objects);
  const duplicates = Math.floor(messages / 1000); // 0.1% redelivered
  if (existsSync(marker)) return { objects, lines: messages + duplicates };
  const folder = join(dir, 'raw', ...rawDayPrefix(BENCH_DAY).split('/').filter(Boolean));
  await mkdir(folder, { recursive: true });
  const receivedBase = Date.parse(`${BENCH_DAY}T03:00:01Z`);
  for (let o = 0; o < objects; o += 1) {
    const lines: string[] = [];
    for (let i = o * perObject; i < Math.min(messages, (o + 1) * perObject); i += 1) {
      lines.push(`{"received_at":${receivedBase + i},"context_date":"${BENCH_DAY}","update":${update(i)}}`);
      if (i % 1000 === 999) lines.push(`{"received_at":${receivedBase + i + 5},"context_date":"${BENCH_DAY}","update":${update(i)}}`);
    }
    await writeFile(join(folder, `raw-stream-1-${BENCH_DAY}-${String(o).padStart(5, '0')}.json.gz`), gzipSync(`${lines.join('\n')}\n`, { level: 6 }));
  }
  await writeFile(marker, '');
  return { objects, lines: messages + duplicates };
}
