/** `tgpipe ingest`: updates from files through the webhook's own path into the local raw layer. */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../../core/config';
import { parseUpdateFile } from '../../core/ingest-files';
import { createLogger } from '../../core/log';
import { localStores } from '../../adapters/local/data-dir';
import { LocalFirehose } from '../../adapters/local/local-firehose';
import { ingestUpdates } from '../../local/ingest';
import { loadOrCreateSecret } from '../../local/secret-store';
import { DATA_OPTION, parseCommandArgs, UsageError, type Command } from '../command';

const HELP = `Usage: tgpipe ingest PATH... [--data DIR] [--allowed-chat-ids IDS] [--all-chats]

Stores Telegram updates from files in the local raw layer, through the same checks and envelope as the
webhook. A file holds one update, a JSON array of updates, JSON lines, or a getUpdates answer
{"ok":true,"result":[...]}; .gz files are decompressed.

Prints accepted / ignored (chat not allowed, or no chat) / rejected (not an update) counts and exits 1
when something was rejected, after keeping the good updates. Then run \`tgpipe enrich\`.

Options:
  --data DIR              data folder (default ./data, or TGPIPE_DATA)
  --allowed-chat-ids IDS  chat ids to keep (default ALLOWED_CHAT_IDS)
  --all-chats             keep every chat's updates (ignores the allow-list)
  --utc-offset OFFSET     day boundary offset (default CONTEXT_UTC_OFFSET or -03:00)
`;

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
    const config = loadConfig(io.env, { allowedChatIds: values['allowed-chat-ids'], utcOffset: values['utc-offset'] });
    const updates: string[] = [];
    const rejected: Array<{ where: string; reason: string }> = [];
    for (const path of positionals) {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
        if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
      } catch (error) {
        rejected.push({ where: path, reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
        continue;
      }
      const items = parseUpdateFile(bytes.toString('utf8'), path);
      updates.push(...items.updates);
      rejected.push(...items.rejected);
    }
    let allowed = config.allowedChatIds;
    if (values['all-chats']) {
      allowed = new Set(updates.map((u) => JSON.parse(u)).map((u) => {
        const kind = Object.keys(u).find((k) => k !== 'update_id');
        const p = kind ? u[kind] : undefined;
        return p?.chat?.id ?? p?.message?.chat?.id ?? p?.user_chat_id;
      }).filter((id): id is number => typeof id === 'number'));
    } else if (allowed.size === 0 && updates.length > 0) {
      throw new UsageError('no chats allowed: set ALLOWED_CHAT_IDS, pass --allowed-chat-ids, or --all-chats');
    }
    const stores = localStores(values.data);
    const { secret } = await loadOrCreateSecret(stores.dataDir, config.webhookSecret);
    const sink = new LocalFirehose(stores.raw.root);
    const logger = createLogger({ service: 'ingest', level: 'error', write: (l) => process.stderr.write(l) });
    const counts = await ingestUpdates(updates, { secret, allowedChatIds: allowed, utcOffsetMinutes: config.utcOffsetMinutes, sink, logger });
    await sink.close();
    for (const r of rejected.slice(0, 20)) io.stderr(`rejected: ${r.where}: ${r.reason}\n`);
    if (rejected.length > 20) io.stderr(`rejected: ... and ${rejected.length - 20} more\n`);
    io.stdout(`accepted ${counts.accepted}, ignored ${counts.ignored}, rejected ${rejected.length}${counts.failed ? `, failed ${counts.failed}` : ''}\n`);
    return rejected.length > 0 || counts.failed > 0 ? 1 : 0;
  },
};
