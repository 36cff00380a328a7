/** `tgpipe serve`: the whole local pipeline: webhook server, local Firehose, daily enrichment, report page. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../core/config';
import { enrichDay } from '../../core/enrich';
import { createLogger } from '../../core/log';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { LocalFirehose, repairObjects } from '../../adapters/local/local-firehose';
import { ALL_UPDATE_KINDS } from '../../core/update-kinds';
import { startDailyTimer } from '../../local/daily-timer';
import { pollUpdates } from '../../local/poller';
import { ingestUpdates } from '../../local/ingest';
import { loadOrCreateSecret } from '../../local/secret-store';
import { startServer } from '../../local/server';
import { DATA_OPTION, parseCommandArgs, UsageError, type Command } from '../command';
import { formatSummary } from './enrich';

const HELP = `Usage: tgpipe serve [--data DIR] [--host H] [--port N] [--allowed-chat-ids IDS] [--utc-offset ±HH:MM] [--demo] [--no-timer]

Runs the local pipeline: POST /webhook on the host and port with the Lambda's checks and answers, the
local Firehose stand-in writing gzip JSON lines under DIR/raw/, the daily enrichment (D-1 with look-back,
at start-up and after each midnight in the offset) writing Parquet under DIR/enriched/, and the report
at GET /.

Options:
  --data DIR              data folder (default ./data, or TGPIPE_DATA)
  --host H                address to bind (default 127.0.0.1)
  --port N                port (default 8080; 0 picks a free one and prints it)
  --allowed-chat-ids IDS  comma-separated chat ids to keep (default ALLOWED_CHAT_IDS)
  --utc-offset OFFSET     day boundary offset (default CONTEXT_UTC_OFFSET or -03:00)
  --lookback N            days the daily enrichment re-checks (default 2)
  --demo                  with no data yet, generate a clearly marked demo group first
  --no-timer              do not run the daily enrichment
  --log-requests          one log line per request (off by default, for speed)
  --api-base URL          Telegram Bot API base URL for long polling (default https://api.telegram.org)

The webhook secret is TELEGRAM_WEBHOOK_SECRET, else one generated and kept in DIR/.secret.
With TELEGRAM_BOT_TOKEN set, it also long-polls getUpdates (offset kept in DIR/.offset, advanced only
after the updates are stored; base URL --api-base or TELEGRAM_API_BASE), for a laptop with no public URL.
Telegram refuses getUpdates while a webhook is set: delete the webhook first.
`;

export const command: Command = {
  name: 'serve',
  summary: 'run the local pipeline: webhook server, local Firehose, daily enrichment, report page',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      ...DATA_OPTION,
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      'allowed-chat-ids': { type: 'string' },
      'utc-offset': { type: 'string' },
      lookback: { type: 'string', default: '2' },
      demo: { type: 'boolean', default: false },
      'no-timer': { type: 'boolean', default: false },
      'log-requests': { type: 'boolean', default: false },
      'fail-rate': { type: 'string' },
      'api-base': { type: 'string' },
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid --port ${values.port}`);
    let config = loadConfig(io.env, { allowedChatIds: values['allowed-chat-ids'], utcOffset: values['utc-offset'] });
    const stores = localStores(values.data);
    const logger = createLogger({ service: 'serve', write: (l) => process.stderr.write(l) });
    const { secret, source } = await loadOrCreateSecret(stores.dataDir, config.webhookSecret);
    const repaired = await repairObjects(stores.raw.root);
    if (repaired.repaired.length > 0) logger.warn('cut torn trailing appends off after a crash', { files: repaired.repaired.length });
    const sink = new LocalFirehose(stores.raw.root, { failRate: values['fail-rate'] ? Number(values['fail-rate']) : undefined });
    const enrichDeps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root };

    if (values.demo) {
      const demo = await import('../../local/demo');
      if (config.allowedChatIds.size === 0) config = { ...config, allowedChatIds: new Set([demo.DEMO_CHAT_ID]) };
      const webhookDeps = { secret, allowedChatIds: config.allowedChatIds, utcOffsetMinutes: config.utcOffsetMinutes, sink, logger };
      const result = await demo.ensureDemoData(stores.dataDir, (updates) => ingestUpdates(updates, webhookDeps), { offsetMinutes: config.utcOffsetMinutes });
      if (result.generated) {
        io.stdout(`demo: generated ${result.updates} updates for the DEMO group (chat ${demo.DEMO_CHAT_ID}); enriching ${result.days.length} days...\n`);
        for (const day of result.days) await enrichDay(day, enrichDeps, { force: true });
      }
    }

    const reportModule = existsSync(join(import.meta.dirname, '../../local/report-html.ts')) ? await import('../../local/report-html') : undefined;
    const running = await startServer(
      { config, secret, sink, logger, logRequests: values['log-requests'], page: reportModule ? () => reportModule.renderReportPage(stores.dataDir, { utcOffset: config.utcOffset }) : undefined },
      values.host,
      port,
    );
    const stopTimer = values['no-timer']
      ? () => {}
      : startDailyTimer(enrichDeps, config.utcOffsetMinutes, Number(values.lookback), (days) => days.filter((d) => d.status === 'built').forEach((d) => io.stdout(`enrich: ${formatSummary(d)}\n`)), (e) => logger.error('daily enrichment failed', { error: e.message }));

    // A laptop has no public URL: with a bot token, long-poll getUpdates through the same path instead.
    const polling = new AbortController();
    const token = io.env.TELEGRAM_BOT_TOKEN;
    if (token) {
      const webhookDeps = { secret, allowedChatIds: config.allowedChatIds, utcOffsetMinutes: config.utcOffsetMinutes, sink, logger };
      void pollUpdates(
        {
          token,
          apiBase: values['api-base'] ?? io.env.TELEGRAM_API_BASE ?? 'https://api.telegram.org',
          dataDir: stores.dataDir,
          allowedUpdates: ALL_UPDATE_KINDS,
          logger,
          store: async (bodies) => {
            const counts = await ingestUpdates(bodies, webhookDeps);
            if (counts.failed > 0) throw new Error(`${counts.failed} updates not stored`);
          },
        },
        polling.signal,
      );
    }
    io.stdout(
      [
        `tgpipe serve: listening on ${running.url}${token ? ' (and long-polling getUpdates: TELEGRAM_BOT_TOKEN is set)' : ''}`,
        `  webhook:  POST ${running.url}/webhook (header X-Telegram-Bot-Api-Secret-Token; secret from ${source})`,
        `  report:   ${running.url}/`,
        `  data:     ${stores.dataDir}`,
        `  chats:    ${config.allowedChatIds.size ? [...config.allowedChatIds].join(', ') : '(none allowed: set ALLOWED_CHAT_IDS)'}`,
        `  offset:   ${config.utcOffset}`,
        '',
      ].join('\n'),
    );

    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        io.stdout(`tgpipe serve: ${signal}, closing\n`);
        stopTimer();
        polling.abort();
        running.close().then(resolve, resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  },
};
