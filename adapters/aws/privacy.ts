/**
 * The AWS face's privacy settings for the batch jobs (enrichment, erase, retention): DATA_MODE and the
 * pseudonym key from its Secrets Manager secret (the webhook reads it through the extension instead).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseDataMode, type DataMode } from '../../core/privacy/data-mode';
import { createPseudonymizer, type Pseudonymizer } from '../../core/privacy/pseudonym';

export async function readSecretString(client: SecretsManagerClient, secretId: string): Promise<string> {
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!answer.SecretString) throw new Error(`secret ${secretId} has no SecretString`);
  return answer.SecretString;
}

/** DATA_MODE and, when PSEUDONYM_KEY_SECRET_ARN is set, the pseudonymizer of its key. */
export async function awsPrivacy(env: NodeJS.ProcessEnv, client: SecretsManagerClient = new SecretsManagerClient({})): Promise<{ mode: DataMode; pseudonymize?: Pseudonymizer }> {
  const mode = parseDataMode(env.DATA_MODE);
  const arn = env.PSEUDONYM_KEY_SECRET_ARN;
  if (!arn) {
    if (mode === 'pseudonymous') throw new Error('DATA_MODE is pseudonymous but PSEUDONYM_KEY_SECRET_ARN is not set');
    return { mode };
  }
  return { mode, pseudonymize: createPseudonymizer(await readSecretString(client, arn)) };
}
