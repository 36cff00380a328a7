/** Conversation: who replies to whom (a network of the most active members), and the time to the first reply. */
import { draw } from '../charts';
import { memberColor, SERIES } from '../colors';
import { bucketLow, replyPairs, replyTimes } from '../data';
import { h } from '../dom';
import { fmtDuration, fmtNumber } from '../format';
import { t } from '../i18n';
import { TOP_MEMBERS_DETAIL } from '../../model';
import { card, chartBox, emptyNote } from '../ui';
import { valueAxis } from './common';
import type { ViewContext } from './index';

const MAX_NODES = 30;

export function renderConversation({ m, f, el }: ViewContext): void {
  const pairs = replyPairs(m, f).filter((p) => p.from !== p.to);
  const weight = new Map<number, number>();
  for (const p of pairs) {
    weight.set(p.from, (weight.get(p.from) ?? 0) + p.n);
    weight.set(p.to, (weight.get(p.to) ?? 0) + p.n);
  }
  const nodes = [...weight.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, MAX_NODES);
  const keep = new Set(nodes.map(([n]) => n));
  const links = pairs.filter((p) => keep.has(p.from) && keep.has(p.to));
  const maxW = Math.max(1, ...nodes.map(([, w]) => w));
  const maxL = Math.max(1, ...links.map((l) => l.n));
  const box = chartBox('large');
  el.append(card(t('replyNetwork'), { wide: true, facts: ['replyPairs'], note: t('replyNetworkNote', { n: TOP_MEMBERS_DETAIL }), id: 'network' }, links.length ? box : emptyNote()));
  if (links.length) {
    draw(box, 'network', {
      tooltip: {
        trigger: 'item',
        renderMode: 'richText',
        formatter: (p: { dataType: string; data: { name?: string; value: number; source?: string; target?: string } }) =>
          p.dataType === 'edge' ? `${m.d.members[Number(p.data.source)]!.name} → ${m.d.members[Number(p.data.target)]!.name}: ${fmtNumber(p.data.value)}` : `${p.data.name}: ${fmtNumber(p.data.value)}`,
      },
      series: [
        {
          type: 'graph',
          layout: 'circular',
          circular: { rotateLabel: true },
          roam: true,
          label: { show: true, position: 'right', formatter: '{b}' },
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: 6,
          data: nodes.map(([member, w]) => ({ id: String(member), name: m.d.members[member]!.name, value: w, symbolSize: 8 + 28 * Math.sqrt(w / maxW), itemStyle: { color: memberColor(member) } })),
          links: links.map((l) => ({ source: String(l.from), target: String(l.to), value: l.n, lineStyle: { width: 0.5 + 6 * (l.n / maxL), color: memberColor(l.from), opacity: 0.55, curveness: 0.2 } })),
        },
      ],
    });
  }

  const rt = replyTimes(m, f);
  const note = t('replyTimeNote');
  const head = h('div', { class: 'tiles' }, h('div', { class: 'tile', 'data-kpi': 'medianReply', 'data-value': rt.median === null ? '' : String(Math.round(rt.median)) }, h('div', { class: 'tile-label' }, t('medianReply')), h('div', { class: 'tile-value' }, rt.median === null ? '—' : fmtDuration(rt.median)), h('div', { class: 'tile-change' }, `${fmtNumber(rt.messages)} ${t('repliedMessages').toLowerCase()}`)));
  const hist = chartBox('medium');
  el.append(card(t('replyHistogram'), { wide: true, facts: ['replyTimes'], note, id: 'reply-times' }, head, rt.messages ? hist : emptyNote()));
  if (rt.messages) {
    const first = Math.max(0, rt.buckets.findIndex((n) => n > 0));
    const shown = rt.buckets.slice(first);
    draw(hist, 'reply-times', {
      grid: { left: 64, right: 24, top: 16, bottom: 56 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'category', name: t('replyHistogram'), nameLocation: 'middle', nameGap: 32, data: shown.map((_, b) => fmtDuration(bucketLow(b + first))) },
      yAxis: valueAxis(t('repliedMessages')),
      series: [{ name: t('repliedMessages'), type: 'bar', itemStyle: { color: SERIES.messages }, data: shown }],
    });
  }
}
