/**
 * Reads a Secrets Manager secret with the SDK's GetSecretValue: the webhook's fallback in regions where
 * AWS publishes no arm64 Parameters and Secrets extension layer (infra/regions.ts). The client is
 * loaded by a dynamic import on the first read only, so a bundle that never takes this path does not
 * evaluate it at load (bench/cold-start.ts measures the webhook bundle's load time).
 */
import { extractToken } from './secrets-extension';

export interface SecretsSdkOptions {
  readonly region?: string;
  /** Upper bound on one read (connect + answer). */
  readonly timeoutMs?: number;
  /** For tests: the endpoint to call instead of the region's. */
  readonly endpoint?: string;
}

let client: Promise<{ send(command: unknown): Promise<{ SecretString?: string }>; command(arn: string): unknown }> | undefined;

async function sdkClient(options: SecretsSdkOptions) {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const timeout = options.timeoutMs ?? 2000;
  const c = new sdk.SecretsManagerClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, throwOnRequestTimeout: true },
  });
  return {
    send: (command: unknown) => c.send(command as InstanceType<typeof sdk.GetSecretValueCommand>),
    command: (arn: string) => new sdk.GetSecretValueCommand({ SecretId: arn }),
  };
}

/** A secret's SecretString as stored (the pseudonym key, the opt-out list). */
export async function readSecretStringViaSdk(secretArn: string, what = 'the secret', options: SecretsSdkOptions = {}): Promise<string> {
  // One client per container (a failed load is tried again at the next read).
  client ??= sdkClient(options).catch((error) => {
    client = undefined;
    throw error;
  });
  const c = await client;
  const response = await c.send(c.command(secretArn));
  if (!response.SecretString) throw new Error(`${what} has no SecretString`);
  return response.SecretString;
}

/** The webhook secret's token (bare or `{"token": ...}`). */
export async function readSecretViaSdk(secretArn: string, options: SecretsSdkOptions = {}): Promise<string> {
  return extractToken(await readSecretStringViaSdk(secretArn, 'the webhook secret', options));
}

/** For tests: forget the client (a new endpoint). */
export function resetSecretsSdkClient(): void {
  client = undefined;
}
