/**
 * The deploy heartbeat custom resource: logs one EnrichmentHeartbeat in EMF on create and update (not on
 * delete), waits, then answers CloudFormation's presigned URL (a real HTTP server on 127.0.0.1 here).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/log';
import { createHeartbeatHandler, HEARTBEAT_METRIC } from '../../handlers/deploy-heartbeat';

let server: Server;
let url: string;
let answers: Array<{ method: string; contentType: string | undefined; body: any; at: number }> = [];
let status = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      answers.push({ method: req.method!, contentType: req.headers['content-type'], body: JSON.parse(body), at: Date.now() });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response?X-Amz-Signature=abc`;
});
afterAll(() => server.close());
beforeEach(() => {
  answers = [];
  status = 200;
});

const event = (type: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent =>
  ({
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:heartbeat',
    ResponseURL: url,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/TelegramPipeline/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'MonitoringDeployHeartbeatResource',
    ResourceType: 'Custom::EnrichmentHeartbeat',
    ResourceProperties: { ServiceToken: 'x' },
    ...(type === 'Create' ? {} : { PhysicalResourceId: 'enrichment-deploy-heartbeat', OldResourceProperties: {} }),
  }) as CloudFormationCustomResourceEvent;

describe('deploy heartbeat', () => {
  it.each(['Create', 'Update'] as const)('%s: logs one EnrichmentHeartbeat (EMF), waits, then answers SUCCESS', async (type) => {
    const logger = memoryLogger('deploy-heartbeat');
    const started = Date.now();
    await createHeartbeatHandler({ logger, settleMs: 150, now: () => 1_780_000_000_000 })(event(type));
    const beats = logger.lines.filter((l) => l.event === 'deploy_heartbeat');
    expect(beats).toHaveLength(1);
    expect(beats[0]).toMatchObject({ [HEARTBEAT_METRIC]: 1, request: type });
    expect(beats[0]!._aws).toEqual({ Timestamp: 1_780_000_000_000, CloudWatchMetrics: [{ Namespace: 'TelegramPipeline', Dimensions: [[]], Metrics: [{ Name: 'EnrichmentHeartbeat', Unit: 'Count' }] }] });
    expect(answers).toHaveLength(1);
    expect(answers[0]!.at - started).toBeGreaterThanOrEqual(140);
    expect(answers[0]!.method).toBe('PUT');
    expect(answers[0]!.contentType ?? '').toBe(''); // the presigned URL is signed without a content type
    expect(answers[0]!.body).toEqual({
      Status: 'SUCCESS', Reason: 'heartbeat logged', PhysicalResourceId: 'enrichment-deploy-heartbeat',
      StackId: event(type).StackId, RequestId: 'req-1', LogicalResourceId: 'MonitoringDeployHeartbeatResource', Data: {},
    });
  });

  it('Delete: answers at once, logs no heartbeat', async () => {
    const logger = memoryLogger('deploy-heartbeat');
    await createHeartbeatHandler({ logger, settleMs: 60_000 })(event('Delete'));
    expect(logger.lines.filter((l) => l.event === 'deploy_heartbeat')).toHaveLength(0);
    expect(answers[0]!.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'enrichment-deploy-heartbeat' });
  });

  it('an answer CloudFormation refuses fails the invocation (Lambda retries it)', async () => {
    status = 403;
    await expect(createHeartbeatHandler({ logger: memoryLogger(), settleMs: 0 })(event('Create'))).rejects.toThrow(/HTTP 403/);
  });
});
