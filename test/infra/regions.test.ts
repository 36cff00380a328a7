/**
 * Every region in infra/regions.ts synthesizes (cdk-nag clean), with the arm64 Parameters and Secrets
 * layer AWS publishes there, or without a layer and the SDK fallback where none is published.
 */
import { describe, expect, it } from 'vitest';
import { LAMBDA_ARM64_REGIONS, LAYER_NAME, REGION_NAMES } from '../../infra/regions';
import { SDK_FALLBACK_REGIONS } from '../../infra/secrets-access';
import { quickSynth, TEST_ACCOUNT, webhookFunction } from './quick-synth';

describe('regions where Lambda runs arm64', () => {
  it('the list holds the commercial regions, and me-west-1 is the one without a published layer', () => {
    expect(REGION_NAMES.length).toBeGreaterThanOrEqual(35);
    // The regions whose arm64 layer CDK's V1_0_103 lacked (issue 15) are all here.
    for (const r of ['ap-east-2', 'ap-northeast-3', 'ap-south-2', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-west-1', 'eu-central-2', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-west-1', 'mx-central-1']) {
      expect(REGION_NAMES, r).toContain(r);
    }
    expect(SDK_FALLBACK_REGIONS).toEqual(['me-west-1']);
    for (const [region, entry] of Object.entries(LAMBDA_ARM64_REGIONS)) {
      if (entry.layer) expect(entry.layer.account, region).toMatch(/^\d{12}$/);
    }
  });

  it.each(REGION_NAMES)('%s synthesizes, cdk-nag clean, with its layer or the SDK fallback', (region) => {
    const { json, nagFindings } = quickSynth({ allowedChatIds: '-1001' }, { account: TEST_ACCOUNT, region });
    expect(nagFindings).toEqual([]);
    const [, webhook] = webhookFunction(json);
    const env = webhook.Properties.Environment.Variables;
    const layer = LAMBDA_ARM64_REGIONS[region]!.layer;
    if (layer) {
      expect(webhook.Properties.Layers).toEqual([`arn:aws:lambda:${region}:${layer.account}:layer:${LAYER_NAME}:${layer.version}`]);
      expect(env.WEBHOOK_SECRET_SOURCE).toBe('extension');
    } else {
      expect(webhook.Properties.Layers).toBeUndefined();
      expect(env.WEBHOOK_SECRET_SOURCE).toBe('sdk');
    }
    // No deploy-time choice is left in a template made for a known region.
    expect(json.Conditions ?? {}).toEqual({});
    expect(JSON.stringify(json)).not.toContain('Fn::FindInMap');
  });

  it('a region missing from the list stops the synth naming the file to add it to', () => {
    expect(() => quickSynth({}, { account: TEST_ACCOUNT, region: 'xx-nowhere-1' })).toThrow(/infra\/regions\.ts/);
  });
});
