/** `tgpipe chats --target aws`: Athena for stored chats, Logs Insights for dropped ones, Lambda for the allow-list (all mocked as the services answer). */
import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DROPPED_QUERY, NAMED_QUERY, NO_CHAT_QUERY, STORED_CHATS_SQL } from '../../adapters/aws/chats';
import { main } from '../../cli/main';
import { fakeAthena } from '../support/athena-fake';

const athena = mockClient(AthenaClient);
const cfn = mockClient(CloudFormationClient);
const logs = mockClient(CloudWatchLogsClient);
const lambda = mockClient(LambdaClient);
const LOG_GROUP = 'TelegramPipeline-IngestionWebhookLogs1A2B3C-dEfGhIjKlMnO';

const col = (name: string, type: string) => ({ name, type });
const field = (row: Record<string, string>) => [...Object.entries(row).map(([f, value]) => ({ field: f, value })), { field: '@ptr', value: 'CmAKJwojMTExMTExMTExMTExOlRlbGVncmFtUGlwZWxpbmUQBxI1GhgCBk' }];

let queries: Array<{ query: string; logGroupName?: string; startTime?: number; endTime?: number }> = [];
let insightsFails = false;

beforeEach(() => {
  for (const m of [athena, cfn, logs, lambda]) m.reset();
  queries = [];
  insightsFails = false;
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'TelegramPipeline', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [
      { OutputKey: 'AthenaWorkGroup', OutputValue: 'TelegramPipeline-analytics' },
      { OutputKey: 'GlueDatabase', OutputValue: 'telegram_analytics' },
      { OutputKey: 'WebhookFunctionName', OutputValue: 'TelegramPipeline-IngestionWebhook-Cd34' },
    ] }],
  });
  lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'TelegramPipeline-IngestionWebhook-Cd34' }).resolves({
    FunctionName: 'TelegramPipeline-IngestionWebhook-Cd34',
    Runtime: 'nodejs24.x',
    Environment: { Variables: { ALLOWED_CHAT_IDS: '-1001111111111', CONTEXT_UTC_OFFSET: '-03:00', FIREHOSE_STREAM: 'x' } },
    LoggingConfig: { LogFormat: 'Text', LogGroup: LOG_GROUP },
  });
  fakeAthena(athena, () => ({
    columns: [col('chat_id', 'bigint'), col('chat_type', 'varchar'), col('chat_title', 'varchar'), col('first_seen', 'bigint'), col('last_seen', 'bigint'), col('messages', 'bigint'), col('events', 'bigint')],
    rows: [['-1001111111111', 'supergroup', 'Kept group', '1764000000', '1764500000', '1200', '340']],
    scannedBytes: 5 * 1024 ** 2,
    polls: 0,
  }), { workGroup: 'TelegramPipeline-analytics' });
  let started = 0;
  const polls = new Map<string, number>();
  logs.on(StartQueryCommand).callsFake((input: { queryString: string; logGroupName?: string; startTime?: number; endTime?: number }) => {
    started += 1;
    if (started === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    queries.push({ query: input.queryString, logGroupName: input.logGroupName, startTime: input.startTime, endTime: input.endTime });
    return { queryId: `q-${input.queryString === DROPPED_QUERY ? 'dropped' : input.queryString === NAMED_QUERY ? 'named' : 'nochat'}` };
  });
  logs.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) => {
    const n = polls.get(input.queryId) ?? 0;
    polls.set(input.queryId, n + 1);
    if (n === 0 && input.queryId === 'q-dropped') return { status: 'Running', results: [], statistics: { recordsMatched: 0, recordsScanned: 1200, bytesScanned: 400_000 } };
    if (insightsFails && input.queryId === 'q-named') return { status: 'Failed', results: [] };
    const results = input.queryId === 'q-dropped'
      ? [field({ chat_id: '-1002222222222', dropped: '57', first_seen: '2026-11-28 10:00:00.000', last_seen: '2026-12-01 22:15:03.120' }), field({ chat_id: '4242', dropped: '3', first_seen: '2026-11-30 08:00:00.000', last_seen: '2026-11-30 08:05:00.000' })]
      : input.queryId === 'q-named'
        ? [field({ chat_id: '-1002222222222', chat_type: 'supergroup', chat_title: 'Nova turma' }), field({ chat_id: '4242', chat_type: 'private', chat_title: '' })]
        : [field({ update_kind: 'inline_query', n: '4' })];
    return { status: 'Complete', results, statistics: { recordsMatched: results.length, recordsScanned: 90_000, bytesScanned: 31_000_000 } };
  });
});

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['chats', '--target', 'aws', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { AWS_REGION: 'eu-west-1' } });
  return { code, stdout, stderr };
}

describe('tgpipe chats --target aws', () => {
  it("lists stored chats from Athena and dropped ones from the webhook's log, allowed per the function's ALLOWED_CHAT_IDS", async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await run(['-f', 'json', '--since', '7']);
    expect(r.code).toBe(0);
    const { chats, no_chat, no_chat_in_raw } = JSON.parse(r.stdout);
    expect(no_chat_in_raw).toEqual({});
    expect(chats).toEqual([
      { chat_id: -1002222222222, type: 'supergroup', title: 'Nova turma', allowed: false, first_seen: '2026-11-28T10:00:00Z', last_seen: '2026-12-01T22:15:03Z', stored: 0, dropped: 57, messages: null },
      { chat_id: 4242, type: 'private', title: null, allowed: false, first_seen: '2026-11-30T08:00:00Z', last_seen: '2026-11-30T08:05:00Z', stored: 0, dropped: 3, messages: null },
      { chat_id: -1001111111111, type: 'supergroup', title: 'Kept group', allowed: true, first_seen: '2025-11-24T16:00:00Z', last_seen: '2025-11-30T10:53:20Z', stored: 1540, dropped: 0, messages: 1200 },
    ]);
    expect(no_chat).toEqual({ inline_query: 4 });
    expect(queries.map((q) => q.logGroupName)).toEqual([LOG_GROUP, LOG_GROUP, LOG_GROUP]);
    expect(queries.map((q) => q.query).sort()).toEqual([DROPPED_QUERY, NAMED_QUERY, NO_CHAT_QUERY].sort());
    expect(queries[0]!.endTime! - queries[0]!.startTime!).toBeGreaterThanOrEqual(7 * 86_400);
    expect(queries[0]!.startTime!).toBeLessThanOrEqual(before - 7 * 86_400 + 1);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toMatchObject({ QueryString: STORED_CHATS_SQL, WorkGroup: 'TelegramPipeline-analytics', QueryExecutionContext: { Database: 'telegram_analytics' } });
    expect(r.stderr).toMatch(/athena q-1 SUCCEEDED: 1 row, scanned 5\.00 MB, billed 10\.0 MB/);
  });

  it('in a table, says which ids to add; --allowed-chat-ids overrides the deployed list', async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nova turma/);
    expect(r.stdout).toContain('to keep a dropped chat, add its id to ALLOWED_CHAT_IDS (or --allowed-chat-ids): -1002222222222,4242');
    expect(r.stdout).toContain("no chat: 4 update(s) dropped on arrival, not a group's data (inline_query 4)");
    const both = JSON.parse((await run(['-f', 'json', '--allowed-chat-ids', '-1001111111111,-1002222222222'])).stdout);
    expect(both.chats.find((c: { chat_id: number }) => c.chat_id === -1002222222222).allowed).toBe(true);
  });

  it('a failed Logs Insights query is an error naming the log group', async () => {
    insightsFails = true;
    const r = await run([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Logs Insights query q-named on ${LOG_GROUP} ended Failed`);
    expect(r.stdout).toBe('');
  });
});
