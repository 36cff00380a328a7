/** For analysts: every query behind the page, and the original pipeline's six reports verbatim. */
import { h } from '../dom';
import { fmtNumber } from '../format';
import { t } from '../i18n';
import { card, table } from '../ui';
import type { ViewContext } from './index';

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function renderAnalysts({ m, el }: ViewContext): void {
  el.append(h('p', { class: 'intro' }, t('analystsIntro')));
  el.append(
    card(
      t('factsTitle'),
      { wide: true, id: 'facts' },
      ...m.d.facts.map((f) =>
        h('details', { class: 'sql', 'data-fact': f.name }, h('summary', {}, h('code', {}, f.name), ` — ${f.feeds} · ${t('ms', { ms: f.ms, rows: fmtNumber(f.rows) })}`, f.error ? h('span', { class: 'err' }, ` ${t('failed', { error: f.error })}`) : null), h('pre', {}, f.sql)),
      ),
    ),
  );
  const limit = Math.max(0, ...m.d.reports.map((r) => r.rows.length));
  el.append(h('h2', { class: 'section' }, t('originalTitle')));
  el.append(h('p', { class: 'note' }, t('originalNote', { n: limit })));
  for (const r of m.d.reports) {
    const body = r.error
      ? h('p', { class: 'err' }, t('failed', { error: r.error }))
      : h('div', {}, table(r.columns, r.rows.map((row) => row.map(cell)), r.columns.map((_, i) => typeof r.rows[0]?.[i] === 'number')), h('p', { class: 'note' }, t('rowsOf', { shown: fmtNumber(r.rows.length), total: fmtNumber(r.totalRows) })));
    el.append(
      card(
        r.title,
        { wide: true, note: `${r.description}${r.source ? ` (${r.source})` : ''}`, id: `report-${r.name}` },
        body,
        h('details', { class: 'sql', open: true }, h('summary', {}, `${t('showSql')} · reports/${r.file}`), h('pre', {}, r.sql)),
      ),
    );
  }
  el.append(h('h2', { class: 'section' }, t('otherReports')));
  for (const r of m.d.catalogue) {
    el.append(card(r.title, { wide: true, note: r.description, id: `catalogue-${r.name}` }, h('details', { class: 'sql' }, h('summary', {}, `${t('showSql')} · reports/${r.file} · tgpipe query ${r.name}`), h('pre', {}, r.sql))));
  }
}
