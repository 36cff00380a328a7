/**
 * `tgpipe erase --user ID` / `--chat ID`: takes a person (or a chat) out of every layer, locally or on
 * AWS (core/privacy/erase-job.ts), and prints what it changed. Safe to run twice, or again after an
 * interruption: it finishes what is left.
 */
import { resolve } from 'node:path';
import type { EraseDeps, EraseReport, SideLocation } from '../../core/privacy/erase-job';
import { createLogger } from '../../core/log';
import { UsageError, type CliIo, type OptionValues } from '../spec';

/** Ids from `--user 1,2` (positive user ids) or `--chat -100...` (any non-zero integer). */
export function parseIds(text: string | boolean | undefined, flag: string, positive: boolean): number[] {
  if (typeof text !== 'string' || text.trim() === '') return [];
  return text.split(/[\s,]+/).filter(Boolean).map((part) => {
    const id = Number(part);
    if (!/^-?\d+$/.test(part) || !Number.isSafeInteger(id) || id === 0 || (positive && id < 0)) throw new UsageError(`${flag}: "${part}" is not a ${positive ? 'user' : 'chat'} id`);
    return id;
  });
}

export function formatEraseReport(r: EraseReport): string {
  const side = Object.entries(r.side).map(([k, v]) => `${k}: ${v.objects} object(s)${v.lines ? `, ${v.lines} line(s)` : ''}`).join('; ');
  return [
    `register: ${r.register_added ? `${r.register_added} entr${r.register_added === 1 ? 'y' : 'ies'} added` : 'already listed'}`,
    `raw: ${r.raw.objects_rewritten} object(s) rewritten, ${r.raw.objects_deleted} deleted; ${r.raw.lines_dropped} update(s) removed, ${r.raw.lines_redacted} redacted in other people's updates; ${r.raw.old_versions_deleted} old version(s) deleted`,
    `enriched: ${r.days.length} day(s) rebuilt${r.days.length ? ` (${r.days.join(', ')})` : ''}; rows removed: telegram ${r.rows_removed.telegram}, telegram_events ${r.rows_removed.telegram_events}`,
    `side files: ${side || 'none'}`,
    '',
  ].join('\n');
}

export async function run(values: OptionValues, _positionals: string[], io: CliIo): Promise<number> {
  const users = parseIds(values.user, '--user', true);
  const chats = parseIds(values.chat, '--chat', false);
  if (users.length === 0 && chats.length === 0) throw new UsageError('give --user ID or --chat ID');
  const { eraseEverywhere } = await import('../../core/privacy/erase-job');
  const { parseDataMode } = await import('../../core/privacy/data-mode');
  const logger = createLogger({ service: 'erase', level: 'warn', write: (l) => process.stderr.write(l) });
  const target = values.target ?? 'local';
  let deps: EraseDeps;
  let mode;
  let pseudonymize;
  if (target === 'aws') {
    const aws = await import('../../adapters/aws/erase-target');
    const t = await aws.awsEraseTarget(values, io.env, logger);
    deps = t.deps;
    mode = t.mode;
    pseudonymize = t.pseudonymize;
  } else if (target === 'local') {
    const { localCatalog, localStores } = await import('../../adapters/local/data-dir');
    const { localEnrichPrivacy, topLevelFiles } = await import('../../adapters/local/privacy');
    const stores = localStores(String(values.data));
    mode = parseDataMode(io.env.DATA_MODE);
    const privacy = await localEnrichPrivacy(stores.dataDir, io.env, mode);
    pseudonymize = privacy.pseudonymize;
    const unsent = /^replay-unsent-.*\.jsonl$/;
    const pages = /\.html?$/i;
    const side: SideLocation[] = [
      { label: 'replay_unsent', store: topLevelFiles(stores.dataDir, unsent), prefix: '', how: 'filter' },
      { label: 'replay_unsent_cwd', store: topLevelFiles(resolve('.'), unsent), prefix: '', how: 'filter' },
      { label: 'report_pages', store: topLevelFiles(stores.dataDir, pages), prefix: '', how: 'delete' },
      { label: 'report_pages_cwd', store: topLevelFiles(resolve('.'), pages), prefix: '', how: 'delete' },
    ];
    deps = {
      raw: stores.raw,
      enriched: stores.enriched,
      enrich: { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root, privacy },
      side,
    };
  } else throw new UsageError(`--target ${String(target)}: local or aws`);
  if (mode === 'pseudonymous' && !pseudonymize) throw new Error('pseudonymous mode, but no pseudonym key: the person cannot be found');
  const report = await eraseEverywhere({ users, chats, mode, pseudonymize }, { ...deps, onProgress: values.verbose ? (m) => io.stderr(`${m}\n`) : undefined });
  io.stdout(formatEraseReport(report));
  if (values.json) io.stdout(`${JSON.stringify(report)}\n`);
  return 0;
}
