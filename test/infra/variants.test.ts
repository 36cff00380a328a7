import { ENRICHED_TABLES } from '../../schemas';
/**
 * The stack under the context keys that change its shape: `retainData` (what survives a destroy),
 * `webhookReservedConcurrency` (opt-in) and `ingress` (HTTP API or Lambda function URL). Each variant
 * is synthesized once (without bundling) and checked with cdk-nag.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_PATH } from '../../core/webhook';
import { ofType, quickSynth, webhookFunction, type QuickSynth } from './quick-synth';

const DERIVED = ['AWS::Glue::Database', 'AWS::Glue::Table', 'AWS::Athena::WorkGroup'];
const policies = (s: QuickSynth, types: string[]) =>
  types.flatMap((t) => ofType(s.json, t)).map(([id, r]) => ({ id, deletion: r.DeletionPolicy, replace: r.UpdateReplacePolicy }));

let kept: QuickSynth;
let dropped: QuickSynth;
let reserved: QuickSynth;
let functionUrl: QuickSynth;

beforeAll(() => {
  kept = quickSynth({ retainData: true });
  dropped = quickSynth({ retainData: 'false' });
  reserved = quickSynth({ webhookReservedConcurrency: '60', maxConnections: '40' });
  functionUrl = quickSynth({ ingress: 'functionUrl' });
}, 180_000);

describe('retainData', () => {
  it('true (default): the buckets are kept, the catalog and workgroup still go with the stack', () => {
    for (const p of policies(kept, ['AWS::S3::Bucket'])) expect(p, p.id).toMatchObject({ deletion: 'Retain', replace: 'Retain' });
    const derived = policies(kept, DERIVED);
    expect(derived).toHaveLength(1 + (ENRICHED_TABLES.length + 1) + 1); // database, raw + enriched tables, workgroup
    for (const p of derived) expect(p, p.id).toMatchObject({ deletion: 'Delete', replace: 'Delete' });
    expect(ofType(kept.json, 'Custom::S3AutoDeleteObjects')).toHaveLength(0);
    expect(kept.nagFindings).toEqual([]);
  });

  it('false: the buckets are emptied and deleted too; the catalog and workgroup go as always', () => {
    const buckets = policies(dropped, ['AWS::S3::Bucket']);
    expect(buckets).toHaveLength(3);
    for (const p of buckets) expect(p, p.id).toMatchObject({ deletion: 'Delete', replace: 'Delete' });
    expect(ofType(dropped.json, 'Custom::S3AutoDeleteObjects')).toHaveLength(3);
    for (const p of policies(dropped, DERIVED)) expect(p, p.id).toMatchObject({ deletion: 'Delete', replace: 'Delete' });
    expect(dropped.nagFindings).toEqual([]);
  });

  it('nothing but the buckets is ever retained', () => {
    for (const s of [kept, dropped]) {
      const retained = Object.entries(s.json.Resources).filter(([, r]) => r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate');
      expect(retained.map(([, r]) => r.Type).filter((t) => t !== 'AWS::S3::Bucket')).toEqual([]);
    }
  });
});

describe('webhookReservedConcurrency (opt-in)', () => {
  it('when set, the webhook reserves it and the outputs say so', () => {
    const [, webhook] = webhookFunction(reserved.json);
    expect(webhook.Properties.ReservedConcurrentExecutions).toBe(60);
    expect(reserved.json.Outputs.WebhookReservedConcurrency!.Value).toBe('60');
    expect(reserved.json.Outputs.MaxConnections!.Value).toBe('40');
    expect(reserved.nagFindings).toEqual([]);
  });
});

describe('ingress', () => {
  it('httpApi (default): the HTTP API, its 5xx alarm and dashboard graph; no function URL', () => {
    expect(kept.json.Outputs.Ingress!.Value).toBe('httpApi');
    expect(ofType(kept.json, 'AWS::Lambda::Url')).toHaveLength(0);
    expect(ofType(kept.json, 'AWS::ApiGatewayV2::Api')).toHaveLength(1);
    const alarm = ofType(kept.json, 'AWS::CloudWatch::Alarm').find(([id]) => /Ingress5xx/.test(id))![1].Properties;
    expect(alarm).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' });
  });

  it('functionUrl: a function URL with auth NONE and no API Gateway; WebhookUrl, alarms and dashboard follow it', () => {
    const { json } = functionUrl;
    expect(functionUrl.nagFindings).toEqual([]);
    expect(json.Outputs.Ingress!.Value).toBe('functionUrl');
    expect(Object.values(json.Resources).filter((r) => r.Type.startsWith('AWS::ApiGateway'))).toEqual([]);
    const [webhookId] = webhookFunction(json);
    const [urlId, url] = ofType(json, 'AWS::Lambda::Url')[0]!;
    expect(url.Properties).toMatchObject({ AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [webhookId, 'Arn'] } });
    // Both permissions a public function URL needs: InvokeFunctionUrl, and InvokeFunction via the URL only.
    const permissions = ofType(json, 'AWS::Lambda::Permission').map(([, p]) => p.Properties).filter((p) => p.Principal === '*');
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE' }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true }),
      ]),
    );
    expect(permissions).toHaveLength(2);
    expect(json.Outputs.WebhookUrl!.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [urlId, 'FunctionUrl'] }, WEBHOOK_PATH.slice(1)]] });
    // The watchdog compares Telegram's URL with this one.
    const watchdog = ofType(json, 'AWS::Lambda::Function').find(([, f]) => /getWebhookInfo/.test(f.Properties.Description))![1];
    expect(watchdog.Properties.Environment.Variables.EXPECTED_WEBHOOK_URL).toEqual(json.Outputs.WebhookUrl!.Value);
    const alarm = ofType(json, 'AWS::CloudWatch::Alarm').find(([id]) => /Ingress5xx/.test(id))![1].Properties;
    expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Url5xxCount', Dimensions: [{ Name: 'FunctionName', Value: { Ref: webhookId } }] });
    const dashboard = JSON.stringify(ofType(json, 'AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardBody);
    for (const metric of ['UrlRequestCount', 'Url4xxCount', 'Url5xxCount']) expect(dashboard).toContain(metric);
    expect(dashboard).not.toContain('AWS/ApiGateway');
    expect(json.Outputs.WebhookReservedConcurrency!.Value).toBe('none');
  });
});
