/** `tgpipe serve`: the whole local pipeline: webhook server, local Firehose, daily enrichment, dashboard. */
import { loadConfig } from '../../core/config';
import type { LogLevel } from '../../core/log';
import { ALL_UPDATE_KINDS } from '../../core/update-kinds';
import type { DaySummary, EnrichDeps } from '../../core/enrich';
import type { WebhookDeps } from '../../core/webhook';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { LocalFirehose, recoverLocalFirehose, type Durability } from '../../adapters/local/local-firehose';
import { startDailyTimer, type DailyTimer } from '../../local/daily-timer';
import { ingestUpdates, type IngestCounts } from '../../local/ingest';
import { pollUpdates } from '../../local/poller';
import { startMemberCountSampler, type MemberCountSampler } from '../../local/member-count-sampler';
import { loadOrCreatePageToken, loadOrCreateSecret } from '../../local/secret-store';
import { localPrivacy } from '../../adapters/local/privacy';
import { ChatTally } from '../../local/chat-registry-file';
import { checkPortFree } from '../../local/port-probe';
import { lockDataFolder } from '../../local/serve-lock';
import { startServer } from '../../local/server';
import { cliLogger } from '../logger';
import { mkdir } from 'node:fs/promises';
import { UsageError, type CliIo, type OptionValues } from '../command';


const LEVELS = ['debug', 'info', 'warn', 'error'];

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export const isLoopback = (host: string): boolean => /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i.test(host);

const formatSummary = (s: DaySummary): string =>
  `${s.date} ${s.status} objects=${s.objects} lines=${s.lines} telegram=${s.rows.telegram} events=${s.rows.telegram_events} duplicates=${s.duplicates} quarantined=${s.quarantined} ${s.ms}ms`;

function numberOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`invalid ${name} ${value}: expected a number from ${min} to ${max}`);
  return n;
}

/** Options as declared in cli/registry.ts. */
interface Values {
  data: string;
  host: string;
  port: string;
  'allowed-chat-ids'?: string;
  'utc-offset'?: string;
  lookback: string;
  demo: boolean;
  'no-timer': boolean;
  'log-level'?: string;
  'log-format'?: string;
  'log-requests': boolean;
  durability: string;
  'buffer-mib'?: string;
  'buffer-seconds'?: string;
  'fail-rate'?: string;
  'api-base'?: string;
}

export async function run(options: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  const port = numberOption(values.port, '--port', 0, 65535)!;
  if (!Number.isInteger(port)) throw new UsageError(`invalid --port ${values.port}`);
  const lookback = numberOption(values.lookback, '--lookback', 0, 366)!;
  const failRate = numberOption(values['fail-rate'], '--fail-rate', 0, 1);
  const bufferMib = numberOption(values['buffer-mib'], '--buffer-mib', 1, 1024);
  const bufferSeconds = numberOption(values['buffer-seconds'], '--buffer-seconds', 1, 3600);
  if (values.durability !== 'disk' && values.durability !== 'process') throw new UsageError(`invalid --durability ${values.durability}: disk or process`);
  const level = (values['log-requests'] ? 'debug' : (values['log-level'] || io.env.LOG_LEVEL || 'info')) as LogLevel;
  if (!LEVELS.includes(level)) throw new UsageError(`invalid --log-level ${level}: ${LEVELS.join(', ')}`);
  let config;
  try {
    config = loadConfig(io.env, { allowedChatIds: values['allowed-chat-ids'], utcOffset: values['utc-offset'] });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  const stores = localStores(values.data);
  // A person at a terminal reads lines; a pipe or a log collector gets JSON lines (--log-format overrides).
  const format = (values['log-format'] ?? (io.isTTY?.stderr ? 'pretty' : 'json')) as 'pretty' | 'json';
  const logger = cliLogger('tgpipe-serve', level, io, { format });
  // Before anything is written: a busy port, or another server on this folder, is said and nothing changes.
  await checkPortFree(values.host, port);
  await mkdir(stores.dataDir, { recursive: true });
  const lock = lockDataFolder(stores.dataDir);
  if (lock.staleFrom !== undefined) logger.warn('took over the lock of a server that is gone', { event: 'stale_lock', pid: lock.staleFrom });
  const chats = new ChatTally(stores.dataDir, { flushEveryMs: 5_000 });
  const { secret, source, created } = await loadOrCreateSecret(stores.dataDir, config.webhookSecret);
  // Beyond loopback the report (member names and ids) is protected by a token; on loopback only if one is set.
  const exposed = !isLoopback(values.host);
  const pageToken = exposed || io.env.TGPIPE_PAGE_TOKEN ? await loadOrCreatePageToken(stores.dataDir, io.env.TGPIPE_PAGE_TOKEN || undefined) : undefined;
  if (exposed) {
    logger.warn(`listening on ${values.host}: reachable from the network; the report at / asks for the page token, /webhook for its secret, /healthz shows counters only`, {
      event: 'exposed',
      host: values.host,
      page_token: pageToken!.source,
    });
  }
  const privacy = await localPrivacy(stores.dataDir, config.dataMode, { env: io.env, onError: (e) => logger.error('cannot read the opt-out list: keeping the last one read', { event: 'optout_unreadable', error: e.message }) });
  try {
    const recovery = await recoverLocalFirehose(stores.raw.root);
    for (const r of recovery.repaired) logger.warn('cut a torn trailing append (never acknowledged) off a raw object after a crash', { event: 'raw_repaired', path: r.path, bytes: r.cutBytes });
  } catch (error) {
    // A full disk or a read-only folder must not keep the server down: the sink tries again before its
    // first append and answers 503 (Telegram retries) until it can.
    logger.warn('could not check the raw objects a crashed writer left (retried before the first append)', { event: 'raw_recovery_failed', error: (error as Error).message });
  }
  const sink = new LocalFirehose(stores.raw.root, {
    durability: values.durability as Durability,
    failRate,
    maxObjectBytes: bufferMib === undefined ? undefined : Math.round(bufferMib * 1024 * 1024),
    maxObjectAgeMs: bufferSeconds === undefined ? undefined : bufferSeconds * 1000,
    onWarning: (message, fields) => logger.warn(message, fields),
  });
  // Readers in this process see only acknowledged members of the objects being written.
  const enrichDeps: EnrichDeps = { raw: sink.committedView(stores.raw), enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root, privacy: { mode: privacy.mode, pseudonymize: privacy.pseudonymize } };

  if (values.demo) {
    const demo = await import('../../local/demo');
    if (config.allowedChatIds.size === 0) config = { ...config, allowedChatIds: new Set([demo.DEMO_CHAT_ID]) };
    // The demo group goes in whatever the allow-list says (the server keeps the configured one).
    const demoDeps: WebhookDeps = { secret, allowedChatIds: new Set([...config.allowedChatIds, demo.DEMO_CHAT_ID]), utcOffsetMinutes: config.utcOffsetMinutes, sink, logger, privacy: privacy.webhook };
    let stored: IngestCounts | undefined;
    const result = await demo.ensureDemoData(
      stores.dataDir,
      async (updates) => {
        stored = await ingestUpdates(updates, demoDeps);
      },
      { offsetMinutes: config.utcOffsetMinutes },
    );
    if (result.generated) {
      if (!stored || stored.accepted !== result.updates) {
        throw new Error(`demo: only ${stored?.accepted ?? 0} of ${result.updates} generated updates were stored (${stored?.ignored ?? 0} ignored, ${stored?.failed ?? 0} failed)`);
      }
      io.stdout(`demo: generated ${result.updates} updates for the DEMO group (chat ${demo.DEMO_CHAT_ID}); enriching ${result.days.length} days...\n`);
      const { enrichDay } = await import('../../core/enrich');
      for (const day of result.days) await enrichDay(day, enrichDeps, { force: true });
    }
  }

  // The dashboard at GET /: built now and after each enrichment, never per request.
  const { livePage } = await import('../../dashboard/build/live');
  const { DuckDbEngine } = await import('../../adapters/local/duckdb-engine');
  const dashboard = livePage({
    timeZone: config.utcOffset,
    openEngine: () => DuckDbEngine.open(stores.dataDir),
    onError: (e) => logger.error('dashboard build failed', { event: 'dashboard_failed', error: e.message }),
    onBuilt: (ms, bytes) => logger.info('dashboard built', { event: 'dashboard_built', ms, bytes }),
  });
  void dashboard.rebuild();
  const running = await startServer(
    {
      config,
      secret,
      sink,
      logger,
      privacy: privacy.webhook,
      logRequests: level === 'debug',
      page: async () => dashboard.current(),
      health: () => ({ storage: sink.storage(), sink: sink.stats }),
      onResult: (r) => chats.add(r),
      pageToken: pageToken?.secret,
    },
    values.host,
    port,
  );

  const timer: DailyTimer | undefined = values['no-timer']
    ? undefined
    : startDailyTimer({
        deps: enrichDeps,
        // The daily run also deletes days past their retention (RETENTION_*_DAYS; README, Privacy).
        enrich: async (date, lookbackDays, deps) => {
          const { enrichWithLookback } = await import('../../core/enrich');
          const days = await enrichWithLookback(date, lookbackDays, deps);
          const { applyRetention, retentionFromEnv } = await import('../../core/privacy/retention');
          const retention = retentionFromEnv(io.env);
          if (retention.rawDays || retention.enrichedDays || retention.quarantineDays) {
            const { addDays } = await import('../../core/context-date');
            const r = await applyRetention(addDays(date, 1), retention, { raw: stores.raw, enriched: stores.enriched });
            logger.info('retention applied', { event: 'retention', kept_from: r.kept_from, raw_days: r.deleted.raw_days.length, enriched_days: r.deleted.enriched_days.length, error_objects: r.deleted.error_objects });
          }
          return days;
        },
        offsetMinutes: config.utcOffsetMinutes,
        lookbackDays: lookback,
        onRun: (days) => {
          const built = days.filter((d) => d.status === 'built');
          built.forEach((d) => io.stdout(`enrich: ${formatSummary(d)}\n`));
          if (built.length) void dashboard.rebuild();
        },
        onError: (e) => logger.error('daily enrichment failed (it runs again at the next midnight; or run tgpipe enrich)', { event: 'enrich_failed', error: e.message }),
      });

  // A laptop has no public URL: with a bot token, long-poll getUpdates through the same path instead.
  const polling = new AbortController();
  const token = io.env.TELEGRAM_BOT_TOKEN;
  let poller: Promise<number> | undefined;
  if (token) {
    const webhookDeps: WebhookDeps = { secret, allowedChatIds: config.allowedChatIds, utcOffsetMinutes: config.utcOffsetMinutes, sink, logger, privacy: privacy.webhook };
    poller = pollUpdates(
      {
        token,
        apiBase: values['api-base'] ?? io.env.TELEGRAM_API_BASE ?? 'https://api.telegram.org',
        dataDir: stores.dataDir,
        allowedUpdates: ALL_UPDATE_KINDS,
        logger,
        store: async (bodies) => {
          const counts = await ingestUpdates(bodies, webhookDeps, (r) => chats.add(r)); // as webhook deliveries are: no-chat kinds counted
          if (counts.failed > 0) throw new Error(`${counts.failed} of ${bodies.length} updates not stored`);
        },
      },
      polling.signal,
    ).catch((error) => {
      logger.error('long polling stopped', { error: (error as Error).message });
      return 0;
    });
  }
  // With a bot token, the member count of every allowed chat once a day (the dashboard's Members view).
  let sampler: MemberCountSampler | undefined;
  if (token) {
    try {
      sampler = startMemberCountSampler({
        token,
        apiBase: values['api-base'] ?? io.env.TELEGRAM_API_BASE ?? 'https://api.telegram.org',
        chatIds: config.allowedChatIds,
        zone: config.utcOffsetMinutes,
        sink,
        logger,
      });
    } catch (error) {
      logger.error('member-count sampling off', { event: 'member_count_off', error: (error as Error).message });
    }
  }

  io.stdout(
    [
      `tgpipe serve: listening on ${running.url}${token ? ' (and long-polling getUpdates, member counts sampled daily: TELEGRAM_BOT_TOKEN is set)' : ''}`,
      `  webhook:    POST ${running.url}/webhook  (header X-Telegram-Bot-Api-Secret-Token)`,
      `  secret:     ${source === 'TELEGRAM_WEBHOOK_SECRET' ? 'from TELEGRAM_WEBHOOK_SECRET' : `${created ? 'generated into' : 'kept in'} ${source} (mode 0600; never printed)`}`,
      `  report:     ${running.url}/${pageToken ? `  (page token ${pageToken.source === 'TGPIPE_PAGE_TOKEN' ? 'from TGPIPE_PAGE_TOKEN' : `in ${pageToken.source}`}: basic auth, any user name, the token as the password)` : ''}`,
      ...(exposed ? [`  WARNING:    listening on ${values.host}, reachable from the network: the report shows member names and ids (protected by the page token)`] : []),
      `  data:       ${stores.dataDir}  (durability: ${sink.durability}${failRate ? `, failing ${failRate * 100}% of appends` : ''})`,
      `  chats:      ${config.allowedChatIds.size ? [...config.allowedChatIds].join(', ') : '(none allowed: every update is answered 200 and dropped; set ALLOWED_CHAT_IDS)'}`,
      `  offset:     ${config.utcOffset}${timer ? `; enrichment of D-1 at start-up and after each midnight, look-back ${lookback} days` : '; daily enrichment off'}`,
      '',
    ].join('\n'),
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  io.stdout(`tgpipe serve: ${signal}: finishing requests in flight and closing the raw objects\n`);
  // A second signal does not wait.
  const again = () => process.exit(130);
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  polling.abort();
  await sampler?.stop();
  // An enrichment in progress is not waited for: it writes each day by rename, and re-runs at the next start.
  void timer?.stop();
  await running.close();
  privacy.stop();
  await poller;
  await sink.close();
  await chats.close();
  lock.release();
  const outcomes = Object.entries(running.outcomes).map(([k, v]) => `${k}=${v}`).join(' ');
  io.stdout(`tgpipe serve: closed${outcomes ? ` (${outcomes})` : ''}\n`);
  process.off('SIGINT', again);
  process.off('SIGTERM', again);
  // Everything acknowledged is closed and synced: nothing left (an enrichment, the report engine) holds the exit.
  setTimeout(() => process.exit(0), 500).unref();
  return 0;
}

