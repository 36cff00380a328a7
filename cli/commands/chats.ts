/**
 * `tgpipe chats`: every chat the bot has heard from, stored or dropped, with the id to put in
 * ALLOWED_CHAT_IDS. From the data folder's chat registry (kept by serve and ingest), and the enriched
 * tables for chats stored before it existed.
 */
import { loadConfig } from '../../core/config';
import { readChatRegistry } from '../../local/chat-registry-file';
import { localStores } from '../../adapters/local/data-dir';
import { addNoChat, describeNoChat, noChatTotal, type NoChatCounts } from '../../core/no-chat';
import { MANIFEST_PREFIX } from '../../schemas/layout';
import { UsageError, type CliIo, type OptionValues } from '../command';
import { requireDataFolder } from '../files';
import { formatRows } from './query';
import type { AwsValues } from './chats-aws';

interface Values extends AwsValues {
  data: string;
  target: string;
}

export interface ChatRow {
  chat_id: number;
  type: string | null;
  title: string | null;
  allowed: boolean;
  first_seen: string | null;
  last_seen: string | null;
  stored: number;
  dropped: number;
  messages: number | null;
}

export const iso = (ms: number | null | undefined): string | null => (ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : null);

/** Chats in the enriched tables: their latest title and type, first and last message, and messages. */
async function enrichedChats(dataDir: string): Promise<Map<number, { type: string | null; title: string | null; first: number | null; last: number | null; messages: number }>> {
  const out = new Map<number, { type: string | null; title: string | null; first: number | null; last: number | null; messages: number }>();
  const { DuckDbEngine } = await import('../../adapters/local/duckdb-engine');
  const engine = await DuckDbEngine.open(dataDir);
  try {
    const rows = await engine.query(
      `SELECT chat_id, max_by(chat_type, date) AS chat_type, max_by(chat_title, date) AS chat_title, min(date) AS first, max(date) AS last, count(*) AS messages
       FROM telegram WHERE chat_id IS NOT NULL GROUP BY chat_id`,
    );
    for (const r of rows) {
      const type = (r.chat_type as string | null) ?? null;
      out.set(Number(r.chat_id), {
        type,
        title: type === 'private' ? null : ((r.chat_title as string | null) ?? null),
        first: r.first === null ? null : Number(r.first) * 1000,
        last: r.last === null ? null : Number(r.last) * 1000,
        messages: Number(r.messages),
      });
    }
  } finally {
    await engine.close();
  }
  return out;
}

/**
 * Updates with no chat the enrichment dropped from the raw layer (lines of the original bucket layout, or
 * stored before every path dropped them), by kind, from each day's build manifest.
 */
async function enrichedNoChat(dataDir: string): Promise<NoChatCounts> {
  const stores = localStores(dataDir);
  const out: NoChatCounts = {};
  for await (const o of stores.enriched.list(MANIFEST_PREFIX)) {
    try {
      const manifest = JSON.parse(((await stores.enriched.readSmall(o.key)) ?? '').toString('utf8')) as { summary?: { no_chat?: NoChatCounts } };
      addNoChat(out, manifest?.summary?.no_chat);
    } catch {
      // a damaged manifest: its day is rebuilt on the next enrichment, which writes a sound one
    }
  }
  return out;
}

export async function run(options: OptionValues, _positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  if (values.target === 'aws') return (await import('./chats-aws')).runAws(values, io);
  const dataDir = requireDataFolder(values.data);
  let allowed: ReadonlySet<number>;
  try {
    allowed = loadConfig(io.env, { allowedChatIds: values['allowed-chat-ids'] }).allowedChatIds;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const registry = await readChatRegistry(dataDir);
  const enriched = await enrichedChats(dataDir);
  const noChatInRaw = await enrichedNoChat(dataDir);
  const ids = new Set<number>([...Object.values(registry.chats).map((c) => c.id), ...enriched.keys()]);
  const rows: ChatRow[] = [...ids].map((id) => {
    const r = registry.chats[String(id)];
    const e = enriched.get(id);
    const type = r?.type ?? e?.type ?? null;
    return {
      chat_id: id,
      type,
      title: type === 'private' ? null : (r?.title ?? e?.title ?? null),
      allowed: allowed.has(id),
      first_seen: iso(Math.min(r?.firstSeen ?? Infinity, e?.first ?? Infinity) === Infinity ? null : Math.min(r?.firstSeen ?? Infinity, e?.first ?? Infinity)),
      last_seen: iso(Math.max(r?.lastSeen ?? 0, e?.last ?? 0) || null),
      stored: r?.stored ?? 0,
      dropped: r?.dropped ?? 0,
      messages: e?.messages ?? null,
    };
  });
  return printChats(rows, registry.noChat, noChatInRaw, values.format as 'table' | 'csv' | 'json', io, `no chats yet in ${dataDir}: they appear here once the bot receives updates (tgpipe serve) or you ingest some`);
}

/**
 * The chats, newest first, in the format asked; in a table, the no-chat counts and the ids to allow.
 * no_chat: dropped on arrival (serve, ingest, the webhook); no_chat_in_raw: dropped by the enrichment from raw lines.
 */
export function printChats(rows: ChatRow[], noChat: NoChatCounts, noChatInRaw: NoChatCounts, format: 'table' | 'csv' | 'json', io: CliIo, none: string): number {
  rows.sort((a, b) => (b.last_seen ?? '').localeCompare(a.last_seen ?? '') || a.chat_id - b.chat_id);
  if (format === 'json') {
    io.stdout(`${JSON.stringify({ chats: rows, no_chat: noChat, no_chat_in_raw: noChatInRaw }, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) io.stderr(`${none}\n`);
  else io.stdout(formatRows(rows as unknown as Record<string, unknown>[], format));
  if (format === 'table') {
    if (noChatTotal(noChat)) io.stdout(`no chat: ${noChatTotal(noChat)} update(s) dropped on arrival, not a group's data (${describeNoChat(noChat)})\n`);
    if (noChatTotal(noChatInRaw)) io.stdout(`no chat: ${noChatTotal(noChatInRaw)} update(s) in the raw layer dropped by the enrichment (${describeNoChat(noChatInRaw)})\n`);
    const notAllowed = rows.filter((r) => !r.allowed && r.dropped > 0);
    if (notAllowed.length) io.stdout(`to keep a dropped chat, add its id to ALLOWED_CHAT_IDS (or --allowed-chat-ids): ${notAllowed.map((r) => r.chat_id).join(',')}\n`);
  }
  return 0;
}
