/**
 * The local face's checks (`tgpipe doctor --data DIR`): the data folder, the webhook secret, raw days,
 * enriched days built for them, the serve lock, the bot token and Telegram's view, disk space. Facts are
 * gathered by local/doctor.ts.
 */
import type { WebhookInfo } from '../telegram-api';
import { checkWebhookInfo } from './webhook';
import { dayRange, describeAge, factError, factValue, type CheckResult, type Fact } from './result';

export const DISK_FAIL_BYTES = 100 * 1024 ** 2;
export const DISK_WARN_BYTES = 1024 ** 3;

export type DayBuild = 'built' | 'stale' | 'missing';

export interface LocalFacts {
  readonly dataDir: string;
  readonly now: number;
  /** Today in the context offset: its raw day is still filling, and is built after midnight. */
  readonly today: string;
  readonly folder: 'folder' | 'missing' | 'file';
  readonly secret: { readonly source: 'env' | 'file' | 'none'; readonly valid: boolean; readonly mode?: number };
  readonly rawDays: readonly { readonly day: string; readonly objects: number; readonly newest?: Date }[];
  /** Per raw day: its enriched build is there and current, out of date (raw objects changed), or absent. */
  readonly builds: Readonly<Record<string, DayBuild>>;
  readonly lock?: { readonly pid?: number; readonly alive: boolean };
  readonly token: { readonly source: 'flag' | 'env' | 'none'; readonly wellFormed: boolean };
  readonly webhook?: Fact<WebhookInfo>;
  readonly disk?: Fact<{ readonly freeBytes: number; readonly totalBytes: number }>;
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

export function localChecks(f: LocalFacts): CheckResult[] {
  const d = ` --data ${f.dataDir}`;
  if (f.folder !== 'folder') {
    return [{
      id: 'data-folder',
      title: 'data folder',
      status: 'fail',
      detail: f.folder === 'file' ? `${f.dataDir} is a file` : `${f.dataDir} does not exist`,
      fix: 'tgpipe serve (or npm start for a demo group) stores what the bot receives; tgpipe ingest FILE stores updates from files',
    }];
  }
  const results: CheckResult[] = [{ id: 'data-folder', title: 'data folder', status: 'pass', detail: f.dataDir }];

  const secret = { id: 'secret', title: 'webhook secret' };
  if (f.secret.source === 'env') results.push({ ...secret, status: f.secret.valid ? 'pass' : 'fail', detail: f.secret.valid ? 'TELEGRAM_WEBHOOK_SECRET is set' : 'TELEGRAM_WEBHOOK_SECRET is not 1-256 characters of A-Z a-z 0-9 _ -', ...(f.secret.valid ? {} : { fix: 'set a valid one, or unset it and let tgpipe serve generate DIR/.secret' }) });
  else if (f.secret.source === 'none') results.push({ ...secret, status: 'warn', detail: 'none yet (no .secret, no TELEGRAM_WEBHOOK_SECRET)', fix: `the first tgpipe serve${d} generates ${f.dataDir}/.secret` });
  else if (!f.secret.valid) results.push({ ...secret, status: 'fail', detail: '.secret is not 1-256 characters of A-Z a-z 0-9 _ -', fix: `remove ${f.dataDir}/.secret (tgpipe serve generates a new one; then tgpipe set-webhook again)` });
  else if (f.secret.mode !== undefined && (f.secret.mode & 0o077) !== 0) results.push({ ...secret, status: 'warn', detail: `.secret is readable by others (mode ${(f.secret.mode & 0o777).toString(8)})`, fix: `chmod 600 ${f.dataDir}/.secret` });
  else results.push({ ...secret, status: 'pass', detail: '.secret (mode 600)' });

  const withData = f.rawDays.filter((r) => r.objects > 0);
  if (withData.length === 0) {
    results.push({ id: 'raw', title: 'raw days', status: 'fail', detail: 'no raw data yet', fix: `tgpipe serve${d} (the bot's updates), tgpipe ingest FILE${d}, or tgpipe import result.json${d}` });
  } else {
    const newest = Math.max(...withData.map((r) => r.newest?.getTime() ?? 0));
    const { from, to } = dayRange(withData.map((r) => r.day));
    results.push({ id: 'raw', title: 'raw days', status: 'pass', detail: `${withData.length} day${withData.length === 1 ? '' : 's'} (${from} .. ${to}), newest object ${describeAge(f.now - newest)} old` });
  }

  // Today's raw day is still filling; the daily build takes it after midnight.
  const due = withData.map((r) => r.day).filter((day) => day < f.today);
  const missing = due.filter((day) => f.builds[day] === 'missing');
  const stale = due.filter((day) => f.builds[day] === 'stale');
  if (due.length === 0) results.push({ id: 'enriched', title: 'enriched days', status: withData.length ? 'pass' : 'skip', detail: withData.length ? 'only today has raw data (built after midnight)' : 'not checked: no raw days' });
  else if (missing.length || stale.length) {
    const { from, to } = dayRange([...missing, ...stale]);
    const lines = [...(missing.length ? [`not built: ${missing.join(', ')}`] : []), ...(stale.length ? [`raw objects changed since the build: ${stale.join(', ')}`] : [])];
    results.push({ id: 'enriched', title: 'enriched days', status: 'fail', detail: `${missing.length + stale.length} of ${due.length} raw days not (re)built`, fix: `tgpipe enrich${d} --from ${from} --to ${to}`, lines });
  } else results.push({ id: 'enriched', title: 'enriched days', status: 'pass', detail: `all ${due.length} past raw day${due.length === 1 ? '' : 's'} built and current` });

  const lock = { id: 'lock', title: 'serve lock' };
  if (!f.lock) results.push({ ...lock, status: 'pass', detail: 'no tgpipe serve running on this folder' });
  else if (f.lock.alive) results.push({ ...lock, status: 'pass', detail: `tgpipe serve (PID ${f.lock.pid}) is running` });
  else results.push({ ...lock, status: 'fail', detail: `stale: PID ${f.lock.pid ?? '(unreadable)'} is gone (the server crashed or was killed)`, fix: `tgpipe serve${d} takes the lock over; or rm ${f.dataDir}/.serve.lock` });

  const token = { id: 'bot-token', title: 'bot token' };
  if (f.token.source === 'none') results.push({ ...token, status: 'warn', detail: 'not set: tgpipe serve only answers webhooks (tgpipe set-webhook through a tunnel)', fix: 'set TELEGRAM_BOT_TOKEN (or --token) to long-poll Telegram instead' });
  else if (!f.token.wellFormed) results.push({ ...token, status: 'fail', detail: `${f.token.source === 'env' ? 'TELEGRAM_BOT_TOKEN' : '--token'} is not a bot token (<bot id>:<secret>)`, fix: 'copy it again from BotFather' });
  else results.push({ ...token, status: 'pass', detail: `set (${f.token.source === 'env' ? 'TELEGRAM_BOT_TOKEN' : '--token'})` });

  const title = "Telegram's webhook (getWebhookInfo)";
  if (!f.webhook) results.push({ id: 'webhook', title, status: 'skip', detail: 'not checked: no bot token' });
  else if (factError(f.webhook)) results.push({ id: 'webhook', title, status: 'fail', detail: `Telegram did not answer: ${factError(f.webhook)}`, fix: 'check the bot token (BotFather) and the network' });
  else {
    const info = factValue(f.webhook)!;
    if (!info.url) results.push({ id: 'webhook', title, status: 'pass', detail: `no webhook set: tgpipe serve long-polls getUpdates (${info.pending_update_count} pending)` });
    else {
      const checked = checkWebhookInfo(info, { setWebhook: `tgpipe set-webhook --url https://<tunnel>/webhook --secret "$(cat ${f.dataDir}/.secret)"`, now: f.now });
      results.push({ ...checked, lines: [...(checked.lines ?? []), 'a webhook is set: Telegram refuses getUpdates, so tgpipe serve only gets what the tunnel delivers'] });
    }
  }

  if (f.disk) {
    const error = factError(f.disk);
    const disk = factValue(f.disk);
    if (error || !disk) results.push({ id: 'disk', title: 'disk space', status: 'warn', detail: `cannot tell: ${error}` });
    else {
      const status = disk.freeBytes < DISK_FAIL_BYTES ? 'fail' : disk.freeBytes < DISK_WARN_BYTES ? 'warn' : 'pass';
      results.push({ id: 'disk', title: 'disk space', status, detail: `${gib(disk.freeBytes)} free of ${gib(disk.totalBytes)}`, ...(status === 'pass' ? {} : { fix: 'free space, or move the data folder (--data): a full disk answers 503 to every update' }) });
    }
  }
  return results;
}
