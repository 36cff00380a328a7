/** `tgpipe ingest`: updates from files through the webhook's own path into the local raw layer. */
import { loadConfig } from '../../core/config';
import { droppedNoChatPhrase } from '../../core/no-chat';
import { localStores } from '../../adapters/local/data-dir';
import { LocalFirehose } from '../../adapters/local/local-firehose';
import { ingestFiles, listInputFiles } from '../../local/ingest-files';
import { ChatTally } from '../../local/chat-registry-file';
import { loadOrCreateSecret } from '../../local/secret-store';
import { localPrivacy } from '../../adapters/local/privacy';
import { buildDays } from '../build-days';
import { UsageError, type CliIo, type OptionValues } from '../command';
import { describeFsError } from '../files';
import { cliLogger } from '../logger';
import { formatBytes, progressBar } from '../progress';

/** Every chat id is allowed (for --all-chats); handleWebhook only asks `has`. */
class AllChats extends Set<number> {
  override has(): boolean {
    return true;
  }
}

const MAX_LISTED = 20;

/** Options as declared in cli/registry.ts. */
interface Values {
  data: string;
  'allowed-chat-ids'?: string;
  'all-chats': boolean;
  'utc-offset'?: string;
  enrich: boolean;
}

/** `--from A --to B`, or `--date A` for one day. */
const rangeFlags = (days: readonly string[]): string => (days.length === 1 ? `--date ${days[0]}` : `--from ${days[0]} --to ${days.at(-1)}`);

export async function run(options: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  // The files first: a missing file is the first thing to say, before any setting.
  const { files, missing } = await listInputFiles(positionals);
  for (const m of missing) io.stderr(`tgpipe ingest: ${m.path}: ${describeFsError(m.error)}\n`);
  if (files.length === 0) {
    io.stderr(missing.length ? 'tgpipe ingest: nothing to read\n' : `tgpipe ingest: no files in ${positionals.join(', ')}\n`);
    return 1;
  }
  let config;
  try {
    config = loadConfig(io.env, { allowedChatIds: values['allowed-chat-ids'], utcOffset: values['utc-offset'] });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values['all-chats'] && values['allowed-chat-ids'] !== undefined) throw new UsageError('give --allowed-chat-ids or --all-chats, not both');
  const allowed = values['all-chats'] ? new AllChats() : config.allowedChatIds;
  if (allowed.size === 0 && !values['all-chats']) {
    throw new UsageError('no chats allowed, so every update would be dropped: set ALLOWED_CHAT_IDS, pass --allowed-chat-ids -100..., or --all-chats');
  }

  const stores = localStores(values.data);
  const { secret } = await loadOrCreateSecret(stores.dataDir, config.webhookSecret);
  const sink = new LocalFirehose(stores.raw.root);
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const bar = progressBar(totalBytes, 'ingest');
  const logger = cliLogger('tgpipe-ingest', 'error', io, { beforeWrite: () => bar.clear() });
  const privacy = await localPrivacy(stores.dataDir, config.dataMode, { env: io.env });
  privacy.stop();
  // A re-import never brings erased people back: the erasure register applies as the opt-out list does.
  const { readRegister } = await import('../../core/privacy/register-store');
  const { unionMatcher } = await import('../../core/privacy/erasure');
  const erased = (await readRegister(stores.raw)).matcher(privacy.pseudonymize);
  const optedOut = unionMatcher(privacy.webhook.optedOut?.(), erased);
  const deps = { secret, allowedChatIds: allowed, utcOffsetMinutes: config.utcOffsetMinutes, sink, logger, privacy: { ...privacy.webhook, optedOut: () => optedOut } };
  const chats = new ChatTally(stores.dataDir);
  let lastDraw = 0;
  let report;
  try {
    report = await ingestFiles(files, deps, (p) => {
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      bar.update(`${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)}, ${p.updates.toLocaleString('en-US')} updates`);
    }, (r) => chats.add(r, r.eventAtMs ?? Date.now())); // history: seen when it happened, not when ingested
  } finally {
    bar.done();
    await sink.close();
    await chats.close();
  }
  for (const r of report.rejected.slice(0, MAX_LISTED)) io.stderr(`rejected: ${r.where}: ${r.reason}\n`);
  const more = report.rejected.length + report.rejectedMore - MAX_LISTED;
  if (more > 0) io.stderr(`rejected: ... and ${more} more\n`);
  if (report.failed > 0) io.stderr(`${report.failed} updates could not be stored (see the errors above): run the same command again\n`);
  const rejected = report.rejected.length + report.rejectedMore;
  // Updates with no chat are named by kind (`dropped 3 with no chat (poll_answer 2, inline_query 1)`): not a group's data.
  const noChat = droppedNoChatPhrase(report.noChat);
  io.stdout(`accepted ${report.accepted}, ignored ${report.ignored}, ${noChat ? `${noChat}, ` : ''}rejected ${rejected}${report.failed ? `, not stored ${report.failed}` : ''}\n`);
  const days = [...report.days.keys()].sort();
  if (days.length > 0) {
    if (values.enrich) await buildDays(days, values.data, io, { force: false, quiet: false });
    else io.stdout(`stored on ${days.length} day(s), ${days[0]}${days.length > 1 ? `..${days.at(-1)}` : ''}: next, tgpipe enrich ${rangeFlags(days)}${values.data !== 'data' ? ` --data ${values.data}` : ''} (or ingest with --enrich)\n`);
  }
  return rejected > 0 || report.failed > 0 || missing.length > 0 ? 1 : 0;
}
