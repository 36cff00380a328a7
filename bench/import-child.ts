/**
 * One import measurement in its own process (bench/import.ts): `import FILE OUT` imports into a fresh
 * raw layer under OUT; `read FILE OUT` only reads the file's bytes. Prints one JSON line.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { FsObjectStore } from '../adapters/local/fs-store';
import { importExport } from '../core/export/import';

const [mode, file, out] = process.argv.slice(2) as ['import' | 'read', string, string];
await rm(out, { recursive: true, force: true });
const started = performance.now();
let result = { messages: 0, records: 0, objects: 0, days: 0 };
const source = createReadStream(file, { highWaterMark: 1024 * 1024 });
if (mode === 'read') {
  for await (const chunk of source) result.records += (chunk as Buffer).length > 0 ? 0 : 1;
} else {
  const s = await importExport(source, new FsObjectStore(out), { utcOffsetMinutes: -180 });
  if (s.damage) throw new Error(`damaged: ${s.damage.reason}`);
  result = { messages: s.messages, records: s.records, objects: s.objects, days: s.days.length };
}
const ms = Math.round(performance.now() - started);
await rm(out, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ ms, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), ...result })}\n`);
