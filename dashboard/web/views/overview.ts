/** Overview: the period's headline numbers, each with its change against the previous period of the same length. */
import { draw } from '../charts';
import { memberColor, SERIES } from '../colors';
import { activitySeries, leaderboard, previousPeriod, summary, type Summary } from '../data';
import { h } from '../dom';
import { fmtChange, fmtNumber, fmtPercent } from '../format';
import { t, type StringKey } from '../i18n';
import { card, chartBox, table } from '../ui';
import { timeAxis, valueAxis, zoom } from './common';
import type { ViewContext } from './index';

const TILES: Array<{ key: keyof Summary; label: StringKey; percent?: boolean; chatLevel?: boolean }> = [
  { key: 'messages', label: 'messages' },
  { key: 'active', label: 'activeMembers' },
  { key: 'joins', label: 'newMembers', chatLevel: true },
  { key: 'leaves', label: 'leftMembers', chatLevel: true },
  { key: 'reactions', label: 'reactions' },
  { key: 'mediaShare', label: 'mediaShare', percent: true },
];

export function renderOverview({ m, f, el, pickMember }: ViewContext): void {
  const now = summary(m, f);
  const prevFilter = previousPeriod(f);
  const hasPrevious = prevFilter.from >= 0;
  const before = hasPrevious ? summary(m, prevFilter) : null;
  const days = f.to - f.from + 1;
  const tiles = h('div', { class: 'tiles' });
  for (const tile of TILES) {
    const value = now[tile.key];
    const old = before ? before[tile.key] : null;
    let change: string;
    let trend = 'flat';
    if (!before || old === null || value === null) change = t('noPrevious');
    else if (tile.percent) {
      const diff = (value as number) - (old as number);
      change = `${diff >= 0 ? '+' : '−'}${fmtNumber(Math.round(Math.abs(diff) * 1000) / 10)} pp ${t('vsPrevious', { n: days })}`;
      trend = diff > 0 ? 'up' : diff < 0 ? 'down' : 'flat';
    } else if (old === 0) change = value ? `+${fmtNumber(value as number)} ${t('vsPrevious', { n: days })}` : `= ${t('vsPrevious', { n: days })}`;
    else {
      const ratio = (value as number) / (old as number) - 1;
      change = `${fmtChange(ratio)} ${t('vsPrevious', { n: days })}`;
      trend = ratio > 0 ? 'up' : ratio < 0 ? 'down' : 'flat';
    }
    const shown = value === null ? '—' : tile.percent ? fmtPercent(value as number) : fmtNumber(value as number);
    tiles.append(
      h(
        'div',
        { class: 'tile', 'data-kpi': tile.key, 'data-value': value === null ? '' : String(value), 'data-previous': old === null ? '' : String(old) },
        h('div', { class: 'tile-label' }, t(tile.label)),
        h('div', { class: 'tile-value' }, shown),
        h('div', { class: `tile-change ${trend}` }, change),
        tile.chatLevel && f.member >= 0 ? h('div', { class: 'tile-note' }, t('notPerMember')) : null,
      ),
    );
  }
  el.append(card(t('viewOverview'), { wide: true, facts: ['activity', 'joins', 'reactions', 'reactionCounts'], note: t('granularityExact'), id: 'kpis' }, tiles));

  const series = activitySeries(m, f, 'day');
  const box = chartBox('medium');
  el.append(card(t('activityTitle'), { wide: true, facts: ['activity'], id: 'overview-activity' }, box));
  draw(box, 'overview-activity', {
    legend: { top: 0 },
    grid: { left: 64, right: 64, top: 36, bottom: 64 },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: timeAxis(m, 'day'),
    yAxis: [valueAxis(t('messages')), valueAxis(t('activeMembers'), { position: 'right', splitLine: { show: false } })],
    dataZoom: zoom(),
    series: [
      { name: t('messages'), type: 'bar', itemStyle: { color: SERIES.messages }, data: series.starts.map((d, i) => [m.dayMs(d), series.messages[i]]) },
      { name: t('activeMembers'), type: 'line', yAxisIndex: 1, showSymbol: false, itemStyle: { color: SERIES.active }, data: series.starts.map((d, i) => [m.dayMs(d), series.active[i]]) },
    ],
  });

  const top = leaderboard(m, f).slice(0, 5);
  const rows = top.map((r) => {
    const b = h('button', { type: 'button', class: 'member-link' }, h('span', { class: 'dot', style: `background:${memberColor(r.member)}` }), m.d.members[r.member]!.name);
    b.addEventListener('click', () => pickMember(r.member));
    return [b, fmtNumber(r.messages), fmtPercent(r.share)];
  });
  el.append(card(t('leaderboard'), { facts: ['activity', 'members'], id: 'overview-top' }, table([t('name'), t('messages'), t('share')], rows, [false, true, true])));
}
