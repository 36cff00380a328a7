/** `tgpipe query --target aws` and `tgpipe report --target aws`: the CLI over Athena (aws-sdk-client-mock answering like Athena). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetQueryResultsCommand, StartQueryExecutionCommand, ThrottleReason, TooManyRequestsException } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { findReport, renderReportSql } from '../../reports';
import { fakeAthena, type AthenaAnswer } from '../support/athena-fake';

const athena = mockClient(AthenaClient);
const cfn = mockClient(CloudFormationClient);
const MB = 1024 ** 2;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tgpipe-athena-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

beforeEach(() => {
  athena.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'TelegramPipeline',
        CreationTime: new Date('2026-11-30T10:00:00Z'),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [
          { OutputKey: 'AthenaWorkGroup', OutputValue: 'TelegramPipeline-analytics' },
          { OutputKey: 'GlueDatabase', OutputValue: 'telegram_analytics' },
          { OutputKey: 'WebhookUrl', OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com/webhook' },
        ],
      },
    ],
  });
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { AWS_REGION: 'eu-west-1', ...env } });
  return { code, stdout, stderr };
}

const col = (name: string, type: string) => ({ name, type });

describe('tgpipe query --target aws', () => {
  it("runs a report in the stack's workgroup and database, all pages, and prints the scan and cost on stderr", async () => {
    // 1,500 days: two GetQueryResults pages, the header only on the first.
    const rows = Array.from({ length: 1500 }, (_, i) => [new Date(Date.UTC(2022, 0, 1 + i)).toISOString().slice(0, 10), String(i + 1)]);
    const fake = fakeAthena(athena, () => ({ columns: [col('day', 'date'), col('messages', 'bigint')], rows, scannedBytes: 37 * MB + 12, polls: 1 }), { workGroup: 'TelegramPipeline-analytics' });
    const result = await run(['query', 'messages_per_day', '--target', 'aws', '-f', 'csv']);
    expect(result.stderr).toMatch(/^athena q-1 SUCCEEDED: 1500 rows, scanned 37\.0 MB, billed 38\.0 MB, \$0\.00018, 1\.8 s\n$/);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('day,messages');
    expect(lines).toHaveLength(1501);
    expect(lines[1]).toBe('2022-01-01,1');
    expect(lines[1001]).toBe('2024-09-27,1001'); // the first row of page 2 is data
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({ WorkGroup: 'TelegramPipeline-analytics', QueryExecutionContext: { Database: 'telegram_analytics' } });
    // The report's SQL as rendered for the offset, unchanged otherwise: the same text the local engine gets.
    expect(fake.started).toEqual([renderReportSql(findReport('messages_per_day')!.query, { utcOffsetMinutes: -180 })]);
  });

  it('takes --workgroup and --database without reading the stack, and --sql', async () => {
    const fake = fakeAthena(athena, () => ({ columns: [col('n', 'bigint'), col('title', 'varchar')], rows: [['42', 'Grupo, "um"'], ['7', null]], scannedBytes: 0 }), { workGroup: 'wg' });
    const result = await run(['query', '--target', 'aws', '--workgroup', 'wg', '--database', 'db', '--sql', 'SELECT n, title FROM telegram', '-f', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ n: 42, title: 'Grupo, "um"' }, { n: 7, title: null }]);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toMatchObject({ WorkGroup: 'wg', QueryExecutionContext: { Database: 'db' } });
    expect(fake.started).toEqual(['SELECT n, title FROM telegram']);
    expect(result.stderr).toMatch(/scanned 0 B, billed 10\.0 MB, \$0\.000048/); // the 10 MB minimum
  });

  it("shows a FAILED query's reason, with its (free) stats, and exits 1", async () => {
    fakeAthena(athena, () => ({ final: 'FAILED', reason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved", error: { category: 2, type: 1006 } }));
    const result = await run(['query', '--target', 'aws', '--sql', 'SELECT nope FROM telegram']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/athena q-1 FAILED: scanned 0 B, \$0 \(failed, free\)/);
    expect(result.stderr).toMatch(/COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved \(category USER, type 1006\)/);
    expect(result.stdout).toBe('');
  });

  it('retries a throttled start and says so', async () => {
    fakeAthena(athena, () => ({ columns: [col('n', 'integer')], rows: [['1']], polls: 0 }), {
      fault: (call, n) =>
        call === 'StartQueryExecution' && n === 0
          ? new TooManyRequestsException({ message: 'Rate exceeded', Reason: ThrottleReason.CONCURRENT_QUERY_LIMIT_EXCEEDED, $metadata: { httpStatusCode: 400 } })
          : undefined,
    });
    const result = await run(['query', '--target', 'aws', '--sql', 'SELECT 1 AS n']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/athena: StartQueryExecution throttled, retrying in \d+ ms/);
    expect(result.stdout).toBe('n\n-\n1\n(1 row)\n');
  });

  it('names the way out when the stack cannot be read', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
    const result = await run(['query', '--target', 'aws', '--stack', 'Nope', 'messages_per_day']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not read the outputs of stack Nope \(Stack with id Nope does not exist\).*--workgroup and --database/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('refuses --explain (Athena runs the SQL as written) and several statements, before any call', async () => {
    expect((await run(['query', '--target', 'aws', '--explain', '--sql', 'SELECT 1'])).code).toBe(2);
    expect((await run(['query', '--target', 'aws', '--sql', 'SELECT 1; SELECT 2'])).code).toBe(2);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});

describe('tgpipe report --target aws', () => {
  it('builds the dashboard from Athena: the chats and range it answered are in the page, the totals on stderr', async () => {
    const answer = (sql: string): AthenaAnswer => {
      if (/^SELECT\s+min\(first_day\)/.test(sql)) {
        return { columns: [col('first_day', 'varchar'), col('last_day', 'varchar'), col('messages', 'bigint'), col('events', 'bigint')], rows: [['2026-11-01', '2026-11-30', '1234', '56']], scannedBytes: 2 * MB, polls: 0 };
      }
      if (/AS title,/.test(sql) && /migrate_to/.test(sql)) {
        return {
          columns: [col('chat_id', 'bigint'), col('chat_type', 'varchar'), col('title', 'varchar'), col('forum', 'boolean'), col('migrate_to', 'bigint'), col('migrate_from', 'bigint'), col('last_date', 'bigint'), col('messages', 'bigint')],
          rows: [['-1001987654321', 'supergroup', 'Grupo do Athena', 'false', null, null, '1764460800', '1234']],
          scannedBytes: 3 * MB,
          polls: 0,
        };
      }
      return { columns: [], rows: [], scannedBytes: MB, polls: 0 };
    };
    const fake = fakeAthena(athena, answer, { workGroup: 'TelegramPipeline-analytics' });
    const out = join(dir, 'aws-report.html');
    const result = await run(['report', '--target', 'aws', '--out', out, '--utc-offset', '-03:00']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`report written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ KiB`));
    const html = await readFile(out, 'utf8');
    expect(html).toContain('Grupo do Athena');
    const perQuery = result.stderr.split('\n').filter((l) => /^athena q-\d+ SUCCEEDED/.test(l));
    expect(perQuery.length).toBe(fake.started.length);
    expect(fake.started.length).toBeGreaterThan(3);
    expect(result.stderr).toMatch(new RegExp(`athena: ${fake.started.length} queries, scanned [\\d.]+ MB, billed [\\d.]+ MB, \\$`));
    for (const call of athena.commandCalls(StartQueryExecutionCommand)) expect(call.args[0].input.QueryExecutionContext).toEqual({ Database: 'telegram_analytics' });
  });

  it('needs --out (no data folder to write into)', async () => {
    const result = await run(['report', '--target', 'aws']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--target aws needs --out FILE/);
  });
});
