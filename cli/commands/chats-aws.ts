/**
 * `tgpipe chats --target aws`: stored chats from Athena, dropped ones from the webhook's log group
 * (adapters/aws/chats.ts), allowed per the deployed function's ALLOWED_CHAT_IDS; the same rows as the
 * local `tgpipe chats`.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { droppedChats, storedChats, webhookFunctionFacts, type ChatSighting } from '../../adapters/aws/chats';
import { loadConfig } from '../../core/config';
import { athenaTarget, needOutput, openAthena, readStackOutputs, stackNameOf } from '../aws-athena';
import { UsageError, type CliIo } from '../command';
import { iso, printChats, type ChatRow } from './chats';

/** The options of `tgpipe chats` this target reads (cli/registry.ts). */
export interface AwsValues {
  format: string;
  'allowed-chat-ids'?: string;
  stack?: string;
  region?: string;
  workgroup?: string;
  database?: string;
  function?: string;
  since: string;
}

export async function runAws(values: AwsValues, io: CliIo): Promise<number> {
  const days = Number(values.since);
  if (!/^\d+$/.test(values.since) || days < 1 || days > 3650) throw new UsageError(`--since must be a number of days from 1 to 3650, not "${values.since}"`);
  const stackName = stackNameOf(values, io.env);
  let functionName = values.function;
  let workgroup = values.workgroup;
  let database = values.database;
  if (functionName === undefined || ((workgroup ?? io.env.ATHENA_WORKGROUP) === undefined || (database ?? io.env.GLUE_DATABASE) === undefined)) {
    const outputs = await readStackOutputs(stackName, values.region, '--function, --workgroup and --database');
    functionName ??= needOutput(outputs, 'WebhookFunctionName', stackName);
    workgroup ??= outputs.AthenaWorkGroup;
    database ??= outputs.GlueDatabase;
  }
  const target = await athenaTarget({ ...values, workgroup, database }, io.env);
  const region = values.region ? { region: values.region } : {};
  const fn = await webhookFunctionFacts(new LambdaClient(region), functionName);
  let allowed: ReadonlySet<number>;
  try {
    allowed = loadConfig({}, { allowedChatIds: values['allowed-chat-ids'] ?? fn.allowedChatIds }).allowedChatIds;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const now = Date.now();
  const engine = await openAthena({ ...values, workgroup: target.workGroup, database: target.database }, io);
  let stored: Map<number, ChatSighting>;
  let dropped: Awaited<ReturnType<typeof droppedChats>>;
  try {
    [stored, dropped] = await Promise.all([storedChats(engine), droppedChats(new CloudWatchLogsClient(region), fn.logGroup, now - days * 86_400_000, now)]);
  } finally {
    await engine.close();
  }
  const ids = new Set<number>([...stored.keys(), ...dropped.chats.keys()]);
  const rows: ChatRow[] = [...ids].map((id) => {
    const s = stored.get(id);
    const d = dropped.chats.get(id);
    const type = s?.type ?? d?.type ?? null;
    const firsts = [s?.first, d?.first].filter((v): v is number => typeof v === 'number');
    const lasts = [s?.last, d?.last].filter((v): v is number => typeof v === 'number');
    return {
      chat_id: id,
      type,
      title: type === 'private' ? null : (s?.title ?? d?.title ?? null),
      allowed: allowed.has(id),
      first_seen: iso(firsts.length ? Math.min(...firsts) : null),
      last_seen: iso(lasts.length ? Math.max(...lasts) : null),
      stored: (s?.messages ?? 0) + (s?.events ?? 0),
      dropped: d?.dropped ?? 0,
      messages: s ? s.messages : null,
    };
  });
  // The webhook drops updates with no chat before the raw layer; the enrichment's own counts (raw lines of an
  // original bucket, in the day manifests) are not read here: the DroppedNoChat metric and doctor cover them.
  return printChats(rows, dropped.noChat, {}, values.format as 'table' | 'csv' | 'json', io, `no chats yet: none stored in ${target.database}, none dropped in ${fn.logGroup} in the last ${days} days`);
}
