/**
 * Reads a Secrets Manager secret by ARN through the AWS Parameters and Secrets Lambda Extension
 * (localhost:2773). The extension caches and refreshes the value; using it keeps the Secrets Manager SDK
 * client out of the webhook bundle, whose load time is on Telegram's critical path at every cold start.
 */
export interface SecretsExtensionOptions {
  readonly port?: number;
  readonly sessionToken?: string;
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
}

export async function readSecretViaExtension(secretArn: string, options: SecretsExtensionOptions = {}): Promise<string> {
  return extractToken(await readSecretStringViaExtension(secretArn, options, 'the webhook secret'));
}

/** A secret's SecretString as stored (the pseudonym key, the opt-out list), through the extension. */
export async function readSecretStringViaExtension(secretArn: string, options: SecretsExtensionOptions = {}, what = 'the secret'): Promise<string> {
  const port = options.port ?? Number(process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? 2773);
  const token = options.sessionToken ?? process.env.AWS_SESSION_TOKEN ?? '';
  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretArn)}`;
  const response = await (options.fetchImpl ?? fetch)(url, {
    headers: { 'X-Aws-Parameters-Secrets-Token': token },
    signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
  });
  if (!response.ok) throw new Error(`secrets extension answered ${response.status} for ${what}`);
  const body = (await response.json()) as { SecretString?: string };
  if (!body.SecretString) throw new Error(`${what} has no SecretString`);
  return body.SecretString;
}

/** The secret may be stored as the bare token or as JSON `{"token": "..."}` (generated secrets). */
export function extractToken(secretString: string): string {
  const trimmed = secretString.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as Record<string, unknown>;
    const token = parsed.token ?? parsed.secret_token ?? parsed.secret;
    if (typeof token !== 'string' || token === '') throw new Error('the webhook secret JSON has no "token" field');
    return token;
  }
  return trimmed;
}
