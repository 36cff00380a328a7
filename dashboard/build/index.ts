/**
 * The dashboard builder: SQL on any QueryEngine (Athena on AWS, DuckDB locally) -> the data model ->
 * one self-contained HTML page. `tgpipe report` writes it to a file; `tgpipe serve` builds it at start and
 * after each enrichment and serves the same string at `/`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { QueryEngine } from '../../ports/catalog';
import type { DashboardData } from '../model';
import { webBundle } from './bundle';
import { collectDashboardData, type CollectOptions } from './collect';
import { renderHtml } from './html';

export type DashboardOptions = CollectOptions;

export interface BuiltDashboard {
  readonly html: string;
  readonly data: DashboardData;
  /** Milliseconds in SQL and in assembling the page. */
  readonly ms: { readonly queries: number; readonly total: number };
}

/** Builds the page from the engine's tables (the engine stays open; the caller closes it). */
export async function buildDashboard(engine: QueryEngine, options: DashboardOptions = {}): Promise<string> {
  return (await buildDashboardDetailed(engine, options)).html;
}

export async function buildDashboardDetailed(engine: QueryEngine, options: DashboardOptions = {}): Promise<BuiltDashboard> {
  const started = performance.now();
  const [data, web] = await Promise.all([collectDashboardData(engine, options), webBundle()]);
  const queries = performance.now() - started;
  const html = renderHtml(data, web);
  return { html, data, ms: { queries: Math.round(queries), total: Math.round(performance.now() - started) } };
}

/** Builds the page and writes it; returns its size in bytes. */
export async function writeDashboard(engine: QueryEngine, out: string, options: DashboardOptions = {}): Promise<number> {
  const html = await buildDashboard(engine, options);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, html);
  return Buffer.byteLength(html);
}

export { collectDashboardData } from './collect';
export { ORIGINAL_REPORTS } from './collect';
