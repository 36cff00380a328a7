/**
 * Deploy heartbeat (a CloudFormation custom resource): at each create or update of the stack it logs one
 * `EnrichmentHeartbeat` (CloudWatch Embedded Metric Format), the metric the `EnrichmentDidNotRun` alarm
 * watches beside the scheduled runs' own. A new stack has had no run yet, and with missing data breaching
 * that alarm fired at once after every first deploy; with this point it stays quiet until the first run
 * is due (a day), and still fires 30 hours after the last heartbeat when runs stop.
 *
 * It waits a little before answering CloudFormation (the alarm is created after it), so the point is
 * already a metric when the alarm first evaluates. It always answers, so a deploy never hangs on it.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createLogger, type Logger } from '../core/log';
import { emfFields } from '../core/metrics';

export const HEARTBEAT_METRIC = 'EnrichmentHeartbeat';

export interface HeartbeatDeps {
  readonly logger: Logger;
  /** How long to wait after logging the point before answering (EMF to metric takes seconds). */
  readonly settleMs: number;
  readonly fetchImpl?: typeof fetch;
  readonly now?: () => number;
}

export function createHeartbeatHandler(deps: HeartbeatDeps) {
  return async (event: CloudFormationCustomResourceEvent): Promise<void> => {
    const status = 'SUCCESS';
    let reason = 'heartbeat logged';
    try {
      if (event.RequestType === 'Delete') reason = 'nothing to delete';
      else {
        deps.logger.info('deploy heartbeat: the next scheduled enrichment is due within a day', {
          event: 'deploy_heartbeat',
          request: event.RequestType,
          ...emfFields({ [HEARTBEAT_METRIC]: { value: 1, unit: 'Count' } }, {}, (deps.now ?? Date.now)()),
        });
        await new Promise((r) => setTimeout(r, deps.settleMs));
      }
    } catch (error) {
      // Not worth failing a deploy over: the alarm would only fire early, once.
      reason = `heartbeat not logged: ${(error as Error).message}`;
      deps.logger.error(reason, { event: 'deploy_heartbeat' });
    }
    const body = JSON.stringify({
      Status: status,
      Reason: reason,
      PhysicalResourceId: 'PhysicalResourceId' in event && event.PhysicalResourceId ? event.PhysicalResourceId : 'enrichment-deploy-heartbeat',
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: {},
    });
    // The presigned URL takes a PUT with no content type.
    const response = await (deps.fetchImpl ?? fetch)(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) {
      throw new Error(`CloudFormation did not take the answer: HTTP ${response.status}`);
    }
  };
}

let production: ReturnType<typeof createHeartbeatHandler> | undefined;

export const handler = (event: CloudFormationCustomResourceEvent): Promise<void> => {
  production ??= createHeartbeatHandler({ logger: createLogger({ service: 'deploy-heartbeat' }), settleMs: Number(process.env.HEARTBEAT_SETTLE_MS ?? 30_000) });
  return production(event);
};
