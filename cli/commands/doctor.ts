/**
 * `tgpipe doctor`: is the deployment healthy? On AWS (default) every stage from the stack's outputs to
 * the alarms; with --data DIR the local face. One line per check, a fix under each that did not pass;
 * exit 0 when nothing failed, 1 otherwise.
 */
import { addDays, dateInOffset } from '../../core/context-date';
import { exitCodeOf, renderJson, renderText, type CheckResult } from '../../core/doctor/result';
import { DEFAULT_TELEGRAM_API_BASE } from '../../core/telegram-api';
import { stackNameOf } from '../aws-athena';
import { UsageError, utcOffsetOption, type CliIo, type OptionValues } from '../command';

interface Values {
  data?: string;
  stack?: string;
  region?: string;
  days: string;
  'utc-offset'?: string;
  format: string;
  token?: string;
  'api-base'?: string;
}

/** The last `n` days ending today in the offset, oldest first. */
export function recentDays(now: number, n: number, zone: Parameters<typeof dateInOffset>[1]): string[] {
  const today = dateInOffset(now, zone);
  return Array.from({ length: n }, (_, i) => addDays(today, i - n + 1));
}

export async function run(options: OptionValues, _positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  const days = Number(values.days);
  if (!/^\d+$/.test(values.days) || days < 1 || days > 90) throw new UsageError(`--days must be an integer from 1 to 90, not "${values.days}"`);
  const zone = utcOffsetOption(values['utc-offset'], io.env).minutes;
  const apiBase = values['api-base'] ?? (io.env.TELEGRAM_API_BASE || DEFAULT_TELEGRAM_API_BASE);
  const now = Date.now();
  let results: CheckResult[];
  let heading: string;
  if (values.data !== undefined) {
    const [{ gatherLocalFacts }, { localChecks }] = await Promise.all([import('../../local/doctor'), import('../../core/doctor/local')]);
    const facts = await gatherLocalFacts({ dataDir: values.data, zone, env: io.env, token: values.token, telegramApiBase: apiBase, now });
    results = localChecks(facts);
    heading = `tgpipe doctor: local data folder ${facts.dataDir}`;
  } else {
    if (values.token !== undefined) throw new UsageError('--token is for the local face (--data DIR); on AWS the bot token comes from the stack\'s secret');
    const [{ doctorClients, gatherAwsFacts }, { awsChecks }] = await Promise.all([import('../../adapters/aws/doctor'), import('../../core/doctor/aws')]);
    const stackName = stackNameOf(values, io.env);
    const facts = await gatherAwsFacts(doctorClients(values.region), {
      stackName,
      ...(values.region ? { region: values.region } : {}),
      days: recentDays(now, days, zone),
      now,
      telegramApiBase: apiBase,
    });
    results = awsChecks(facts);
    heading = `tgpipe doctor: stack ${stackName}${values.region ? ` in ${values.region}` : ''}`;
  }
  if (values.format === 'json') io.stdout(renderJson(results));
  else io.stdout(renderText(results, { colour: Boolean(io.isTTY?.stdout) && !io.env.NO_COLOR, heading }));
  return exitCodeOf(results);
}
