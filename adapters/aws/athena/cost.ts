/**
 * What a statement cost, from its QueryExecution: Athena bills the bytes scanned at $5 per TB, rounded up
 * to the megabyte with a 10 MB minimum per query; DDL statements, failed queries and queries answered
 * from reused results are free; a cancelled query pays for what it scanned. TB and MB here are 2^40 and
 * 2^20 bytes. This is the list price (us-east-1), an estimate for the operator, not the bill.
 */
import type { QueryExecution } from '@aws-sdk/client-athena';

export const USD_PER_TB = 5;
const MB = 1024 ** 2;
const TB = 1024 ** 4;
export const MIN_BILLED_BYTES = 10 * MB;

export interface AthenaQueryStats {
  readonly queryExecutionId: string;
  readonly state: string;
  readonly statementType?: string;
  readonly scannedBytes: number;
  readonly billedBytes: number;
  readonly costUsd: number;
  /** Athena's engine time, and the whole time including the queue (ms). */
  readonly engineMs?: number;
  readonly totalMs?: number;
  readonly reusedResult: boolean;
  readonly rows?: number;
}

/** Bytes billed for an execution: 0 when free, else the scan rounded up to the MB, at least 10 MB. */
export function billedBytes(execution: QueryExecution | undefined): number {
  const state = execution?.Status?.State;
  if (state === 'FAILED' || execution?.StatementType === 'DDL' || execution?.Statistics?.ResultReuseInformation?.ReusedPreviousResult) return 0;
  if (state !== 'SUCCEEDED' && state !== 'CANCELLED') return 0;
  const scanned = execution?.Statistics?.DataScannedInBytes ?? 0;
  return Math.max(Math.ceil(scanned / MB) * MB, MIN_BILLED_BYTES);
}

export const costUsd = (billed: number): number => (billed / TB) * USD_PER_TB;

export function queryStats(execution: QueryExecution, rows?: number): AthenaQueryStats {
  const billed = billedBytes(execution);
  return {
    queryExecutionId: execution.QueryExecutionId ?? '',
    state: execution.Status?.State ?? 'UNKNOWN',
    ...(execution.StatementType ? { statementType: execution.StatementType } : {}),
    scannedBytes: execution.Statistics?.DataScannedInBytes ?? 0,
    billedBytes: billed,
    costUsd: costUsd(billed),
    ...(execution.Statistics?.EngineExecutionTimeInMillis !== undefined ? { engineMs: execution.Statistics.EngineExecutionTimeInMillis } : {}),
    ...(execution.Statistics?.TotalExecutionTimeInMillis !== undefined ? { totalMs: execution.Statistics.TotalExecutionTimeInMillis } : {}),
    reusedResult: execution.Statistics?.ResultReuseInformation?.ReusedPreviousResult ?? false,
    ...(rows !== undefined ? { rows } : {}),
  };
}

/** `1.5 MB`, `312 B`: binary units, as billed. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** `$0.000048`: enough digits to tell a minimum-charge query from a free one. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  return usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
}

/** One line for stderr after a query. */
export function describeStats(s: AthenaQueryStats): string {
  const time = s.totalMs !== undefined ? `, ${(s.totalMs / 1000).toFixed(1)} s` : '';
  const rows = s.rows !== undefined ? `${s.rows} row${s.rows === 1 ? '' : 's'}, ` : '';
  const free = s.billedBytes === 0 ? (s.reusedResult ? ' (reused result, free)' : s.statementType === 'DDL' ? ' (DDL, free)' : s.state === 'FAILED' ? ' (failed, free)' : '') : '';
  const billed = s.billedBytes > 0 && s.billedBytes !== s.scannedBytes ? `, billed ${formatBytes(s.billedBytes)}` : '';
  return `athena ${s.queryExecutionId} ${s.state}: ${rows}scanned ${formatBytes(s.scannedBytes)}${billed}, ${formatUsd(s.costUsd)}${free}${time}`;
}
