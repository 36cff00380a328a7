/**
 * `tgpipe import FILE...`: a Telegram Desktop export (result.json, its folder, or a .zip of it) into the
 * raw layer as `export` records, locally or into the raw bucket (`--target aws`, written directly to S3).
 * The work is in core/export (reading, normalising, writing objects) and local/export-source.ts (files);
 * this is the command's options and output.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { parseChatIds } from '../../core/config';
import { parseDataMode } from '../../core/privacy/data-mode';
import { dateRange } from '../../core/context-date';
import { enrichDay, type DaySummary } from '../../core/enrich';
import { dayRanges, importExport, type ImportProgress, type ImportSummary } from '../../core/export/import';
import type { NormalisedChat } from '../../core/export/normalise';
import { createLogger } from '../../core/log';
import type { ObjectStore } from '../../ports/object-store';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { S3ObjectStore } from '../../adapters/aws/s3-store';
import { exportSources } from '../../local/export-source';
import { knownMigrations } from '../../local/known-migrations';
import { UsageError, utcOffsetOption, type CliIo, type OptionValues } from '../command';
import { formatSummary, recordBuild } from './enrich';

export interface ImportCommandOptions {
  readonly files: readonly string[];
  readonly data: string;
  readonly target?: string;
  readonly bucket?: string;
  readonly region?: string;
  readonly chat?: string;
  readonly allChats?: boolean;
  readonly migratedFrom?: string;
  readonly utcOffset?: string;
  readonly enrich?: boolean;
  readonly quiet?: boolean;
}

export interface ImportIo extends CliIo {
  /** A terminal for the progress line (default: none; `tgpipe import` passes stderr when it is one). */
  readonly progress?: NodeJS.WriteStream;
  /** The S3 client for --target aws (tests pass a mocked one). */
  readonly s3?: S3Client;
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;

function chatFilter(options: ImportCommandOptions, env: NodeJS.ProcessEnv): (chat: NormalisedChat) => boolean {
  if (options.chat !== undefined && options.allChats) throw new UsageError('give --chat or --all-chats, not both');
  let ids: Set<number>;
  try {
    ids = parseChatIds(options.chat ?? env.ALLOWED_CHAT_IDS);
  } catch (error) {
    throw new UsageError(`${options.chat !== undefined ? '--chat' : 'ALLOWED_CHAT_IDS'}: ${(error as Error).message}`);
  }
  if (options.allChats) return () => true;
  if (ids.size > 0) return (chat) => chat.id !== null && ids.has(chat.id);
  return (chat) => chat.type !== 'private';
}

function formatImport(s: ImportSummary): string {
  const lines: string[] = [];
  for (const c of s.chats) {
    const what = c.imported ? `${c.records} records` : 'not imported';
    const extra = [
      c.migrated_records
        ? `${c.migrated_records} of the migrated basic group${c.migrated_from ? ` ${c.migrated_from.id}${c.migrated_from.from === 'data' ? ', its id found in the data folder\'s migration messages' : ''}` : ''}`
        : '',
      c.skipped ? `${c.skipped} skipped` : '',
      c.undated_dropped ? `${c.undated_dropped} without any date dropped` : '',
      c.first_date ? `${c.first_date}..${c.last_date}` : '',
    ].filter(Boolean);
    lines.push(`  chat ${c.id ?? String(c.export_type)} ${c.type ?? '?'} "${c.title ?? ''}"${c.section === 'left_chats' ? ' (left)' : ''}: ${c.messages} messages, ${what}${extra.length ? ` (${extra.join(', ')})` : ''}`);
  }
  const shown = lines.slice(0, 50);
  if (lines.length > 50) shown.push(`  ... and ${lines.length - 50} more chats`);
  return [`${s.source}: ${s.messages} messages in ${s.chats.length} chats, ${s.records} records stored in ${s.objects} objects${s.unchanged_objects ? ` (${s.unchanged_objects} of them already there, unchanged)` : ''} on ${s.days.length} days (${mb(s.bytes)}, ${(s.ms / 1000).toFixed(1)} s)`, ...shown].join('\n') + '\n';
}

/** Runs the import; resolves with the exit code. */
export async function runImport(options: ImportCommandOptions, io: ImportIo): Promise<number> {
  if (options.files.length === 0) throw new UsageError('give the export: a result.json, its folder or a .zip');
  const target = options.target ?? 'local';
  if (target !== 'local' && target !== 'aws') throw new UsageError(`--target must be local or aws, not "${target}"`);
  if (target === 'aws' && !options.bucket) throw new UsageError('--target aws needs --bucket (the stack output RawBucketName)');
  if (target === 'aws' && options.enrich) throw new UsageError('--enrich builds local days; on AWS run `tgpipe replay enrich --target aws` for the days printed');
  const offset = utcOffsetOption(options.utcOffset, io.env);
  let mode;
  try {
    mode = parseDataMode(io.env.DATA_MODE);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (mode !== 'full') {
    // The raw layer must never hold what the mode withholds, and export records are not redacted yet.
    throw new UsageError(`DATA_MODE is ${mode}: tgpipe import stores exported messages as they are (texts, names, user ids), so it runs only under DATA_MODE=full`);
  }
  const selectChat = chatFilter(options, io.env);
  let migratedFromChatId: number | undefined;
  if (options.migratedFrom !== undefined) {
    migratedFromChatId = Number(options.migratedFrom);
    if (!Number.isSafeInteger(migratedFromChatId) || migratedFromChatId >= 0 || migratedFromChatId <= -1_000_000_000_000) {
      throw new UsageError(`--migrated-from must be a basic group's id (-123456789), not "${options.migratedFrom}"`);
    }
  }
  const stores = localStores(options.data);
  // The old group's id of a migrated supergroup, where the bot saw the migration (local days built):
  // read once, and only for an export that holds a migrated history (DuckDB is not loaded otherwise).
  let migrations: Promise<Map<number, number>> | undefined;
  const migratedFromOf =
    target === 'local' && migratedFromChatId === undefined
      ? async (supergroupId: number) => (await (migrations ??= knownMigrations(options.data))).get(supergroupId)
      : undefined;
  const store: ObjectStore = target === 'aws' ? new S3ObjectStore(io.s3 ?? new S3Client({ region: options.region ?? io.env.AWS_REGION }), options.bucket!) : stores.raw;

  const days = new Set<string>();
  let failed = false;
  for (const path of options.files) {
    let sources;
    try {
      sources = await exportSources(path);
    } catch (error) {
      io.stderr(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}\n`);
      failed = true;
      continue;
    }
    for (const source of sources) {
      const progress = !options.quiet && io.progress?.isTTY ? io.progress : undefined;
      const onProgress = progress
        ? (p: ImportProgress) => {
            const share = source.size ? ` / ${mb(source.size)} (${Math.floor((p.bytes / source.size) * 100)}%)` : '';
            progress.write(`\rimport ${source.name}: ${mb(p.bytes)}${share}, ${p.messages.toLocaleString('en')} messages, ${p.chats} chats`.padEnd(90));
          }
        : undefined;
      const summary = await importExport(await source.open(), store, { utcOffsetMinutes: offset.minutes, selectChat, migratedFromChatId, migratedFromOf, onProgress, source: source.name });
      if (progress) progress.write('\n');
      io.stdout(formatImport(summary));
      for (const d of summary.days) days.add(d);
      for (const c of summary.chats) {
        if (c.migrated_from || c.migrated_records === 0) continue;
        // --migrated-from names one old group: a second migrated supergroup of the file did not take it.
        const how = migratedFromChatId === undefined ? 'pass --migrated-from <the old group\'s id>' : `import it alone with --chat ${c.id} --migrated-from <its old group's id> (--migrated-from went to another chat)`;
        io.stderr(`${source.name}: ${c.migrated_records} messages of the basic group supergroup ${c.id} was migrated from are stored under the supergroup's id (ids -1,000,000,000 and below); ${how} to store them under the old id, where the bot's own messages of that time are\n`);
      }
      if (summary.skipped.length > 0) {
        for (const s of summary.skipped.slice(0, 10)) io.stderr(`${source.name}: skipped a message at byte ${s.offset} (line ${s.line}): ${s.reason}\n`);
      }
      if (summary.damage) {
        failed = true;
        const d = summary.damage;
        io.stderr(`${source.name}: damaged: ${d.reason} at byte ${d.offset} (line ${d.line}, column ${d.column}); the ${summary.records} records before it are stored\n`);
      }
    }
  }
  const sorted = [...days].sort();
  if (sorted.length > 0 && options.enrich) {
    const logger = createLogger({ service: 'tgpipe-import', level: 'error', write: (l) => io.stderr(l) });
    const deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.url };
    const built = new Map<string, DaySummary>();
    for (const range of dayRanges(sorted)) {
      for (const day of dateRange(range.from, range.to)) {
        const s = await enrichDay(day, deps);
        recordBuild(built, s);
        if (!options.quiet) io.stdout(`${formatSummary(s)}\n`);
      }
    }
  } else if (sorted.length > 0) {
    const ranges = dayRanges(sorted);
    const command = target === 'aws' ? 'tgpipe replay enrich --target aws --function <EnrichmentFunctionName>' : `tgpipe enrich${options.data !== 'data' ? ` --data ${options.data}` : ''}`;
    io.stdout(`next, build the ${sorted.length} days:\n`);
    for (const r of ranges.slice(0, 20)) io.stdout(`  ${command} --from ${r.from} --to ${r.to}\n`);
    if (ranges.length > 20) io.stdout(`  ... ${ranges.length - 20} more ranges; or once: ${command} --from ${sorted[0]} --to ${sorted[sorted.length - 1]}\n`);
  }
  return failed ? 1 : 0;
}

const text = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** `tgpipe import` (cli/registry.ts declares its options). */
export async function run(values: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  return runImport(
    {
      files: positionals,
      data: text(values.data) ?? 'data',
      target: text(values.target),
      bucket: text(values.bucket),
      region: text(values.region),
      chat: text(values.chat),
      allChats: values['all-chats'] === true,
      migratedFrom: text(values['migrated-from']),
      utcOffset: text(values['utc-offset']),
      enrich: values.enrich === true,
      quiet: values.quiet === true,
    },
    { ...io, progress: io.isTTY?.stderr ? process.stderr : undefined },
  );
}
