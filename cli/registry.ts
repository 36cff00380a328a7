/**
 * Every `tgpipe` sub-command: name, help and options (commander builds the usage lines and --help from
 * them, so a usage line never leaves out an option). Nothing heavy is imported here: each command's code
 * is loaded only when it runs, which keeps `tgpipe --help` and `--version` fast.
 */
import { DEFAULT_SHARE, FIREHOSE_DEFAULT_QUOTA } from '../core/replay/rate-limiter';
import { DEFAULT_RETRY_POLICY } from '../core/replay/retry-policy';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_STACK_NAME } from './defaults';
import { rawTable } from '../schemas/raw';
import { ENRICHED_TABLES } from '../schemas';
import type { CommandSpec, OptionSpec } from './spec';

const DEFAULT_DATA = process.env.TGPIPE_DATA || 'data';

export const DATA: OptionSpec = { flags: '-d, --data <dir>', description: 'data folder (TGPIPE_DATA sets the default)', default: DEFAULT_DATA };
const UTC_OFFSET: OptionSpec = { flags: '--utc-offset <offset>', description: 'day boundary: an offset (-03:00) or an IANA zone (Europe/Berlin) (default CONTEXT_UTC_OFFSET, else -03:00)' };
const ALLOWED: OptionSpec = { flags: '--allowed-chat-ids <ids>', description: 'comma-separated chat ids to keep (default ALLOWED_CHAT_IDS)' };
const FORMAT: OptionSpec = { flags: '-f, --format <format>', description: 'output format', default: 'table', choices: ['table', 'csv', 'json'] };
const REGION: OptionSpec = { flags: '--region <region>', description: "AWS region (default: the SDK's, e.g. AWS_REGION)" };

const serve: CommandSpec = {
  name: 'serve',
  summary: 'run the local pipeline: webhook server, local Firehose, daily enrichment, dashboard',
  description: `Runs the local pipeline: POST /webhook with the Lambda's checks and answers, the local Firehose
stand-in writing gzip JSON lines under DIR/raw/telegram/context_date=D/, the daily enrichment (D-1 with
look-back, at start-up and shortly after each midnight in the offset) writing Parquet under
DIR/enriched/, the dashboard at GET / (built at start and after each enrichment), counters at GET /healthz.`,
  options: [
    DATA,
    { flags: '--host <host>', description: 'address to bind; any other than loopback (e.g. 0.0.0.0) is reachable from the network: the server warns, and the report at / asks for the page token (basic auth, any user name, the token as the password: TGPIPE_PAGE_TOKEN or one generated into DIR/.page-token, mode 0600); /healthz shows counters only', default: '127.0.0.1' },
    { flags: '-p, --port <port>', description: 'port (0 picks a free one; the bound URL is printed)', default: '8080' },
    ALLOWED,
    UTC_OFFSET,
    { flags: '--lookback <days>', description: 'earlier days the daily enrichment re-checks', default: '2' },
    { flags: '--demo', description: 'with no data yet, generate a clearly marked demo group first (npm start)' },
    { flags: '--no-timer', description: 'no daily enrichment' },
    { flags: '--log-level <level>', description: 'debug (one line per request), info (default, or LOG_LEVEL), warn, error', choices: ['debug', 'info', 'warn', 'error'] },
    { flags: '--log-format <format>', description: 'pretty (readable lines, the default in a terminal) or json (the default otherwise)', choices: ['pretty', 'json'] },
    { flags: '--log-requests', description: 'same as --log-level debug', hidden: true },
    { flags: '--durability <mode>', description: 'process or disk (see below)', default: 'process', choices: ['process', 'disk'] },
    { flags: '--buffer-mib <n>', description: 'start a new raw object after N MiB of lines (default 64, as Firehose)' },
    { flags: '--buffer-seconds <n>', description: 'start a new raw object after N seconds (default 60)' },
    { flags: '--api-base <url>', description: 'Bot API base URL for long polling (default https://api.telegram.org, or TELEGRAM_API_BASE)' },
    { flags: '--fail-rate <r>', description: 'fault injection for drills: fail this share of appends (answered 503)' },
  ],
  after: `
Durability: process (default): each answered update is in the raw object (in the OS) before the
answer, so it survives a crash or SIGKILL of the server; the objects are fdatasync'd every second, so a
power cut can lose the last second. disk: on the device before the answer too (fdatasync, group
commit); a busy chat then waits for the disk on every update.

Limits: 401 for a missing secret before any body byte is read; headers within 10 s, a request
within 30 s (else 408); at most 256 connections at once.

The webhook secret is TELEGRAM_WEBHOOK_SECRET, else one generated once into DIR/.secret (mode 0600);
its value is never printed. Register it with Telegram through a public tunnel:
  tgpipe set-webhook --url https://<tunnel>/webhook --secret "$(cat DIR/.secret)" --token <bot token>
With TELEGRAM_BOT_TOKEN set, the server long-polls getUpdates instead (offset kept in DIR/.offset,
advanced only after the updates are stored); Telegram refuses getUpdates while a webhook is set.
One server per data folder: DIR/.serve.lock names the running one's PID.
SIGINT/SIGTERM: stop accepting, finish the requests in flight, flush the raw objects, exit 0.`,
  load: () => import('./commands/serve'),
};

const ingest: CommandSpec = {
  name: 'ingest',
  summary: 'store updates from files (JSON, JSON lines, arrays, getUpdates answers) in the raw layer',
  arguments: '<paths...>',
  description: `Stores Telegram updates from files in the local raw layer, through the same checks, envelope and
sink as the webhook (each update keeps its exact bytes). A file holds one update, a JSON array of
updates, JSON lines, or getUpdates answers {"ok":true,"result":[...]}; .gz files are decompressed; a
folder is read file by file. Files are streamed: memory stays bounded whatever their size.

Prints accepted / ignored (chat not allowed) / dropped with no chat, by kind (poll_answer, inline_query,
...: no group's data, dropped on every path) / rejected (not an update, not JSON, unreadable
file: each named with file:line) counts and the days to enrich next (or builds them with --enrich), and exits 1 when something was
rejected or not stored, after keeping every good update.

The allow-list applies as on the webhook. With no chat allowed (ALLOWED_CHAT_IDS unset) every update
would be dropped, so ingest refuses: pass --allowed-chat-ids, or --all-chats to keep every chat.`,
  options: [
    DATA,
    ALLOWED,
    { flags: '--all-chats', description: "keep every chat's updates" },
    UTC_OFFSET,
    { flags: '--enrich', description: 'build the enriched days the stored updates landed on, after storing them' },
  ],
  load: () => import('./commands/ingest'),
};

const enrich: CommandSpec = {
  name: 'enrich',
  summary: 'build enriched Parquet days from the raw layer (local folders)',
  description: `Builds the enriched Parquet days (telegram, telegram_events) from the raw layer of the data folder:
reads every raw object of the day, drops duplicate update_ids, quarantines bad records under
_quarantine/, and writes one file per table and day. A day whose raw objects did not change since its
last build is skipped unless --force is given; its line then says what the day holds, as its last
build counted it (from the day's manifest). Records that cannot be read are counted and kept
under _quarantine/; the day's other records are still written. Updates with no chat (poll_answer,
inline_query, ...) are dropped and named by kind (no_chat=N (...)), as on the webhook.`,
  options: [
    DATA,
    { flags: '--date <day>', description: 'one day (YYYY-MM-DD)' },
    { flags: '--from <day>', description: 'first day of an inclusive range, built one day at a time' },
    { flags: '--to <day>', description: 'last day of the range' },
    { flags: '--force', description: 'rebuild even unchanged days' },
    { flags: '-q, --quiet', description: 'print only the totals' },
  ],
  load: () => import('./commands/enrich'),
};

/** Where `--target aws` runs SQL: the stack's Athena workgroup and Glue database (outputs), or flags. */
const STACK: OptionSpec = { flags: '--stack <name>', description: `(aws) CloudFormation stack name (default ${DEFAULT_STACK_NAME}, or TGPIPE_STACK)` };
const READ_TARGET: OptionSpec = { flags: '--target <target>', description: 'local (the data folder, DuckDB) or aws (Athena in the stack\'s workgroup)', default: 'local', choices: ['local', 'aws'] };
const ATHENA: OptionSpec[] = [
  READ_TARGET,
  STACK,
  REGION,
  { flags: '--workgroup <name>', description: "(aws) Athena workgroup (default ATHENA_WORKGROUP, else the stack's AthenaWorkGroup output)" },
  { flags: '--database <name>', description: "(aws) Glue database (default GLUE_DATABASE, else the stack's GlueDatabase output)" },
];

const query: CommandSpec = {
  name: 'query',
  summary: 'run a named report or any SQL on the local tables (DuckDB answering as Athena)',
  arguments: '[name]',
  description: `Runs a report from reports/ (see --list) or any SQL over the tables ${[...ENRICHED_TABLES.map((t) => t.name), rawTable.name].join(', ')} of the data folder on the local engine: DuckDB with Athena's functions and answers, so the
same SQL runs unchanged on Athena (engine v3). SQL the local engine would answer differently from Athena
is refused with an explanation rather than answered. One statement per query.

--target aws runs it on Athena instead, in the stack's workgroup and database: the rows on stdout, and
after each query, on stderr, the data it scanned and its cost ($5 per TB, at least 10 MB a query).`,
  options: [
    { flags: '--sql <sql>', description: 'the query to run' },
    { flags: '--file <file>', description: 'a file holding the query' },
    { flags: '-l, --list', description: 'list the reports (name and title)' },
    DATA,
    FORMAT,
    { flags: '--utc-offset <offset>', description: 'offset or IANA zone for ${time_zone} and ${utc_offset_seconds} in reports (default CONTEXT_UTC_OFFSET, -03:00)' },
    { flags: '--explain', description: 'print the DuckDB SQL the query is translated to, and do not run it' },
    ...ATHENA,
  ],
  after: `
Examples:
  tgpipe query --list
  tgpipe query messages_per_day
  tgpipe query --sql "SELECT context_date, count(1) AS n FROM telegram GROUP BY 1 ORDER BY 1" -f csv
  tgpipe query messages_per_day --target aws                     (the stack TelegramPipeline's Athena)
  tgpipe query --target aws --stack Prod --region eu-west-1 --sql "SELECT count(1) AS n FROM telegram"
  tgpipe query --target aws --workgroup wg --database db messages_per_user -f json`,
  load: () => import('./commands/query'),
};

const report: CommandSpec = {
  name: 'report',
  summary: 'write the dashboard as one self-contained HTML file (opens offline)',
  description: `Builds the analytics dashboard from the data folder on the local engine (DuckDB answering Athena's
SQL) and writes it as one HTML file: code, styles and the pre-aggregated data inline, so it opens offline
and can be mailed around. Filters (period, chat, member), views, language and theme work in the file
itself. Data of the generated demo group is marked DEMO.

--target aws builds the same dashboard from Athena (the stack's workgroup and database): each
statement's scan and cost on stderr, then their sum.`,
  options: [
    DATA,
    { flags: '-o, --out <file>', description: 'output file (default DIR/report.html; required with --target aws)' },
    { flags: '--utc-offset <zone>', description: 'zone of the hour and weekday views: an offset (-03:00) or an IANA zone (Europe/Berlin); default CONTEXT_UTC_OFFSET, else -03:00' },
    ...ATHENA,
  ],
  after: `
Examples:
  tgpipe report                                   (DIR/report.html from the data folder)
  tgpipe report --target aws --out report.html    (from the stack's Athena)
  tgpipe report --target aws --stack Prod --region eu-west-1 -o prod.html`,
  load: () => import('./commands/report'),
};

const REPLAY_RANGE: OptionSpec[] = [
  { flags: '--from <day>', description: 'first day of the inclusive range (YYYY-MM-DD)' },
  { flags: '--to <day>', description: 'last day of the range' },
];
const TARGET: OptionSpec = { flags: '--target <target>', description: 'the local data folder or AWS', default: 'local', choices: ['local', 'aws'] };

const replayStream: CommandSpec = {
  name: 'stream',
  summary: "put raw objects, Firehose's error output or a file of unsent lines back onto the stream",
  description: `Puts records back onto the stream, one day at a time:
  --source raw     the raw objects of each day, telegram/context_date=D/ (envelopes go as
                   they are and keep their context_date; bare updates of the original
                   pipeline are wrapped, received_at = when the object was written)
  --source errors  Firehose's error output, errors/<type>/date=D/ (D is the ARRIVAL date;
                   rawData is decoded, and each record lands on its own context_date)
  --source file    a file of lines not sent by an earlier replay (--file F)

PutRecordBatch within its limits (500 records, 4 MiB per call, 1,000 KiB per record); only failed
entries are re-sent, with exponential backoff and full jitter; rate-limited to a share of the stream's
quota so live webhooks keep working. Records that are not updates or are over 1,000 KiB are skipped and
listed (they stay in their objects). When records cannot be sent within the retry budget (or on
Ctrl-C), the replay stops, writes what it read but did not send to a file (a record of them: the
resumption sends them again), exits 1 and prints the command to resume. Safe to re-run: enrichment
keeps one row per update_id.`,
  options: [
    ...REPLAY_RANGE,
    { flags: '--source <source>', description: 'what to replay', default: 'raw', choices: ['raw', 'errors', 'file'] },
    { flags: '--file <file>', description: '(--source file) the lines to send, e.g. a replay-unsent-*.jsonl file' },
    { flags: '--listed-before <time>', description: "resume a replay: its first run's start (ISO, printed at the stop); objects written after it are left out" },
    { flags: '--resume-after <key:line>', description: 'resume the --from day after line LINE (from 1) of object KEY (with --source file, KEY is the file name)' },
    TARGET,
    DATA,
    { flags: '--source-dir <dir>', description: '(local) read raw/error objects from this folder, laid out like the bucket, instead of DIR/raw' },
    { flags: '--dry-run', description: 'read and count what would be sent; send nothing' },
    { flags: '--quota-records <n>', description: "the stream's Direct PUT quota, records/s", default: String(FIREHOSE_DEFAULT_QUOTA.recordsPerSecond) },
    { flags: '--quota-bytes <n>', description: '... bytes/s', default: String(FIREHOSE_DEFAULT_QUOTA.bytesPerSecond) },
    { flags: '--quota-requests <n>', description: '... requests/s', default: String(FIREHOSE_DEFAULT_QUOTA.requestsPerSecond) },
    { flags: '--share <f>', description: 'share of the quota the replay may use, 0 < F <= 1', default: String(DEFAULT_SHARE) },
    { flags: '--rate <n>', description: 'at most N records/s (also applies to --target local)' },
    { flags: '--max-attempts <n>', description: 'attempts per record before the replay stops', default: String(DEFAULT_RETRY_POLICY.maxAttempts) },
    { flags: '--unsent-file <file>', description: 'where records not sent are written (default ./replay-unsent-<from>-<to>-<time>.jsonl)' },
    { flags: '--bucket <name>', description: '(aws) the raw bucket to read' },
    { flags: '--stream <name>', description: '(aws) the Firehose delivery stream' },
    REGION,
  ],
  after: `
The quota defaults are Firehose's smaller regional quota; us-east-1, us-west-2 and eu-west-1 have
500000 records/s, 5242880 bytes/s, 2000 requests/s.
Snapshot: a replay only considers objects written no later than its first run's start (--listed-before,
printed at a stop); objects written after it, e.g. what Firehose made of the replay's own records in the
same day folder, are left out and counted.
Resume: objects are replayed in key order; after a stop, --resume-after KEY:LINE continues the first day
after line LINE of object KEY: every record up to there was acknowledged by the stream. --resume-after
needs --listed-before for raw and errors. A KEY that is no longer there (or was rewritten, or has fewer
lines) stops the replay before anything is sent, exit 3.

Exit status: 0 done; 1 something was not sent (named on stderr, with the command to resume); 2 bad
usage; 3 the resume position does not fit the objects (nothing was sent).`,
  load: () => import('./commands/replay').then((m) => ({ run: m.runStream })),
};

const replayEnrich: CommandSpec = {
  name: 'enrich',
  summary: 'rebuild enriched days from the raw layer and re-register their partitions',
  description: `Rebuilds the enriched days (telegram, telegram_events) from the raw layer and re-registers their
partitions, a few days at a time, earliest first and never two adjacent days at once (a day's build
checks its neighbours' manifests for updates redelivered across midnight). Safe to re-run.

--catalog-only registers the partitions of the range's built days (every day whose Parquet file is there)
and rebuilds nothing: for a catalog that lost them (a dropped partition, a recreated table, a new stack
over kept or copied buckets). Idempotent; any range length (a listing and one statement per 100 days).`,
  options: [
    ...REPLAY_RANGE,
    TARGET,
    DATA,
    { flags: '--catalog-only', description: 'register the partitions of the days already built; rebuild nothing' },
    { flags: '--concurrency <n>', description: 'days at once, never two adjacent ones (default 2 local, 4 aws)' },
    { flags: '--function <name>', description: '(aws) the enrichment Lambda, invoked with {"date": D} per day (default ENRICHMENT_FUNCTION_NAME)' },
    { flags: '--in-process', description: '(aws) run the enrichment here against S3 and Athena instead of invoking the Lambda' },
    { flags: '--bucket <name>', description: '(aws --in-process) the raw bucket (or RAW_BUCKET)' },
    { flags: '--enriched-bucket <name>', description: '(aws --in-process) the enriched bucket (or ENRICHED_BUCKET)' },
    { flags: '--workgroup <name>', description: '(aws --in-process) the Athena workgroup (or ATHENA_WORKGROUP)' },
    { flags: '--database <name>', description: '(aws --in-process) the Glue database (or GLUE_DATABASE)' },
    REGION,
  ],
  after: `
Exit status: 0 done; 1 a day failed (named on stderr, with the command to re-run); 2 bad usage.`,
  load: () => import('./commands/replay').then((m) => ({ run: m.runEnrich })),
};

const replay: CommandSpec = {
  name: 'replay',
  summary: 'reprocess: raw objects or Firehose error output back onto the stream; rebuild enriched days',
  subcommands: [replayStream, replayEnrich],
};

const setWebhook: CommandSpec = {
  name: 'set-webhook',
  summary: 'register the deployed webhook with Telegram (setWebhook), then show getWebhookInfo',
  description: `Registers the deployed webhook with Telegram (setWebhook), then prints getWebhookInfo.
By default everything comes from the stack: its WebhookUrl output, and the secrets named by its
WebhookSecretArn and BotTokenSecretArn outputs. Flags override each value.`,
  options: [
    { flags: '--stack <name>', description: `CloudFormation stack name (default ${DEFAULT_STACK_NAME}, or TGPIPE_STACK)` },
    REGION,
    { flags: '--url <url>', description: "webhook URL (https) instead of the stack's WebhookUrl output" },
    { flags: '--secret <token>', description: "webhook secret token (1-256 of A-Z a-z 0-9 _ -) instead of the stack's secret" },
    { flags: '--token <token>', description: "bot token (or TELEGRAM_BOT_TOKEN) instead of the stack's bot-token secret" },
    { flags: '--max-connections <n>', description: `Telegram's simultaneous connections, 1-100 (default: the stack's MaxConnections output, else ${DEFAULT_MAX_CONNECTIONS})` },
    { flags: '--drop-pending-updates', description: 'drop the updates Telegram holds for the bot' },
    { flags: '--api-base <url>', description: 'Bot API base URL (default https://api.telegram.org, or TELEGRAM_API_BASE)' },
  ],
  after: `
allowed_updates lists every update kind the pipeline knows (an empty list would omit chat_member,
message_reaction and message_reaction_count). Neither the token nor the secret is ever printed.`,
  load: () => import('./commands/set-webhook'),
};

const importCommand: CommandSpec = {
  name: 'import',
  summary: "import a group's history from Telegram Desktop's export (result.json, its folder, or a .zip)",
  arguments: '<files...>',
  description: `Imports the history of a group from Telegram Desktop's export (Settings > Advanced > Export Telegram
data, or a chat's menu > Export chat history; format "Machine-readable JSON"): a result.json of one chat
or of a whole account, the export's folder, or a .zip of it. Each message becomes an \`export\` record in
the raw layer (one object per chat and day), read by the enrichment into the same tables as the bot's
updates with source = 'export'. A message the bot also received counts once (the live one wins), and
importing the same file again changes nothing.

Which chats: --chat (Bot API ids, e.g. -1001234567890), else ALLOWED_CHAT_IDS when set, else every
group, supergroup and channel of the export (left ones too); private chats only with --all-chats.

A damaged or truncated file: everything before the damage is stored, the damage's byte offset, line and
column are printed, and the exit code is 1. Then build the days it prints (or pass --enrich).`,
  options: [
    DATA,
    { flags: '--target <target>', description: 'where the raw layer is: the data folder, or the raw bucket (written directly to S3)', default: 'local', choices: ['local', 'aws'] },
    { flags: '--bucket <name>', description: '(aws) the raw bucket (stack output RawBucketName)' },
    REGION,
    { flags: '--chat <ids>', description: 'comma-separated chat ids to import' },
    { flags: '--all-chats', description: 'every chat of the export, private chats too' },
    { flags: '--migrated-from <id>', description: "the basic group (-123...) a supergroup was migrated from: its old history (ids shifted by -1,000,000,000 in the export) is stored under that id (default, locally: the id the data folder's migration messages give, if any)" },
    { flags: '--utc-offset <offset>', description: "day boundary offset (default CONTEXT_UTC_OFFSET, else -03:00): use the webhook's" },
    { flags: '--enrich', description: '(local) build the days afterwards' },
    { flags: '-q, --quiet', description: 'no progress line' },
  ],
  after: `
Examples:
  tgpipe import ChatExport_2026-03-20/result.json --enrich
  tgpipe import DataExport.zip --chat -1001234567890
  tgpipe import result.json --target aws --bucket <RawBucketName>   then: tgpipe replay enrich --target aws ...`,
  load: () => import('./commands/import'),
};


const chats: CommandSpec = {
  name: 'chats',
  summary: 'list every chat the bot has heard from (stored or dropped), with the id for ALLOWED_CHAT_IDS',
  description: `Lists every chat the bot has heard from, whether its updates were stored or dropped (not in
ALLOWED_CHAT_IDS): id, type, title (groups and channels; a private chat shows its id alone), first and
last seen, updates stored and dropped, messages in the enriched tables, and whether it is allowed.
Updates with no chat at all (inline queries, poll answers, ...) are counted by kind. Kept by tgpipe serve
and tgpipe ingest in DIR/.chats.json.`,
  options: [
    DATA,
    FORMAT,
    { flags: '--allowed-chat-ids <ids>', description: "comma-separated chat ids to call allowed (default ALLOWED_CHAT_IDS; with --target aws, the webhook function's)" },
    ...ATHENA,
    { flags: '--function <name>', description: "(aws) the webhook Lambda (default: the stack's WebhookFunctionName output)" },
    { flags: '--since <days>', description: "(aws) how far back the webhook's log is searched for dropped chats", default: '30' },
  ],
  after: `
The first thing to do with a new group: add the bot, send a message, run tgpipe chats, and put the
group's id in ALLOWED_CHAT_IDS (or --allowed-chat-ids).

--target aws: stored chats from Athena (telegram, telegram_events; stored counts both tables' rows), and
dropped ones from the webhook Lambda's log group with CloudWatch Logs Insights (its request lines carry
each update's outcome and chat id; the first update of a chat not allowed logs chat_not_allowed with its
title), allowed per the deployed function's ALLOWED_CHAT_IDS (Lambda GetFunctionConfiguration). Needs
athena, glue and s3 read access, logs:StartQuery/GetQueryResults and lambda:GetFunctionConfiguration.
Logs Insights bills the log data it scans ($0.005 per GB): --since bounds it.

Examples:
  tgpipe chats
  tgpipe chats --target aws
  tgpipe chats --target aws --stack Prod --region eu-west-1 --since 7 -f json`,
  load: () => import('./commands/chats'),
};


const doctor: CommandSpec = {
  name: 'doctor',
  summary: 'check a deployment (or, with --data, the local face) stage by stage, with the fix for each problem',
  description: `Checks every stage and prints a check mark or a cross per check, with the fix under each that
did not pass. On AWS (the default), from the stack's outputs: the stack; the bot token secret (set,
never printed); Telegram's getWebhookInfo (this stack's URL, every update kind, pending updates, the
last error and its age); the ingress (httpApi or functionUrl); the account's Lambda concurrency quota
against the webhook's reservation and max_connections; the delivery stream ACTIVE; the newest raw
object of each recent day; the Glue tables' columns against schemas/; a partition for every enriched
day built; the last enrichment run and its alarms; the BotAccessLost alarm (my_chat_member); every
alarm in ALARM. Only reads (Describe, Get, List).

With --data DIR, the local face: the data folder, the webhook secret, raw days, enriched days built
(and current) for each past raw day, a stale .serve.lock, the bot token (TELEGRAM_BOT_TOKEN or
--token) and Telegram's getWebhookInfo when one is set, disk space.`,
  options: [
    { flags: '-d, --data <dir>', description: 'check the local face in this data folder instead of AWS' },
    { flags: '--stack <name>', description: `(aws) CloudFormation stack name (default ${DEFAULT_STACK_NAME}, or TGPIPE_STACK)` },
    REGION,
    { flags: '--days <n>', description: 'recent days whose raw objects and partitions are checked', default: '7' },
    { flags: '--utc-offset <offset>', description: "the days' offset (default CONTEXT_UTC_OFFSET, else -03:00): the stack's" },
    { flags: '-f, --format <format>', description: 'output format', default: 'text', choices: ['text', 'json'] },
    { flags: '--token <token>', description: '(local) bot token (default TELEGRAM_BOT_TOKEN)' },
    { flags: '--api-base <url>', description: 'Bot API base URL (default https://api.telegram.org, or TELEGRAM_API_BASE)' },
  ],
  after: `
Marks: ✓ passed, ✗ failed (with the fix), ! a warning (shown, does not fail), - not checked (its
prerequisite failed). Colours only on a terminal (NO_COLOR turns them off).

Examples:
  tgpipe doctor                                  (the stack TelegramPipeline, the SDK's region)
  tgpipe doctor --stack Prod --region eu-west-1 --days 14
  tgpipe doctor --format json | jq '.checks[] | select(.status == "fail")'
  tgpipe doctor --data data                      (the local face)

Exit status: 0 nothing failed; 1 a check failed; 2 bad usage.`,
  load: () => import('./commands/doctor'),
};

const AWS_TARGET: OptionSpec = { flags: '--target <target>', description: 'local (the data folder) or aws (the buckets)', default: 'local', choices: ['local', 'aws'] };
const AWS_STORES: OptionSpec[] = [
  { flags: '--bucket <name>', description: 'raw bucket (aws; or RAW_BUCKET)' },
  { flags: '--enriched-bucket <name>', description: 'enriched bucket (aws; or ENRICHED_BUCKET)' },
  { flags: '--workgroup <name>', description: 'Athena workgroup (aws; or ATHENA_WORKGROUP)' },
  { flags: '--database <name>', description: 'Glue database (aws; or GLUE_DATABASE)' },
  { flags: '--data-mode <mode>', description: "the deployment's data mode (aws; or DATA_MODE)", choices: ['full', 'no-text', 'pseudonymous'] },
  { flags: '--pseudonym-key-secret <arn>', description: 'the PseudonymKeySecretArn output (aws, pseudonymous mode; or PSEUDONYM_KEY_SECRET_ARN)' },
  REGION,
];

const erase: CommandSpec = {
  name: 'erase',
  summary: "remove a person's (or a chat's) messages and events from every layer",
  description: `Takes a person (--user) or a chat (--chat) out of every layer: their updates are removed from the raw
objects (rewritten atomically; on a versioned bucket the old versions are deleted) and they are taken out
of other people's updates (replies to them, joins and leaves, mentions, forwards, reactions); the
enriched days holding them are rebuilt; quarantined lines, Firehose error output, replay's unsent files
and report pages naming them are removed, Athena's query results deleted. The erasure register records
the id and the time (a pseudonym in pseudonymous mode), never data, and the enrichment, replay and
import apply it, so a replay of a backup or a re-import never brings them back.

Prints what it changed (register, raw objects and updates, days and rows, side files). Safe to run twice
or again after an interruption: it finishes what is left. Messages deleted in Telegram are never seen
by the bot, so they stay until erased like this. To stop collecting a person from now on: tgpipe optout add.`,
  options: [
    DATA,
    { flags: '--user <ids>', description: 'comma-separated user ids' },
    { flags: '--chat <ids>', description: 'comma-separated chat ids' },
    AWS_TARGET,
    ...AWS_STORES,
    { flags: '--json', description: 'also print the report as JSON' },
    { flags: '--verbose', description: 'name each object and day as it is done' },
  ],
  load: () => import('./commands/erase'),
};

const repair: CommandSpec = {
  name: 'repair',
  summary: 'rewrite damaged raw objects (truncated, corrupt, junk appended, not gzip) so the raw table reads their days',
  description: `Checks every raw object of the days and repairs the damaged ones: a gzip object cut short, with changed
bytes or with junk after its last member, or a file named .gz that is not gzip. Such an object makes the
raw table (telegram_raw, locally and in Athena) fail or read short. Each is replaced at its key by a sound
gzip object holding the lines that could be read; the original is kept at _damaged/<its key> (outside
the table folders, so no reader takes it for data) with a note of what the damage set aside. The
enrichment reads the note, so a day counts and quarantines the same before and after a repair; rebuild
the days afterwards. The enrichment itself never changes the raw layer: it reads what it can of a
damaged object, quarantines the rest and names the object in a warning.

Locally it refuses while tgpipe serve runs on the folder (stop it first). Safe to run twice.`,
  options: [
    DATA,
    { flags: '--date <date>', description: 'the day (YYYY-MM-DD)' },
    { flags: '--from <date>', description: 'first day of a range' },
    { flags: '--to <date>', description: 'last day of a range' },
    { flags: '--target <target>', description: 'the data folder, or the raw bucket', default: 'local', choices: ['local', 'aws'] },
    { flags: '--bucket <name>', description: '(aws) the raw bucket (stack output RawBucketName, or RAW_BUCKET)' },
    REGION,
    { flags: '--dry-run', description: 'only say what would be repaired' },
  ],
  after: `
Examples:
  tgpipe repair --date 2026-03-14 --dry-run
  tgpipe repair --from 2026-03-01 --to 2026-03-31 && tgpipe enrich --from 2026-03-01 --to 2026-03-31
  tgpipe repair --target aws --bucket <RawBucketName> --date 2026-03-14`,
  load: () => import('./commands/repair'),
};

const exportUser: CommandSpec = {
  name: 'export-user',
  summary: 'write everything held about a person (their rows of both tables) as JSON',
  description: `For an access request: the person's rows of telegram (messages they sent) and telegram_events (their
edits, reactions, votes, clicks, and membership changes about them), as JSON on stdout or in --out FILE
(mode 0600). In pseudonymous mode give the real id: it is turned into the pseudonym with the key.`,
  options: [DATA, { flags: '--user <id>', description: 'the user id' }, { flags: '-o, --out <file>', description: 'write the JSON here instead of stdout' }, AWS_TARGET, ...AWS_STORES],
  load: () => import('./commands/export-user'),
};

const optout: CommandSpec = {
  name: 'optout',
  summary: 'add, remove or list user ids whose updates are never stored',
  arguments: '<action> [ids...]',
  description: `action: add IDS | remove IDS | list. Opted-out people's updates are dropped at the webhook (counted as
dropped_opted_out) and they are taken out of other people's updates. Locally the list is DIR/optout.json
(tgpipe serve reads it again within 5 s); on AWS the OptOut secret (--target aws --secret
<OptOutSecretArn>; the webhook reads it again within about two minutes). Their earlier data stays until
tgpipe erase --user ID.`,
  options: [DATA, AWS_TARGET, { flags: '--secret <arn>', description: 'the OptOutSecretArn output (aws; or OPTOUT_SECRET_ARN)' }, REGION],
  load: () => import('./commands/optout'),
};

export const COMMANDS: readonly CommandSpec[] = [serve, ingest, importCommand, enrich, repair, query, report, replay, chats, setWebhook, doctor, erase, exportUser, optout];
