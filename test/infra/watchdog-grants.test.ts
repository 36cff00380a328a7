/**
 * The watchdog's grants for the daily member-count samples: it reads the bot token's secret and puts
 * records on the raw stream, nothing more (least privilege); a daily rule invokes it with the task. cdk-nag
 * stays without findings.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_COUNT_TASK } from '../../handlers/watchdog';
import { ofType, quickSynth, type QuickSynth } from './quick-synth';

let q: QuickSynth;
beforeAll(() => {
  q = quickSynth({ allowedChatIds: '-1001, -1002', utcOffset: 'Europe/Berlin' });
}, 120_000);

const watchdog = () => ofType(q.json, 'AWS::Lambda::Function').find(([, f]) => /getWebhookInfo/.test(f.Properties.Description))!;
const logicalIdOf = (type: string, pattern: RegExp) => {
  const found = ofType(q.json, type).filter(([id]) => pattern.test(id));
  expect(found, String(pattern)).toHaveLength(1);
  return found[0]![0];
};

describe('watchdog member-count samples', () => {
  it('reads only the bot token secret and puts only to the raw delivery stream', () => {
    const [, fn] = watchdog();
    const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = ofType(q.json, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const inlined = ofType(q.json, 'AWS::IAM::Role').find(([id]) => id === role)![1].Properties.Policies ?? [];
    expect(inlined).toEqual([]);
    const byAction = (prefix: string) => statements.filter((s) => [s.Action].flat().some((a) => a.startsWith(prefix)));
    const botToken = logicalIdOf('AWS::SecretsManager::Secret', /BotToken/);
    const stream = logicalIdOf('AWS::KinesisFirehose::DeliveryStream', /DeliveryStream/);
    expect(byAction('secretsmanager:').map((s) => ({ actions: [s.Action].flat().sort(), resource: s.Resource }))).toEqual([
      { actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], resource: { Ref: botToken } },
    ]);
    expect(byAction('firehose:').map((s) => ({ actions: [s.Action].flat().sort(), resource: s.Resource }))).toEqual([
      { actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'], resource: { 'Fn::GetAtt': [stream, 'Arn'] } },
    ]);
    // Nothing else but its own logs.
    const others = statements.filter((s) => ![s.Action].flat().every((a) => /^(secretsmanager|firehose):/.test(a)));
    expect(others.flatMap((s) => [s.Action].flat()).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('knows the chats, the day boundary and the stream; a daily rule sends it the task', () => {
    const [id, fn] = watchdog();
    const env = fn.Properties.Environment.Variables;
    expect(env.ALLOWED_CHAT_IDS).toBe('-1001,-1002');
    expect(env.CONTEXT_UTC_OFFSET).toBe('Europe/Berlin');
    expect(env.DELIVERY_STREAM_NAME).toEqual({ Ref: logicalIdOf('AWS::KinesisFirehose::DeliveryStream', /DeliveryStream/) });
    const daily = ofType(q.json, 'AWS::Events::Rule').filter(([, r]) => (r.Properties.Targets ?? []).some((t: { Input?: string }) => t.Input !== undefined && JSON.parse(t.Input).task === MEMBER_COUNT_TASK));
    expect(daily).toHaveLength(1);
    const rule = daily[0]![1].Properties;
    expect(rule.ScheduleExpression).toMatch(/^cron\(\d+ \d+ \* \* \? \*\)$/);
    expect(rule.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    // EventBridge may invoke it: the permission names this rule.
    const permissions = ofType(q.json, 'AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.SourceArn ?? '').includes(daily[0]![0]));
    expect(permissions).toHaveLength(1);
  });

  it('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(q.nagFindings).toEqual([]);
  });
});
