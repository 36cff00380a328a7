/** `tgpipe export-user --user ID [--out FILE]`: a person's rows of both tables as JSON (an access request). */
import { writeFile } from 'node:fs/promises';
import { UsageError, type CliIo, type OptionValues } from '../spec';
import { parseIds } from './erase';

export async function run(values: OptionValues, _positionals: string[], io: CliIo): Promise<number> {
  const [user, ...more] = parseIds(values.user, '--user', true);
  if (user === undefined || more.length > 0) throw new UsageError('give one --user ID');
  const { exportUser } = await import('../../core/privacy/export-user');
  const { parseDataMode } = await import('../../core/privacy/data-mode');
  let engine;
  let pseudonymize;
  let mode;
  if ((values.target ?? 'local') === 'aws') {
    const { AthenaClient } = await import('@aws-sdk/client-athena');
    const { AthenaEngine } = await import('../../adapters/aws/athena');
    const { awsPrivacy } = await import('../../adapters/aws/privacy');
    const { needValue } = await import('../../adapters/aws/erase-target');
    const region = typeof values.region === 'string' ? { region: values.region } : {};
    const privacy = await awsPrivacy({ DATA_MODE: (values['data-mode'] as string | undefined) ?? io.env.DATA_MODE, PSEUDONYM_KEY_SECRET_ARN: (values['pseudonym-key-secret'] as string | undefined) ?? io.env.PSEUDONYM_KEY_SECRET_ARN });
    mode = privacy.mode;
    pseudonymize = privacy.pseudonymize;
    engine = new AthenaEngine(new AthenaClient(region), { workGroup: needValue(values, io.env, 'workgroup', 'ATHENA_WORKGROUP'), database: needValue(values, io.env, 'database', 'GLUE_DATABASE') });
  } else {
    const { DuckDbEngine } = await import('../../adapters/local/duckdb-engine');
    const { localPseudonymizer } = await import('../../adapters/local/privacy');
    mode = parseDataMode(io.env.DATA_MODE);
    pseudonymize = await localPseudonymizer(String(values.data), { create: false, env: io.env });
    engine = await DuckDbEngine.open(String(values.data));
  }
  if (mode === 'pseudonymous' && !pseudonymize) throw new Error('pseudonymous mode, but no pseudonym key: the person cannot be found');
  try {
    const stored = mode === 'pseudonymous' ? pseudonymize!(user) : user;
    const result = await exportUser(engine, user, stored);
    const text = `${JSON.stringify(result, null, 1)}\n`;
    if (typeof values.out === 'string') {
      await writeFile(values.out, text, { mode: 0o600 });
      io.stderr(`wrote ${result.telegram.length} message row(s) and ${result.telegram_events.length} event row(s) of user ${user} to ${values.out}\n`);
    } else io.stdout(text);
    return 0;
  } finally {
    await engine.close();
  }
}
