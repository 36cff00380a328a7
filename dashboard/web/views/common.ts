/** Chart options the views share: time axes with zoom, member-coloured bars, axis titles. */
import type { ChartOption } from '../charts';
import { memberColor } from '../colors';
import type { Granularity, Model } from '../data';
import { fmtCompact, fmtDay, fmtDayShort, fmtMonth, fmtNumber } from '../format';
import { t } from '../i18n';

export function bucketLabel(m: Model, start: number, g: Granularity): string {
  const ms = m.dayMs(start);
  return g === 'month' ? fmtMonth(ms) : g === 'week' ? `${t('perWeek')} ${fmtDayShort(ms)}` : fmtDay(ms);
}

export const valueAxis = (name: string, extra: Record<string, unknown> = {}) => ({
  type: 'value',
  name,
  nameLocation: 'middle',
  nameGap: 48,
  minInterval: 1,
  axisLabel: { formatter: (v: number) => fmtNumber(v) },
  ...extra,
});

/**
 * The value axis of a horizontal bar chart: compact ticks (50K) that drop rather than overlap; at phone
 * width "010,00020,000..." ran together. Each bar's label keeps the exact number.
 */
const barValueAxis = (name: string) => valueAxis(name, { nameGap: 26, splitNumber: 3, axisLabel: { hideOverlap: true, formatter: (v: number) => fmtCompact(v) } });

export function timeAxis(m: Model, g: Granularity, name = t('date')) {
  return {
    type: 'time',
    name,
    nameLocation: 'middle',
    nameGap: 30,
    axisLabel: { hideOverlap: true, formatter: (v: number) => (g === 'month' ? fmtMonth(v) : fmtDayShort(v)) },
  };
}

export const zoom = () => [
  { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
  { type: 'slider', xAxisIndex: 0, height: 18, bottom: 8, filterMode: 'none', labelFormatter: (v: number) => fmtDay(v) },
];

/** A horizontal bar chart of members (their colours), most first. */
export function memberBars(m: Model, rows: Array<{ member: number; n: number }>, axisName: string, limit = 15): ChartOption {
  const top = rows.slice(0, limit).reverse();
  return {
    grid: { left: 8, right: 56, top: 8, bottom: 40, containLabel: true },
    xAxis: barValueAxis(axisName),
    yAxis: { type: 'category', data: top.map((r) => m.d.members[r.member]!.name), axisLabel: { width: 140, overflow: 'truncate' } },
    tooltip: { trigger: 'item', renderMode: 'richText', formatter: (p: { name: string; value: number }) => `${p.name}: ${fmtNumber(p.value)}` },
    series: [
      {
        type: 'bar',
        data: top.map((r) => ({ value: r.n, itemStyle: { color: memberColor(r.member) } })),
        label: { show: true, position: 'right', formatter: (p: { value: number }) => fmtNumber(p.value) },
      },
    ],
  };
}

/** Horizontal bars with labels and the share of the total beside each value. */
export function shareBars(labels: string[], values: number[], axisName: string, color: string): ChartOption {
  const total = values.reduce((s, v) => s + v, 0) || 1;
  const pct = new Intl.NumberFormat(document.documentElement.lang, { style: 'percent', maximumFractionDigits: 1 });
  return {
    grid: { left: 8, right: 96, top: 8, bottom: 40, containLabel: true },
    xAxis: barValueAxis(axisName),
    yAxis: { type: 'category', data: [...labels].reverse(), axisLabel: { width: 160, overflow: 'truncate' } },
    tooltip: { trigger: 'item', renderMode: 'richText', formatter: (p: { name: string; value: number }) => `${p.name}: ${fmtNumber(p.value)} (${pct.format(p.value / total)})` },
    series: [
      {
        type: 'bar',
        data: [...values].reverse(),
        itemStyle: { color },
        label: { show: true, position: 'right', formatter: (p: { value: number }) => `${fmtNumber(p.value)} · ${pct.format(p.value / total)}` },
      },
    ],
  };
}

export const chartHeight = (rows: number): string => `${Math.max(160, Math.min(640, 40 + rows * 26))}px`;
