/**
 * `tgpipe optout add|remove|list [IDS]`: the user ids whose updates are never stored. Locally the data
 * folder's optout.json (a running `tgpipe serve` reads it again within 5 s); on AWS the OptOut secret
 * (`--target aws`, OPTOUT_SECRET_ARN or --secret ARN; warm webhook containers read it again within two
 * minutes: their one-minute refresh plus the extension's one-minute cache).
 */
import { editOptOut, parseOptOut, serialiseOptOut } from '../../core/privacy/optout';
import { UsageError, type CliIo, type OptionValues } from '../spec';
import { parseIds } from './erase';

interface ListStore {
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
  readonly where: string;
}

async function storeFor(values: OptionValues, io: CliIo): Promise<ListStore> {
  if ((values.target ?? 'local') === 'aws') {
    const arn = (values.secret as string | undefined) ?? io.env.OPTOUT_SECRET_ARN;
    if (!arn) throw new UsageError('--target aws needs --secret ARN (the stack output OptOutSecretArn) or OPTOUT_SECRET_ARN');
    const { SecretsManagerClient, PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const { readSecretString } = await import('../../adapters/aws/privacy');
    const client = new SecretsManagerClient(typeof values.region === 'string' ? { region: values.region } : {});
    return { where: arn, read: () => readSecretString(client, arn), write: async (text) => void (await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: text }))) };
  }
  const { optOutPath, readOptOutFile, writeOptOutFile } = await import('../../adapters/local/privacy');
  const dir = String(values.data);
  return { where: optOutPath(dir), read: () => readOptOutFile(dir), write: (text) => writeOptOutFile(dir, text) };
}

export async function run(values: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = positionals;
  if (action !== 'add' && action !== 'remove' && action !== 'list') throw new UsageError('give add, remove or list');
  const store = await storeFor(values, io);
  const list = parseOptOut(await store.read());
  if (action === 'list') {
    io.stdout(list.user_ids.length ? `${list.user_ids.join('\n')}\n` : '');
    io.stderr(`${list.user_ids.length} user id(s) opted out (${store.where})\n`);
    return 0;
  }
  const ids = parseIds(rest.join(','), action, true);
  if (ids.length === 0) throw new UsageError(`give the user ids to ${action}`);
  const { list: next, changed } = editOptOut(list, action, ids);
  if (changed.length > 0) await store.write(serialiseOptOut(next));
  io.stdout(`${action === 'add' ? 'added' : 'removed'} ${changed.length} of ${ids.length} (${next.user_ids.length} opted out now, ${store.where})\n`);
  if (action === 'add' && changed.length > 0) io.stdout('Their past data stays until erased: tgpipe erase --user ID\n');
  return 0;
}
