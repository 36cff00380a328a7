/** Shared pieces of the views: cards with their SQL one click away, notes, empty states. */
import type { FactSql } from '../model';
import { h, type Child } from './dom';
import { t } from './i18n';

export interface CardOptions {
  /** Granularity or caveat, shown under the title. */
  readonly note?: string;
  /** Names of the facts (queries) the card's numbers come from. */
  readonly facts?: readonly string[];
  readonly wide?: boolean;
  readonly id?: string;
}

let allFacts: readonly FactSql[] = [];
export function setFacts(facts: readonly FactSql[]): void {
  allFacts = facts;
}

export function sqlDetails(names: readonly string[]): HTMLElement | null {
  const facts = names.map((n) => allFacts.find((f) => f.name === n)).filter((f): f is FactSql => f !== undefined);
  if (!facts.length) return null;
  return h(
    'details',
    { class: 'sql' },
    h('summary', {}, t('showSql')),
    ...facts.map((f) => h('div', { class: 'fact' }, h('div', { class: 'fact-head' }, h('code', {}, f.name), ' · ', t('ms', { ms: f.ms, rows: f.rows }), f.error ? h('span', { class: 'err' }, ' ', t('failed', { error: f.error })) : null), h('pre', {}, f.sql))),
  );
}

export function card(title: string, options: CardOptions, ...body: Child[]): HTMLElement {
  return h(
    'section',
    { class: `card${options.wide ? ' wide' : ''}`, ...(options.id ? { 'data-card': options.id } : {}) },
    h('h2', {}, title),
    options.note ? h('p', { class: 'note' }, options.note) : null,
    ...body,
    options.facts ? sqlDetails(options.facts) : null,
  );
}

export const chartBox = (size: 'small' | 'medium' | 'large' = 'medium'): HTMLDivElement => h('div', { class: `chart ${size}` });

export const emptyNote = (text = t('nothing')): HTMLElement => h('p', { class: 'empty' }, text);

export function table(head: readonly string[], rows: readonly Child[][], numeric: readonly boolean[] = []): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...head.map((c, i) => h('th', { class: numeric[i] ? 'num' : '' }, c)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', { class: numeric[i] ? 'num' : '' }, c))))),
    ),
  );
}
