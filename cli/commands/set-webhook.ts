/**
 * `tgpipe set-webhook`: registers the stack's webhook with Telegram. Reads the stack outputs
 * (CloudFormation DescribeStacks) and the two secrets (Secrets Manager) unless flags give them, calls
 * `setWebhook` with the secret token, every update kind and max_connections, then prints
 * `getWebhookInfo`. Neither the bot token nor the secret is ever printed.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SECRET_TOKEN_PATTERN } from '../../core/config';
import { DEFAULT_TELEGRAM_API_BASE, TelegramApi, type WebhookInfo } from '../../core/telegram-api';
import { ALL_UPDATE_KINDS } from '../../core/update-kinds';
import { WEBHOOK_PATH } from '../../core/webhook';
import { extractToken } from '../../adapters/aws/secrets-extension';
import { stackOutputs } from '../../adapters/aws/stack-outputs';
import { UsageError, type CliIo, type OptionValues } from '../command';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_STACK_NAME } from '../defaults';

export { DEFAULT_MAX_CONNECTIONS, DEFAULT_STACK_NAME };

/** AWS clients, replaceable in tests. */
export const aws = {
  cloudFormation: (region?: string) => new CloudFormationClient(region ? { region } : {}),
  secretsManager: (region?: string) => new SecretsManagerClient(region ? { region } : {}),
};


async function readOutputs(stackName: string, region?: string): Promise<Record<string, string>> {
  return stackOutputs(aws.cloudFormation(region), stackName);
}

async function secretValue(arn: string, what: string, region?: string): Promise<string> {
  const response = await aws.secretsManager(region).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!response.SecretString) throw new Error(`the ${what} secret has no value`);
  return response.SecretString;
}

function describeInfo(info: WebhookInfo): string {
  const lines = [
    `url:                  ${info.url || '(none)'}`,
    `pending_update_count: ${info.pending_update_count}`,
    `max_connections:      ${info.max_connections ?? '(default)'}`,
    `allowed_updates:      ${info.allowed_updates ? `${info.allowed_updates.length} kinds` : '(Telegram default)'}`,
  ];
  if (info.ip_address) lines.push(`ip_address:           ${info.ip_address}`);
  if (info.last_error_date) {
    lines.push(`last_error:           ${new Date(info.last_error_date * 1000).toISOString()} ${info.last_error_message ?? ''}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

/** max_connections from a flag or the stack's output: Telegram takes 1-100. */
function parseMaxConnections(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 100) {
    const message = `${what} must be an integer from 1 to 100, not "${text}"`;
    throw what.startsWith('--') ? new UsageError(message) : new Error(message);
  }
  return n;
}

/** Options as declared in cli/registry.ts. */
interface Values {
  stack?: string;
  region?: string;
  url?: string;
  secret?: string;
  token?: string;
  'max-connections'?: string;
  'drop-pending-updates': boolean;
  'api-base'?: string;
}

export async function run(options: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  let maxConnections = values['max-connections'] !== undefined ? parseMaxConnections(values['max-connections'], '--max-connections') : undefined;
  if (values.secret !== undefined && !SECRET_TOKEN_PATTERN.test(values.secret)) {
    throw new UsageError('--secret must be 1-256 characters of A-Z a-z 0-9 _ -');
  }
  const apiBase = values['api-base'] ?? (io.env.TELEGRAM_API_BASE || DEFAULT_TELEGRAM_API_BASE);
  const stackName = values.stack ?? (io.env.TGPIPE_STACK || DEFAULT_STACK_NAME);
  const region = values.region;

  let token = values.token ?? (io.env.TELEGRAM_BOT_TOKEN || undefined);
  let url = values.url;
  let secret = values.secret;
  if (url !== undefined && secret !== undefined && token === undefined) {
    // Nothing else would be read from a stack: say what is missing instead of failing on AWS credentials.
    throw new UsageError('no bot token: pass --token <token from BotFather> or set TELEGRAM_BOT_TOKEN');
  }
  if (url === undefined || secret === undefined || token === undefined) {
    let outputs: Record<string, string>;
    try {
      outputs = await readOutputs(stackName, region);
    } catch (error) {
      throw new Error(
        `could not read the outputs of stack ${stackName} (${(error as Error).message}): deploy it and configure AWS credentials and region, ` +
          'or pass --url, --secret and --token (a local server)',
        { cause: error },
      );
    }
    const need = (key: string): string => {
      const value = outputs[key];
      if (!value) throw new Error(`stack ${stackName} has no ${key} output (is it the pipeline's stack?)`);
      return value;
    };
    url ??= need('WebhookUrl');
    // The stack's maxConnections (context key) is what its concurrency was sized for: register that, not 40.
    if (maxConnections === undefined && outputs.MaxConnections) maxConnections = parseMaxConnections(outputs.MaxConnections, `stack ${stackName}'s MaxConnections output`);
    secret ??= extractToken(await secretValue(need('WebhookSecretArn'), 'webhook', region));
    if (token === undefined) {
      const stored = await secretValue(need('BotTokenSecretArn'), 'bot token', region);
      token = stored.trim().startsWith('{') ? (JSON.parse(stored) as { token?: string }).token || undefined : stored.trim();
      if (!token) {
        throw new Error(
          'the bot token is not set: aws secretsmanager put-secret-value --secret-id <BotTokenSecretArn> --secret-string "<token>" (or pass --token)',
        );
      }
    }
  }
  if (!SECRET_TOKEN_PATTERN.test(secret)) throw new Error('the stored webhook secret is not 1-256 characters of A-Z a-z 0-9 _ -');
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a URL`);
  }
  if (parsedUrl.protocol !== 'https:') throw new UsageError('Telegram only delivers to https:// webhook URLs');
  if (parsedUrl.pathname !== WEBHOOK_PATH) {
    // Telegram would POST to another path, answered 404/405 and retried for 24 h: most likely a tunnel's bare root.
    io.stderr(`warning: ${url} does not end in ${WEBHOOK_PATH}, the path the webhook answers on (tgpipe serve and the stack's API)\n`);
  }

  maxConnections ??= DEFAULT_MAX_CONNECTIONS;
  const api = new TelegramApi(token, { baseUrl: apiBase });
  await api.setWebhook({
    url,
    secret_token: secret,
    allowed_updates: ALL_UPDATE_KINDS,
    max_connections: maxConnections,
    drop_pending_updates: values['drop-pending-updates'],
  });
  io.stdout(`setWebhook ok: ${url} (bot ${api.botId}, ${ALL_UPDATE_KINDS.length} update kinds, max_connections ${maxConnections}` +
    `${values['drop-pending-updates'] ? ', pending updates dropped' : ''})\n`);
  const info = await api.getWebhookInfo();
  io.stdout(describeInfo(info));
  if (info.url !== url) {
    io.stderr(`warning: getWebhookInfo reports url ${info.url || '(none)'}, not ${url}\n`);
    return 1;
  }
  return 0;
}

