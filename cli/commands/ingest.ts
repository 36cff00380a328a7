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
import { localPrivacy } from '../../adapters/local/privacy';
import { UsageError, type CliIo, type OptionValues } from '../command';


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
}

export async function run(options: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
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
  const privacy = await localPrivacy(stores.dataDir, config.dataMode, { env: io.env });
  privacy.stop();
  const deps = { secret, allowedChatIds: allowed, utcOffsetMinutes: config.utcOffsetMinutes, sink, logger, privacy: privacy.webhook };
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
}

