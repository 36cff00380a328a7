/**
 * Ingestion: Telegram -> API Gateway HTTP API (POST /webhook; other methods answered 405 by the Lambda) -> webhook Lambda -> Firehose,
 * or with `ingress=functionUrl` a Lambda function URL (no per-request charge; auth NONE, the secret is
 * checked in the Lambda as always; throttling then rests on the function's concurrency).
 * Also the two Telegram secrets: the webhook secret token (generated here, in Telegram's charset) and the
 * slot for the bot token (set by the operator, never in the template).
 */
import { Duration, SecretValue, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { removalPolicyOf } from './buckets';
import type { StackConfig } from './config';
import { PipelineFunction } from './lambda';
import { WEBHOOK_PATH } from '../core/webhook';
import { webhookSecretsAccess } from './secrets-access';

/** What monitoring watches in front of the webhook Lambda, whichever ingress is deployed. */
export interface IngressMetrics {
  /** `httpApi` or `functionUrl`, for titles and descriptions. */
  readonly name: string;
  readonly requests: cloudwatch.IMetric;
  readonly clientErrors: cloudwatch.IMetric;
  readonly serverErrors: cloudwatch.IMetric;
}

export interface IngestionProps {
  readonly config: StackConfig;
  readonly deliveryStream: firehose.IDeliveryStream;
}

export class Ingestion extends Construct {
  readonly webhookSecret: secretsmanager.Secret;
  readonly botTokenSecret: secretsmanager.Secret;
  readonly webhook: PipelineFunction;
  /** Undefined with `ingress=functionUrl`. */
  readonly api?: apigwv2.HttpApi;
  readonly stage?: apigwv2.HttpStage;
  readonly functionUrl?: lambda.FunctionUrl;
  readonly webhookUrl: string;
  readonly ingressMetrics: IngressMetrics;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const { config } = props;

    this.webhookSecret = new secretsmanager.Secret(this, 'WebhookSecret', {
      description: 'Telegram webhook secret_token (X-Telegram-Bot-Api-Secret-Token); `tgpipe set-webhook` registers it',
      generateSecretString: {
        // Letters and digits only: inside Telegram's charset (A-Z a-z 0-9 _ -) whatever the generator picks.
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'token',
        excludePunctuation: true,
        includeSpace: false,
        passwordLength: 64,
      },
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the webhook secret means calling Telegram setWebhook with the new value at the same moment; ' +
        'it is rotated by hand (new secret value, then `tgpipe set-webhook`), as the README says.',
    });

    this.botTokenSecret = new secretsmanager.Secret(this, 'BotToken', {
      description:
        'Telegram bot token from BotFather. Set it with: aws secretsmanager put-secret-value --secret-id <BotTokenSecretArn> --secret-string "<token>"',
      // A placeholder that is not a secret: the real token is put by the operator after deploying and
      // CloudFormation never sees it (an unchanged template property does not overwrite it on update).
      secretObjectValue: { token: SecretValue.unsafePlainText('') },
    });
    Validations.of(this.botTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The bot token is issued by Telegram BotFather; Secrets Manager cannot rotate it.',
    });

    // The extension layer where AWS publishes one for arm64, the SDK otherwise (infra/regions.ts).
    const secrets = webhookSecretsAccess(this);
    this.webhook = new PipelineFunction(this, 'Webhook', {
      entry: 'handlers/webhook.ts',
      description: 'Telegram webhook: checks the secret and the allow-list, wraps the update, puts it on Firehose',
      // CPU scales with memory and the cold start is on Telegram's delivery path.
      memoryMiB: 512,
      timeout: Duration.seconds(15),
      logRetentionDays: config.logRetentionDays,
      removalPolicy: removalPolicyOf(false),
      // None by default: any reservation fails the first deploy on a new account (quota 10, and Lambda
      // keeps 100 unreserved). Opt in with -c webhookReservedConcurrency=N (README, Context keys).
      reservedConcurrentExecutions: config.webhookReservedConcurrency,
      environment: {
        DELIVERY_STREAM_NAME: props.deliveryStream.deliveryStreamName,
        ALLOWED_CHAT_IDS: config.allowedChatIds,
        CONTEXT_UTC_OFFSET: config.utcOffset,
        TELEGRAM_WEBHOOK_SECRET_ARN: this.webhookSecret.secretArn,
        ...secrets.environment,
      },
      // The secret is read through the Parameters and Secrets extension (cached, no SDK client loaded).
      paramsAndSecrets: secrets.paramsAndSecrets,
    });
    secrets.finish(this.webhook.function);
    this.webhookSecret.grantRead(this.webhook.role);
    props.deliveryStream.grantPutRecords(this.webhook.role);

    if (config.ingress === 'functionUrl') {
      // Auth NONE: Telegram cannot sign requests; every request is authenticated in the Lambda by the
      // secret token header (401 otherwise), exactly as behind API Gateway. Every path reaches the
      // Lambda, which answers 404 outside /webhook.
      this.functionUrl = this.webhook.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
      this.webhookUrl = `${this.functionUrl.url}${WEBHOOK_PATH.slice(1)}`;
      const urlMetric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Lambda',
          metricName,
          dimensionsMap: { FunctionName: this.webhook.function.functionName },
          statistic: 'Sum',
          period: Duration.minutes(5),
        });
      this.ingressMetrics = {
        name: 'Lambda function URL',
        requests: urlMetric('UrlRequestCount'),
        clientErrors: urlMetric('Url4xxCount'),
        serverErrors: urlMetric('Url5xxCount'),
      };
      return;
    }

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyOf(false),
    });
    const api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Telegram webhook endpoint',
      createDefaultStage: false,
    });
    this.api = api;
    this.stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // No query string, no headers: the secret header never reaches the logs.
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTimeEpoch',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    api.addRoutes({
      path: WEBHOOK_PATH,
      // Every method reaches the Lambda, so a GET gets DESIGN's 405 (with Allow: POST), not API Gateway's 404.
      methods: [apigwv2.HttpMethod.ANY],
      integration: new HttpLambdaIntegration('WebhookIntegration', this.webhook.function, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Telegram cannot sign requests or send IAM/JWT credentials: every request is authenticated in the Lambda by ' +
        'the X-Telegram-Bot-Api-Secret-Token header (constant-time compare, 401 otherwise).',
    });
    this.webhookUrl = `${api.apiEndpoint}${WEBHOOK_PATH}`;
    const five = Duration.minutes(5);
    this.ingressMetrics = {
      name: 'API Gateway',
      requests: api.metricCount({ period: five }),
      clientErrors: api.metricClientError({ period: five }),
      serverErrors: api.metricServerError({ period: five }),
    };
  }
}
