/** Athena: statements to completion, paged and typed results, their cost, and the QueryEngine over them. */
export { AthenaEngine, type AthenaEngineOptions, type AthenaResult, type AthenaTotals } from './engine';
export { AthenaQueryError, executeStatement, isThrottling, type AthenaTarget, type ExecutionOptions } from './execution';
export { billedBytes, costUsd, describeStats, formatBytes, formatUsd, MIN_BILLED_BYTES, USD_PER_TB, type AthenaQueryStats } from './cost';
export { athenaValue, parseNested } from './values';
