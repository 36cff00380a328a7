/** Activity over time: messages and active members per day, week or month, on a continuous axis with zoom. */
import { draw } from '../charts';
import { SERIES } from '../colors';
import { activitySeries, type Granularity } from '../data';
import { h } from '../dom';
import { fmtNumber } from '../format';
import { t } from '../i18n';
import { card, chartBox, table } from '../ui';
import { bucketLabel, timeAxis, valueAxis, zoom } from './common';
import type { ViewContext } from './index';

export function renderActivity({ m, f, el, gran, setGran }: ViewContext): void {
  const switcher = h('div', { class: 'switch', role: 'group', 'aria-label': t('perDay') });
  for (const [g, label] of [['day', t('perDay')], ['week', t('perWeek')], ['month', t('perMonth')]] as Array<[Granularity, string]>) {
    const b = h('button', { type: 'button', 'data-granularity': g, 'aria-pressed': g === gran ? 'true' : 'false', class: g === gran ? 'active' : '' }, label);
    b.addEventListener('click', () => setGran(g));
    switcher.append(b);
  }
  const s = activitySeries(m, f, gran);
  const box = chartBox('large');
  el.append(card(t('activityTitle'), { wide: true, facts: ['activity'], note: t('granularityExact'), id: 'activity' }, switcher, box));
  draw(box, 'activity', {
    legend: { top: 0 },
    grid: { left: 64, right: 64, top: 36, bottom: 64 },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: timeAxis(m, gran),
    yAxis: [valueAxis(t('messages')), valueAxis(t('activeMembers'), { position: 'right', splitLine: { show: false } })],
    dataZoom: zoom(),
    series: [
      { name: t('messages'), type: 'bar', itemStyle: { color: SERIES.messages }, data: s.starts.map((d, i) => [m.dayMs(d), s.messages[i]]) },
      { name: t('activeMembers'), type: 'line', yAxisIndex: 1, showSymbol: s.starts.length < 60, itemStyle: { color: SERIES.active }, data: s.starts.map((d, i) => [m.dayMs(d), s.active[i]]) },
    ],
  });
  const rows = s.starts.map((d, i) => [bucketLabel(m, d, gran), fmtNumber(s.messages[i]!), fmtNumber(s.active[i]!)]).reverse();
  el.append(
    card(t('dataTable'), { wide: true, id: 'activity-table' }, h('details', { class: 'data' }, h('summary', {}, `${t('date')} · ${t('messages')} · ${t('activeMembers')}`), table([t('date'), t('messages'), t('activeMembers')], rows, [false, true, true]))),
  );
}
