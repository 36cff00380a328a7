/** When people write: weekday x hour in the configured zone. */
import { draw } from '../charts';
import { memberWeekHourGrid, weekHourGrid } from '../data';
import { h } from '../dom';
import { fmtNumber, fmtWeekday } from '../format';
import { t } from '../i18n';
import { TOP_MEMBERS_DETAIL } from '../../model';
import { card, chartBox, emptyNote } from '../ui';
import type { ViewContext } from './index';

export function heatmapOption(grid: number[][], dark: boolean) {
  const cells: Array<[number, number, number]> = [];
  let max = 0;
  grid.forEach((row, wd) => row.forEach((v, hour) => {
    cells.push([hour, wd, v]);
    if (v > max) max = v;
  }));
  const days = [1, 2, 3, 4, 5, 6, 7].map(fmtWeekday);
  return {
    grid: { left: 56, right: 16, top: 16, bottom: 90 },
    tooltip: { trigger: 'item', renderMode: 'richText', formatter: (p: { value: [number, number, number] }) => `${days[p.value[1]]} ${String(p.value[0]).padStart(2, '0')}:00 — ${fmtNumber(p.value[2])}` },
    xAxis: { type: 'category', name: t('hour'), nameLocation: 'middle', nameGap: 28, data: Array.from({ length: 24 }, (_, i) => String(i)), splitArea: { show: true } },
    yAxis: { type: 'category', name: t('weekday'), nameLocation: 'middle', nameGap: 44, inverse: true, data: days, splitArea: { show: true } },
    visualMap: { min: 0, max: Math.max(1, max), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: dark ? ['#1e293b', '#3b82f6', '#bfdbfe'] : ['#f1f5f9', '#93c5fd', '#1d4ed8'] }, formatter: (v: number) => fmtNumber(Math.round(v)) },
    series: [{ type: 'heatmap', data: cells, label: { show: false }, emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } } }],
  };
}

export function renderHours({ m, f, el }: ViewContext): void {
  const dark = document.documentElement.dataset.theme === 'dark';
  const box = chartBox('large');
  if (f.member >= 0) {
    const name = m.d.members[f.member]!.name;
    const grid = memberWeekHourGrid(m, f.chat, f.member);
    if (!grid) {
      el.append(card(t('heatmapTitle', { zone: m.d.timeZone }), { wide: true, facts: ['memberHours'], id: 'heatmap' }, emptyNote(t('heatmapMemberMissing', { n: TOP_MEMBERS_DETAIL, name }))));
      return;
    }
    el.append(card(t('heatmapTitle', { zone: m.d.timeZone }), { wide: true, facts: ['memberHours'], note: t('heatmapMember', { name }), id: 'heatmap' }, box));
    draw(box, 'heatmap', heatmapOption(grid, dark));
    return;
  }
  const grid = weekHourGrid(m, f);
  el.append(card(t('heatmapTitle', { zone: m.d.timeZone }), { wide: true, facts: ['hours'], note: t('granularityChat'), id: 'heatmap' }, box, h('p', { class: 'note' }, `Σ ${fmtNumber(grid.flat().reduce((s, v) => s + v, 0))} ${t('messages').toLowerCase()}`)));
  draw(box, 'heatmap', heatmapOption(grid, dark));
}
