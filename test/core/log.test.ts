import { describe, expect, it } from 'vitest';
import { createLogger, type LogFields } from '../../core/log';
import { emfFields } from '../../core/metrics';

const capture = (withoutMetricEnvelope?: boolean) => {
  const lines: LogFields[] = [];
  const logger = createLogger({ service: 's', level: 'info', write: (l) => lines.push(JSON.parse(l)), withoutMetricEnvelope });
  return { logger, lines };
};

describe('createLogger', () => {
  it('keeps the EMF envelope by default (Lambda turns it into metrics)', () => {
    const { logger, lines } = capture();
    logger.info('enriched', { date: '2026-03-01', ...emfFields({ EnrichedMessages: { value: 5, unit: 'Count' } }) });
    expect(lines[0]).toMatchObject({ level: 'info', message: 'enriched', service: 's', date: '2026-03-01', EnrichedMessages: 5 });
    expect(lines[0]!._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'TelegramPipeline', Metrics: [{ Name: 'EnrichedMessages', Unit: 'Count' }] }] });
  });

  it('leaves the envelope out off Lambda, keeping the values', () => {
    const { logger, lines } = capture(true);
    logger.info('enriched', { date: '2026-03-01', ...emfFields({ EnrichedMessages: { value: 5, unit: 'Count' } }) });
    logger.child({ day: 'x' }).warn('child', emfFields({ Quarantined: { value: 1, unit: 'Count' } }));
    expect(lines[0]).toMatchObject({ EnrichedMessages: 5, date: '2026-03-01' });
    expect(lines[0]).not.toHaveProperty('_aws');
    expect(lines[1]).toMatchObject({ level: 'warn', day: 'x', Quarantined: 1 });
    expect(lines[1]).not.toHaveProperty('_aws');
  });

  it('drops lines below its level', () => {
    const { logger, lines } = capture();
    logger.log('debug', 'hidden');
    logger.error('shown');
    expect(lines.map((l) => l.message)).toEqual(['shown']);
  });
});
