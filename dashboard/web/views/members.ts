/** Members: joins and leaves per day, and the member count over time (getChatMemberCount samples). */
import { draw } from '../charts';
import { SERIES } from '../colors';
import { joinSeries, memberCountSeries } from '../data';
import { fmtNumber } from '../format';
import { t } from '../i18n';
import { card, chartBox, emptyNote } from '../ui';
import { timeAxis, valueAxis, zoom } from './common';
import type { ViewContext } from './index';

export function renderMembers({ m, f, el }: ViewContext): void {
  const note = `${t('granularityChat')}${f.member >= 0 ? ` ${t('notPerMember')}` : ''}`;
  const js = joinSeries(m, f);
  const box = chartBox('large');
  el.append(card(t('joinsLeaves'), { wide: true, facts: ['joins'], note, id: 'joins' }, box));
  draw(box, 'joins', {
    legend: { top: 0 },
    grid: { left: 64, right: 24, top: 36, bottom: 64 },
    tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v: number) => fmtNumber(Math.abs(v)) },
    xAxis: timeAxis(m, 'day'),
    yAxis: valueAxis(t('membersCount'), { axisLabel: { formatter: (v: number) => fmtNumber(Math.abs(v)) } }),
    dataZoom: zoom(),
    series: [
      { name: t('joins'), type: 'bar', stack: 'members', itemStyle: { color: SERIES.joins }, data: js.days.map((d, i) => [m.dayMs(d), js.values[0]![i]]) },
      { name: t('leaves'), type: 'bar', stack: 'members', itemStyle: { color: SERIES.leaves }, data: js.days.map((d, i) => [m.dayMs(d), -js.values[1]![i]!]) },
    ],
  });

  const counts = memberCountSeries(m, f);
  const hasCounts = counts.counts.some((c) => c !== null);
  if (!hasCounts) {
    el.append(card(t('memberCountTitle'), { wide: true, facts: ['memberCount'], id: 'member-count' }, emptyNote(t('memberCountMissing'))));
    return;
  }
  const box2 = chartBox('medium');
  el.append(card(t('memberCountTitle'), { wide: true, facts: ['memberCount'], note, id: 'member-count' }, box2));
  draw(box2, 'member-count', {
    grid: { left: 72, right: 24, top: 24, bottom: 64 },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: timeAxis(m, 'day'),
    yAxis: valueAxis(t('memberCount'), { scale: true, nameGap: 56 }),
    dataZoom: zoom(),
    series: [{ name: t('memberCount'), type: 'line', step: 'end', showSymbol: false, itemStyle: { color: SERIES.count }, data: counts.days.map((d, i) => [m.dayMs(d), counts.counts[i]]) }],
  });
}
