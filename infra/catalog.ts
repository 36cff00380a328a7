/**
 * Catalog (presentation): the enriched bucket, the Glue Data Catalog generated from `schemas/` (database,
 * the raw table over the envelopes with partition projection, the enriched Parquet tables) and the
 * Athena workgroup whose results live outside every table folder.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENRICHED_TABLES, PARTITION_COLUMN, glueColumns, rawTable, type GlueColumn } from '../schemas';
import { ATHENA_RESULTS_PREFIX, RAW_PREFIX, tablePrefix } from '../schemas/layout';
import { dataBucket } from './buckets';
import type { StackConfig } from './config';

/** Name of the Glue table over the raw envelopes (its columns: `schemas/raw.ts`). */
export const RAW_TABLE_NAME = rawTable.name;

const glueColumn = (c: GlueColumn): glue.Column => ({ name: c.name, type: { inputString: c.type, isPrimitive: true }, comment: c.comment });

export interface CatalogProps {
  readonly config: StackConfig;
  readonly rawBucket: s3.IBucket;
  readonly logBucket: s3.IBucket;
}

export class Catalog extends Construct {
  readonly enrichedBucket: s3.Bucket;
  readonly database: glue.Database;
  readonly rawTable: glue.S3Table;
  readonly enrichedTables: glue.S3Table[];
  readonly workGroup: athena.CfnWorkGroup;
  readonly workGroupName: string;
  readonly workGroupArn: string;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    this.enrichedBucket = dataBucket(this, 'EnrichedBucket', {
      retainData: config.retainData,
      accessLogs: props.logBucket,
      accessLogsPrefix: 'enriched/',
      // Derived data, rebuilt from raw at will: no versioning (a re-run replaces a day's file).
      lifecycleRules: [
        { id: 'expire-athena-results', prefix: ATHENA_RESULTS_PREFIX, expiration: Duration.days(config.athenaResultsExpirationDays) },
      ],
    });

    this.database = new glue.Database(this, 'Database', {
      databaseName: config.glueDatabase,
      description: 'Telegram group analytics: raw envelopes and the enriched tables',
    });

    this.rawTable = new glue.S3Table(this, 'RawTable', {
      database: this.database,
      tableName: RAW_TABLE_NAME,
      description: 'Raw webhook envelopes as Firehose wrote them (gzip JSON lines); today is queryable at once.',
      storage: glue.S3TableStorage.fromBucket(props.rawBucket),
      s3Prefix: RAW_PREFIX,
      dataFormat: glue.DataFormat.JSON,
      compressed: true,
      columns: glueColumns(rawTable).map(glueColumn),
      partitionKeys: [glueColumn(PARTITION_COLUMN)],
      // SSE-S3 data: Athena needs no client-side decryption.
      hasEncryptedData: false,
      partitionProjection: {
        // Athena projects dates in UTC: east of UTC (a positive CONTEXT_UTC_OFFSET) the local day starts
        // before UTC's, and with max NOW today's context_date would be out of range until UTC midnight.
        [PARTITION_COLUMN.name]: glue.PartitionProjectionConfiguration.date({ min: '2020-01-01', max: 'NOW+1DAYS', format: 'yyyy-MM-dd' }),
      },
      parameters: {
        'storage.location.template': `s3://${props.rawBucket.bucketName}/${RAW_PREFIX}${PARTITION_COLUMN.name}=\${${PARTITION_COLUMN.name}}/`,
      },
    });
    // Escape hatch: the L2 has no SerDe parameters. One malformed line must not fail a whole query.
    (this.rawTable.node.defaultChild as glue.CfnTable).addPropertyOverride('TableInput.StorageDescriptor.SerdeInfo.Parameters', {
      'ignore.malformed.json': 'true',
    });

    this.enrichedTables = ENRICHED_TABLES.map(
      (table) =>
        new glue.S3Table(this, `Table-${table.name}`, {
          database: this.database,
          tableName: table.name,
          description: table.description,
          storage: glue.S3TableStorage.fromBucket(this.enrichedBucket),
          s3Prefix: tablePrefix(table.name),
          dataFormat: glue.DataFormat.PARQUET,
          columns: glueColumns(table).map(glueColumn),
          partitionKeys: [glueColumn(PARTITION_COLUMN)],
          hasEncryptedData: false,
          // No projection: the enrichment registers each day it writes (DESIGN.md, Presentation).
          parameters: { 'parquet.compression': 'SNAPPY', schema_version: String(table.version) },
        }),
    );

    this.workGroupName = `${stack.stackName}`.replace(/[^A-Za-z0-9._-]/g, '-');
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Telegram analytics queries: engine v3, encrypted results outside the table folders',
      state: 'ENABLED',
      // Lets `cdk destroy` remove the workgroup even when it holds saved queries.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: config.athenaBytesScannedCutoffGiB * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.enrichedBucket.s3UrlForObject(ATHENA_RESULTS_PREFIX),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: stack.account,
        },
      },
    });
    // The catalog and the workgroup are derived (from schemas/ and the buckets): they go with the stack
    // whatever retainData says, so a rollback or a destroy never leaves a fixed-name database behind to
    // fail the next deploy with "already exists". Only the buckets (generated names) keep the data; a
    // redeploy over kept buckets gets its partitions back with `tgpipe replay enrich --catalog-only`.
    for (const derived of [this.database, this.rawTable, ...this.enrichedTables]) derived.applyRemovalPolicy(RemovalPolicy.DESTROY);
    this.workGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);
    this.workGroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName });
  }
}
