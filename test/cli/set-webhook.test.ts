/** `tgpipe set-webhook` against a local HTTP server playing the Bot API, with AWS mocked. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { ALL_UPDATE_KINDS } from '../../core/update-kinds';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET = 'Abc123xyz'.repeat(7);
const URL_OUT = 'https://abc123.execute-api.sa-east-1.amazonaws.com/webhook';

interface Call {
  path: string;
  body: Record<string, unknown>;
}

let server: Server;
let base: string;
const calls: Call[] = [];
let webhook = { url: '', pending_update_count: 3 } as Record<string, unknown>;
let failSetWebhook = false;

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const text = await readBody(req);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    calls.push({ path: req.url ?? '', body });
    res.setHeader('content-type', 'application/json');
    if (req.url !== `/bot${TOKEN}/setWebhook` && req.url !== `/bot${TOKEN}/getWebhookInfo`) {
      res.statusCode = 404;
      res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
      return;
    }
    if (req.url.endsWith('/setWebhook')) {
      if (failSetWebhook) {
        res.statusCode = 400;
        res.end(JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: bad webhook: HTTPS url must be provided for webhook' }));
        return;
      }
      webhook = {
        url: body.url,
        has_custom_certificate: false,
        pending_update_count: body.drop_pending_updates ? 0 : 3,
        max_connections: body.max_connections,
        allowed_updates: body.allowed_updates,
        ip_address: '203.0.113.7',
      };
      res.end(JSON.stringify({ ok: true, result: true, description: 'Webhook was set' }));
      return;
    }
    res.end(JSON.stringify({ ok: true, result: webhook }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const cfn = mockClient(CloudFormationClient);
const sm = mockClient(SecretsManagerClient);

beforeEach(() => {
  calls.length = 0;
  failSetWebhook = false;
  webhook = { url: '', pending_update_count: 3 };
  cfn.reset();
  sm.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'TelegramPipeline',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'WebhookUrl', OutputValue: URL_OUT },
          { OutputKey: 'WebhookSecretArn', OutputValue: 'arn:aws:secretsmanager:sa-east-1:111111111111:secret:webhook' },
          { OutputKey: 'BotTokenSecretArn', OutputValue: 'arn:aws:secretsmanager:sa-east-1:111111111111:secret:bot' },
        ],
      },
    ],
  });
  sm.on(GetSecretValueCommand, { SecretId: 'arn:aws:secretsmanager:sa-east-1:111111111111:secret:webhook' }).resolves({
    SecretString: JSON.stringify({ token: SECRET }),
  });
  sm.on(GetSecretValueCommand, { SecretId: 'arn:aws:secretsmanager:sa-east-1:111111111111:secret:bot' }).resolves({ SecretString: `${TOKEN}\n` });
});

afterEach(() => {
  cfn.reset();
  sm.reset();
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(['set-webhook', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { TELEGRAM_API_BASE: base, ...env },
  });
  return { code, stdout, stderr, all: stdout + stderr };
}

describe('tgpipe set-webhook', () => {
  it('reads the stack outputs and both secrets, registers every update kind, prints getWebhookInfo', async () => {
    const result = await run([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(calls.map((c) => c.path)).toEqual([`/bot${TOKEN}/setWebhook`, `/bot${TOKEN}/getWebhookInfo`]);
    expect(calls[0]!.body).toEqual({
      url: URL_OUT,
      secret_token: SECRET,
      allowed_updates: [...ALL_UPDATE_KINDS],
      max_connections: 40,
      drop_pending_updates: false,
    });
    expect(ALL_UPDATE_KINDS).toEqual(expect.arrayContaining(['chat_member', 'message_reaction', 'message_reaction_count']));
    expect(cfn.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({ StackName: 'TelegramPipeline' });
    expect(result.stdout).toContain(`url:                  ${URL_OUT}`);
    expect(result.stdout).toContain('pending_update_count: 3');
    expect(result.stdout).toContain(`${ALL_UPDATE_KINDS.length} kinds`);
    // Never the token's secret part nor the webhook secret.
    expect(result.all).not.toContain(TOKEN);
    expect(result.all).not.toContain(TOKEN.split(':')[1]);
    expect(result.all).not.toContain(SECRET);
  });

  it('takes everything from flags and the environment without touching AWS', async () => {
    const result = await run(
      ['--url', 'https://example.org/webhook', '--secret', 'my_secret-1', '--max-connections', '100', '--drop-pending-updates', '--api-base', base],
      { TELEGRAM_API_BASE: 'http://127.0.0.1:1', TELEGRAM_BOT_TOKEN: TOKEN },
    );
    expect(result.code).toBe(0);
    expect(calls[0]!.body).toMatchObject({ url: 'https://example.org/webhook', secret_token: 'my_secret-1', max_connections: 100, drop_pending_updates: true });
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(result.stdout).toContain('pending_update_count: 0');
  });

  it("defaults max_connections to the stack's MaxConnections output; the flag still wins", async () => {
    const withOutput = (value: string) =>
      cfn.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'TelegramPipeline',
            CreationTime: new Date(),
            StackStatus: 'UPDATE_COMPLETE',
            Outputs: [
              { OutputKey: 'WebhookUrl', OutputValue: URL_OUT },
              { OutputKey: 'WebhookSecretArn', OutputValue: 'arn:aws:secretsmanager:sa-east-1:111111111111:secret:webhook' },
              { OutputKey: 'BotTokenSecretArn', OutputValue: 'arn:aws:secretsmanager:sa-east-1:111111111111:secret:bot' },
              { OutputKey: 'MaxConnections', OutputValue: value },
            ],
          },
        ],
      });
    withOutput('12');
    const fromStack = await run([]);
    expect(fromStack.code).toBe(0);
    expect(calls[0]!.body.max_connections).toBe(12);
    expect(fromStack.stdout).toContain('max_connections 12');

    calls.length = 0;
    const fromFlag = await run(['--max-connections', '7']);
    expect(fromFlag.code).toBe(0);
    expect(calls[0]!.body.max_connections).toBe(7);

    calls.length = 0;
    withOutput('250');
    const bad = await run([]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/MaxConnections output must be an integer from 1 to 100, not "250"/);
    expect(calls).toHaveLength(0);
  });

  it('uses --stack and reads the bot token from a JSON secret', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'arn:aws:secretsmanager:sa-east-1:111111111111:secret:bot' }).resolves({
      SecretString: JSON.stringify({ token: TOKEN }),
    });
    const result = await run(['--stack', 'Other']);
    expect(result.code).toBe(0);
    expect(cfn.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({ StackName: 'Other' });
  });

  it.each([
    [['--max-connections', '0'], /--max-connections must be an integer from 1 to 100/],
    [['--max-connections', '101'], /--max-connections must be an integer from 1 to 100/],
    [['--max-connections', '4.5'], /--max-connections must be an integer from 1 to 100/],
    [['--secret', 'has space'], /--secret must be 1-256 characters/],
    [['--secret', 'x'.repeat(257)], /--secret must be 1-256 characters/],
    [['--secret', 'p@ss'], /--secret must be 1-256 characters/],
    [['--url', 'http://example.org/webhook', '--secret', 'ok', '--token', TOKEN], /only delivers to https/],
  ])('refuses %j with a usage error before calling anything', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(calls).toHaveLength(0);
  });

  it('says how to set the bot token when its secret still holds the placeholder', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'arn:aws:secretsmanager:sa-east-1:111111111111:secret:bot' }).resolves({
      SecretString: JSON.stringify({ token: '' }),
    });
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/put-secret-value/);
    expect(calls).toHaveLength(0);
  });

  it("reports Telegram's refusal without the token", async () => {
    failSetWebhook = true;
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Telegram setWebhook: 400 Bad Request: bad webhook');
    expect(result.all).not.toContain(TOKEN);
  });

  it('with --url and --secret but no token, asks for the token instead of reading a stack', async () => {
    const result = await run(['--url', 'https://example.org/webhook', '--secret', 'my_secret-1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no bot token: pass --token/);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    expect(calls).toHaveLength(0);
  });

  it('names the way out when the stack cannot be read', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not read the outputs of stack TelegramPipeline \(Could not load credentials from any providers\).*pass --url, --secret and --token/);
    expect(calls).toHaveLength(0);
  });

  it('warns when the URL does not end in /webhook (a tunnel root would be answered 404)', async () => {
    const result = await run(['--url', 'https://abc.example-tunnel.org/', '--secret', 'my_secret-1', '--token', TOKEN]);
    expect(result.stderr).toMatch(/warning: https:\/\/abc\.example-tunnel\.org\/ does not end in \/webhook/);
    expect(calls[0]!.body).toMatchObject({ url: 'https://abc.example-tunnel.org/' });
    const ok = await run(['--url', 'https://abc.example-tunnel.org/webhook', '--secret', 'my_secret-1', '--token', TOKEN]);
    expect(ok.stderr).not.toMatch(/warning/);
  });

  it('fails when the stack lacks the outputs', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'X', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has no WebhookUrl output/);
  });

  it('has --help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--max-connections/);
  });
});
