/** Reactions: which are used, who reacts, who gets them, the most reacted messages. */
import { draw } from '../charts';
import { memberColor, SERIES } from '../colors';
import { reactionStats } from '../data';
import { h } from '../dom';
import { fmtDay, fmtNumber } from '../format';
import { kindName, t } from '../i18n';
import { TOP_MESSAGES_PER_CHAT } from '../../model';
import { card, chartBox, emptyNote } from '../ui';
import { chartHeight, memberBars, shareBars } from './common';
import type { ViewContext } from './index';

const reactionLabel = (r: string): string => (r === 'paid' ? '⭐ paid' : r.length > 8 ? `custom ${r.slice(0, 6)}…` : r);

export function renderReactions({ m, f, el, pickMember }: ViewContext): void {
  const s = reactionStats(m, f);
  const facts = ['reactions', 'reactionCounts'];
  if (!s.emoji.length && !s.given.length && !s.received.length) {
    el.append(card(t('viewReactions'), { wide: true, facts, id: 'reactions' }, emptyNote(t('reactionsMissing'))));
  } else {
    const emoji = s.emoji.slice(0, 15);
    const box = chartBox('medium');
    box.style.height = chartHeight(emoji.length);
    el.append(card(t('emojiTitle'), { facts, note: `${t('granularityChat')}${f.member >= 0 ? ` ${t('reactionsNotPerMember')}` : ''}`, id: 'emoji' }, emoji.length ? box : emptyNote()));
    if (emoji.length) draw(box, 'emoji', shareBars(emoji.map((e) => reactionLabel(m.d.emoji[e.emoji]!)), emoji.map((e) => e.n), t('reactions'), SERIES.active));
    for (const [name, rows, title] of [['given', s.given, t('whoReacts')], ['received', s.received, t('whoGetsReactions')]] as const) {
      const b = chartBox('medium');
      b.style.height = chartHeight(Math.min(15, rows.length));
      el.append(card(title, { facts, note: t('granularityExact'), id: `reactions-${name}` }, rows.length ? b : emptyNote()));
      if (rows.length) draw(b, `reactions-${name}`, memberBars(m, rows.map((r) => ({ member: r.member, n: r.n })), t('reactions')));
    }
  }
  const top = s.top.slice(0, 15);
  const list = h(
    'ol',
    { class: 'top-messages' },
    ...top.map((x) => {
      const who = m.d.members[x.member]!;
      const b = h('button', { type: 'button', class: 'member-link' }, h('span', { class: 'dot', style: `background:${memberColor(x.member)}` }), who.name);
      b.addEventListener('click', () => pickMember(x.member));
      return h('li', {}, h('div', { class: 'msg-text' }, x.text || `[${kindName(x.kind)}]`), h('div', { class: 'msg-meta' }, b, ` · ${fmtDay(m.dayMs(x.day))}${m.d.chats.length > 1 ? ` · ${m.d.chats[x.chat]!.title}` : ''} · `, h('strong', {}, `${fmtNumber(x.reactions)} ${t('reactions').toLowerCase()}`)));
    }),
  );
  el.append(card(t('mostReacted'), { wide: true, facts: ['topMessages'], note: t('mostReactedNote', { n: TOP_MESSAGES_PER_CHAT }), id: 'top-messages' }, top.length ? list : emptyNote()));
}
