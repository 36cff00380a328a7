/**
 * History import benchmark: a synthetic Telegram Desktop export of one supergroup (N messages over
 * about three years, in the writer's format: pretty-printed, `\xHH` escapes, text as strings and part
 * arrays, media, replies, reactions, service messages, unsupported ones) imported into a local raw layer,
 * in a child process so its peak RSS (`process.resourceUsage().maxRSS`) is its own. Beside it, reading
 * the file's bytes alone (the floor).
 *
 *   node --import tsx bench/import.ts [--messages N]
 */
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dated, serialize, serializeString } from '../test/support/tdesktop-export';

const run = promisify(execFile);

export interface ImportMeasurement {
  ms: number;
  maxRssMiB: number;
  messages: number;
  records: number;
  objects: number;
  days: number;
}

export interface ImportBenchResult {
  messages: number;
  fileMiB: number;
  ours: ImportMeasurement;
  /** Reading the bytes alone. */
  readFloor: ImportMeasurement;
  messagesPerSecond: number;
  mibPerSecond: number;
  ratioToRead: number;
}

const START = Date.parse('2023-01-01T12:00:00Z') / 1000;
const WORDS = ['hola', 'que', 'tal', 'reunión', 'mañana', 'ok', '👍', 'link', 'gracias', 'precio', 'café', 'вечер', '今天', 'bug', 'deploy'];

/** Message i of the synthetic group (deterministic). */
function message(i: number, messages: number): Record<string, unknown> {
  const id = i + 1;
  // About three years, in order.
  const date = START + Math.floor((i * 3 * 365 * 86400) / messages);
  const user = 100 + (i % 40);
  const words = Array.from({ length: 3 + (i % 12) }, (_, k) => WORDS[(i * 7 + k) % WORDS.length]).join(' ');
  const base = { id, type: 'message', ...dated(date), from: `User ${user % 40}`, from_id: `user${user}` };
  const r = i % 20;
  if (i % 997 === 0) return { id, type: 'unsupported' };
  if (r === 0) return { id, type: 'service', ...dated(date), actor: `User ${user % 40}`, actor_id: `user${user}`, action: 'invite_members', members: [`User ${(user + 1) % 40}`] };
  if (r === 1) return { ...base, photo: `photos/photo_${id}@01-01-2024_12-00-00.jpg`, photo_file_size: 80000 + i, width: 1280, height: 960, text: '', text_entities: [] };
  if (r === 2) return { ...base, file: '(File not included. Change data exporting settings to download.)', file_size: 12000, media_type: 'sticker', sticker_emoji: '😀', width: 512, height: 512, text: '', text_entities: [] };
  if (r === 3) {
    const parts = [`${words} `, { type: 'link', text: 'https://example.org/a' }, ' ', { type: 'bold', text: 'ojo' }];
    return { ...base, text: parts, text_entities: [{ type: 'plain', text: `${words} ` }, { type: 'link', text: 'https://example.org/a' }, { type: 'plain', text: ' ' }, { type: 'bold', text: 'ojo' }] };
  }
  if (r === 4 && id > 1) return { ...base, reply_to_message_id: id - 1, text: `${words}\n\u0001ctl`, text_entities: [{ type: 'plain', text: `${words}\n\u0001ctl` }] };
  if (r === 5) {
    return {
      ...base,
      text: words,
      text_entities: [{ type: 'plain', text: words }],
      reactions: [{ type: 'emoji', count: 3, emoji: '👍', recent: [{ from: 'User 1', from_id: 'user101', ...{ date: dated(date + 60).date } }] }],
    };
  }
  return { ...base, text: words, text_entities: [{ type: 'plain', text: words }] };
}

/** Writes the export file once (kept for later runs); its size in bytes. */
export async function ensureSyntheticExport(path: string, messages: number): Promise<number> {
  if (existsSync(path)) return (await stat(path)).size;
  await mkdir(join(path, '..'), { recursive: true });
  const out = createWriteStream(`${path}.partial`);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`{\n "name": ${serializeString('Bench group')},\n "type": "private_supergroup",\n "id": 1987654321,\n "messages": [`);
  for (let i = 0; i < messages; i += 1) await write(`${i === 0 ? '' : ','}\n  ${serialize(message(i, messages) as never, 2)}`);
  await write('\n ]\n}\n');
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  const { rename } = await import('node:fs/promises');
  await rename(`${path}.partial`, path);
  return (await stat(path)).size;
}

async function measure(mode: 'import' | 'read', file: string, outDir: string): Promise<ImportMeasurement> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'import-child.ts'), mode, file, outDir], { maxBuffer: 1 << 20, cwd: join(import.meta.dirname, '..') });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ImportMeasurement;
}

export async function runImportBench({ messages, outDir = join(import.meta.dirname, 'out') }: { messages: number; outDir?: string }): Promise<ImportBenchResult> {
  const file = join(outDir, `export-${messages}`, 'result.json');
  const bytes = await ensureSyntheticExport(file, messages);
  const readFloor = await measure('read', file, join(outDir, `import-${messages}-read`));
  const ours = await measure('import', file, join(outDir, `import-${messages}-data`));
  const fileMiB = Math.round((bytes / 1048576) * 10) / 10;
  return {
    messages,
    fileMiB,
    ours,
    readFloor,
    messagesPerSecond: Math.round(ours.messages / (ours.ms / 1000)),
    mibPerSecond: Math.round((fileMiB / (ours.ms / 1000)) * 10) / 10,
    ratioToRead: Math.round((ours.ms / readFloor.ms) * 10) / 10,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const messages = args.includes('--messages') ? Number(args[args.indexOf('--messages') + 1]) : 1_000_000;
  const r = await runImportBench({ messages });
  process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
}
