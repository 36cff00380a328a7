/**
 * The production wiring of the webhook Lambda (`handler`), with a real FirehoseClient talking to a local
 * HTTP server that plays Firehose, and a local server that plays the Parameters and Secrets extension.
 * This checks what mocks cannot: the SDK's bounded retries and timeouts, and the secret read once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALLOWED_CHATS, loadFixtures } from '../support/fixtures';

const SECRET = 'prodSecret_abc-123';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf';
const SESSION_TOKEN = 'session-token-for-the-extension';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
async function listen(handle: Handler): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handle(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

let firehose: { server: Server; port: number };
let extension: { server: Server; port: number };
/** Status of the next answers (200 when empty); 0: never answer. */
let firehoseAnswers: Array<number> = [];
const firehoseRequests: Array<{ target: string; data: string }> = [];
let extensionCalls = 0;
let secretsManager: { server: Server; port: number };
const secretsManagerCalls: Array<{ target: string; secretId: string; auth: string }> = [];

beforeAll(async () => {
  firehose = await listen((req, body, res) => {
    const input = JSON.parse(body);
    firehoseRequests.push({ target: String(req.headers['x-amz-target']), data: Buffer.from(input.Record.Data, 'base64').toString() });
    const status = firehoseAnswers.shift() ?? 200;
    if (status === 0) return; // a connection that accepts the request and never answers
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (status === 200) res.end(JSON.stringify({ RecordId: `r${firehoseRequests.length}`, Encrypted: true }));
    else {
      res.statusCode = status;
      res.setHeader('x-amzn-errortype', 'ServiceUnavailableException');
      res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: 'Slow down.' }));
    }
  });
  extension = await listen((req, _body, res) => {
    extensionCalls += 1;
    const url = new URL(req.url!, 'http://localhost');
    if (req.headers['x-aws-parameters-secrets-token'] !== SESSION_TOKEN || url.searchParams.get('secretId') !== SECRET_ARN) {
      res.statusCode = 403;
      res.end('{}');
      return;
    }
    res.end(JSON.stringify({ ARN: SECRET_ARN, SecretString: JSON.stringify({ token: SECRET }) }));
  });
});
beforeAll(async () => {
  // Secrets Manager's JSON protocol, as the SDK's GetSecretValue speaks it (me-west-1 has no extension layer).
  secretsManager = await listen((req, body, res) => {
    const input = JSON.parse(body) as { SecretId: string };
    secretsManagerCalls.push({ target: String(req.headers['x-amz-target']), secretId: input.SecretId, auth: String(req.headers.authorization) });
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (input.SecretId !== SECRET_ARN) {
      res.statusCode = 400;
      res.setHeader('x-amzn-errortype', 'ResourceNotFoundException');
      res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
      return;
    }
    res.end(JSON.stringify({ ARN: SECRET_ARN, Name: 'webhook', VersionId: 'v1', SecretString: JSON.stringify({ token: SECRET }), VersionStages: ['AWSCURRENT'], CreatedDate: 1780000000 }));
  });
});
afterAll(() => {
  firehose.server.close();
  extension.server.close();
  secretsManager.server.close();
});

beforeEach(() => {
  vi.resetModules();
  firehoseAnswers = [];
  firehoseRequests.length = 0;
  extensionCalls = 0;
  secretsManagerCalls.length = 0;
  delete process.env.WEBHOOK_SECRET_SOURCE;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_ENDPOINT_URL_FIREHOSE: `http://127.0.0.1:${firehose.port}`,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${secretsManager.port}`,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port),
    DELIVERY_STREAM_NAME: 'raw-stream',
    ALLOWED_CHAT_IDS: ALLOWED_CHATS.join(','),
    CONTEXT_UTC_OFFSET: '-03:00',
    TELEGRAM_WEBHOOK_SECRET_ARN: SECRET_ARN,
    LOG_LEVEL: 'error',
  });
  delete process.env.TELEGRAM_WEBHOOK_SECRET;
});

const text = loadFixtures().find((f) => f.kind === 'message' && f.chat_id === ALLOWED_CHATS[0])!;
const event = (secret = SECRET): APIGatewayProxyEventV2 =>
  ({ headers: { 'x-telegram-bot-api-secret-token': secret }, body: text.body, isBase64Encoded: false, requestContext: { http: { method: 'POST' } } }) as unknown as APIGatewayProxyEventV2;

describe('webhook Lambda, production wiring', () => {
  it('stores through Firehose and reads the secret from the extension once per container (and once after a wrong one)', async () => {
    const { handler } = await import('../../handlers/webhook');
    for (let i = 0; i < 3; i += 1) expect((await handler(event())).statusCode).toBe(200);
    expect(extensionCalls).toBe(1);
    // A wrong secret reads it once more (a rotation?), then not again for a while, however many come.
    expect((await handler(event('wrong'))).statusCode).toBe(401);
    expect((await handler(event('wrong'))).statusCode).toBe(401);
    expect(extensionCalls).toBe(2);
    expect(firehoseRequests).toHaveLength(3);
    expect(firehoseRequests[0]!.target).toBe('Firehose_20150804.PutRecord');
    expect(firehoseRequests[0]!.data).toContain(`"update":${text.body}}`);
  });

  it('retries a throttled PutRecord a bounded number of times, then succeeds', async () => {
    const { handler } = await import('../../handlers/webhook');
    firehoseAnswers = [503, 503];
    expect((await handler(event())).statusCode).toBe(200);
    expect(firehoseRequests).toHaveLength(3);
  });

  it('gives up on a Firehose that never answers (request timeout, retried) and answers 503, not a Lambda timeout', async () => {
    const { handler } = await import('../../handlers/webhook');
    firehoseAnswers = [0, 0, 0];
    const started = Date.now();
    expect((await handler(event())).statusCode).toBe(503);
    expect(firehoseRequests).toHaveLength(3); // 3 attempts of 2.5 s each
    expect(Date.now() - started).toBeLessThan(12_000);
  }, 30_000);

  it('takes a stuck first attempt in its stride: the retry stores the update', async () => {
    const { handler } = await import('../../handlers/webhook');
    firehoseAnswers = [0];
    expect((await handler(event())).statusCode).toBe(200);
    expect(firehoseRequests).toHaveLength(2);
  }, 30_000);

  it('answers 503 after the bounded retries when Firehose keeps failing, well inside Telegram\'s timeout', async () => {
    const { handler } = await import('../../handlers/webhook');
    firehoseAnswers = [503, 503, 503, 503, 503, 503];
    const started = Date.now();
    expect((await handler(event())).statusCode).toBe(503);
    expect(firehoseRequests).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('where no extension layer is published (WEBHOOK_SECRET_SOURCE=sdk) reads the secret with GetSecretValue, once per container', async () => {
    process.env.WEBHOOK_SECRET_SOURCE = 'sdk';
    const { handler } = await import('../../handlers/webhook');
    for (let i = 0; i < 3; i += 1) expect((await handler(event())).statusCode).toBe(200);
    expect(extensionCalls).toBe(0);
    expect(secretsManagerCalls).toHaveLength(1);
    expect(secretsManagerCalls[0]).toMatchObject({ target: 'secretsmanager.GetSecretValue', secretId: SECRET_ARN });
    expect(secretsManagerCalls[0]!.auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    // A rotation is taken the same way: a wrong secret reads it again.
    expect((await handler(event('wrong'))).statusCode).toBe(401);
    expect(secretsManagerCalls).toHaveLength(2);
    expect(firehoseRequests).toHaveLength(3);
  });

  it('a secret source it does not know fails loudly at the first request', async () => {
    process.env.WEBHOOK_SECRET_SOURCE = 'vault';
    const { handler } = await import('../../handlers/webhook');
    expect(() => handler(event())).toThrow(/WEBHOOK_SECRET_SOURCE="vault"/);
  });

  it('answers 404 outside /webhook (a function URL passes every path), storing nothing and reading no secret', async () => {
    const { handler } = await import('../../handlers/webhook');
    const probe = { ...event(), rawPath: '/wp-login.php' } as APIGatewayProxyEventV2;
    const result = await handler(probe);
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(String(result.body))).toEqual({ ok: false, message: 'not found: POST updates to /webhook' });
    expect(firehoseRequests).toHaveLength(0);
    expect(extensionCalls).toBe(0);
    expect((await handler({ ...event(), rawPath: '/webhook' } as APIGatewayProxyEventV2)).statusCode).toBe(200);
  });
});
