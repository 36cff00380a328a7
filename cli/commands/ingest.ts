/** `tgpipe ingest`: updates from files through the webhook's own path into the local raw layer. */
import { readFile } from 'node:fs/promises';
import { constants as zlibConstants, gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { loadConfig } from '../../core/config';
import { parseUpdateFile, type Rejection } from '../../core/ingest-files';
import { createLogger } from '../../core/log';
import { localStores } from '../../adapters/local/data-dir';
import { LocalFirehose } from '../../adapters/local/local-firehose';
import { ingestUpdates, type IngestCounts } from '../../local/ingest';
import { loadOrCreateSecret } from '../../local/secret-store';
import { DATA_OPTION, parseCommandArgs, UsageError, type Command } from '../command';

const HELP = `Usage: tgpipe ingest PATH... [--data DIR] [--allowed-chat-ids IDS | --all-chats] [--utc-offset ±HH:MM]

Stores Telegram updates from files in the local raw layer, through the same checks, envelope and sink
as the webhook (each update keeps its exact bytes). A file holds one update, a JSON array of updates,
JSON lines, or getUpdates answers {"ok":true,"result":[...]}; .gz files are decompressed.

Prints accepted / ignored (chat not allowed, or no chat) / rejected (not an update, not JSON, unreadable
file: each named with file:line) counts, and exits 1 when something was rejected or not stored, after
keeping every good update. Then run \`tgpipe enrich\`.

The allow-list applies as on the webhook. With no chat allowed (ALLOWED_CHAT_IDS unset) every update
would be dropped, so ingest refuses: pass --allowed-chat-ids, or --all-chats to keep every chat.

Options:
  --data DIR              data folder (default ./data, or TGPIPE_DATA)
  --allowed-chat-ids IDS  chat ids to keep (default ALLOWED_CHAT_IDS)
  --all-chats             keep every chat's updates
  --utc-offset OFFSET     day boundary offset (default CONTEXT_UTC_OFFSET or -03:00)
`;

/** Every chat id is allowed (for --all-chats); handleWebhook only asks `has`. */
class AllChats extends Set<number> {
  override has(): boolean {
    return true;
  }
}

const MAX_LISTED = 20;

export const command: Command = {
  name: 'ingest',
  summary: 'store updates from files (JSON, JSON lines, arrays, getUpdates answers) in the raw layer',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { ...DATA_OPTION, 'allowed-chat-ids': { type: 'string' }, 'all-chats': { type: 'boolean', default: false }, 'utc-offset': { type: 'string' } },
      true,
    );
    if (positionals.length === 0) throw new UsageError('give at least one file');
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
    const logger = createLogger({ service: 'tgpipe-ingest', level: 'error', write: (l) => process.stderr.write(l) });
    const deps = { secret, allowedChatIds: allowed, utcOffsetMinutes: config.utcOffsetMinutes, sink, logger };
    const total: IngestCounts = { accepted: 0, ignored: 0, failed: 0 };
    const rejected: Rejection[] = [];
    try {
      // File by file, so memory holds one file at a time.
      for (const path of positionals) {
        let bytes: Buffer;
        try {
          bytes = await readFile(path);
          if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
            const compressed = bytes;
            bytes = await promisify(gunzip)(compressed).catch((error: NodeJS.ErrnoException) => {
              if (error.code !== 'Z_BUF_ERROR') throw error;
              // A cut-off download: keep the whole lines before the cut, say the rest is lost.
              const partial = gunzipSync(compressed, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
              const whole = partial.subarray(0, partial.lastIndexOf(0x0a) + 1);
              rejected.push({ where: path, reason: `truncated gzip: what follows byte ${whole.length} of its text is lost (the whole lines before it are read)` });
              return whole;
            });
          }
        } catch (error) {
          rejected.push({ where: path, reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
          continue;
        }
        const items = parseUpdateFile(bytes.toString('utf8'), path);
        for (const r of items.rejected) rejected.push(r);
        const counts = await ingestUpdates(items.updates.map((u) => u.body), deps);
        total.accepted += counts.accepted;
        total.ignored += counts.ignored;
        total.failed += counts.failed;
      }
    } finally {
      await sink.close();
    }
    for (const r of rejected.slice(0, MAX_LISTED)) io.stderr(`rejected: ${r.where}: ${r.reason}\n`);
    if (rejected.length > MAX_LISTED) io.stderr(`rejected: ... and ${rejected.length - MAX_LISTED} more\n`);
    if (total.failed > 0) io.stderr(`${total.failed} updates could not be stored (see the errors above): run the same command again\n`);
    io.stdout(`accepted ${total.accepted}, ignored ${total.ignored}, rejected ${rejected.length}${total.failed ? `, not stored ${total.failed}` : ''}\n`);
    return rejected.length > 0 || total.failed > 0 ? 1 : 0;
  },
};
