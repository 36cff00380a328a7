/** Content: message kinds with their shares, and the top words, emoji, hashtags, mentions and domains (telegram_terms). */
import { draw } from '../charts';
import { SERIES } from '../colors';
import { kindCounts, topTerms } from '../data';
import { h } from '../dom';
import { fmtNumber } from '../format';
import { kindName, t, type StringKey } from '../i18n';
import { TOP_TERMS } from '../../model';
import { card, chartBox, emptyNote } from '../ui';
import { chartHeight, shareBars } from './common';
import type { ViewContext } from './index';

const TERM_KINDS: Array<[string, StringKey]> = [['word', 'topWords'], ['emoji', 'topEmoji'], ['hashtag', 'topHashtags'], ['mention', 'topMentions'], ['domain', 'topDomains']];

export function renderContent({ m, f, el }: ViewContext): void {
  const kinds = kindCounts(m, f);
  const box = chartBox('medium');
  box.style.height = chartHeight(kinds.length);
  el.append(card(t('kindsTitle'), { wide: true, facts: ['activity'], note: t('granularityExact'), id: 'kinds' }, kinds.length ? box : emptyNote()));
  if (kinds.length) draw(box, 'kinds', shareBars(kinds.map((k) => kindName(m.d.kinds[k.kind]!)), kinds.map((k) => k.messages), t('messages'), SERIES.messages));

  if (!m.d.parts.terms.ok) {
    el.append(card(t('topWords'), { wide: true, facts: ['terms'], id: 'terms' }, emptyNote(t('termsMissing'))));
    return;
  }
  const note = `${t('termsGranularity', { n: TOP_TERMS })}${f.member >= 0 ? ` ${t('notPerMember')}` : ''}`;
  for (const [kind, label] of TERM_KINDS) {
    const top = topTerms(m, f, kind, 25);
    const list = h('ol', { class: 'terms', 'data-term-kind': kind }, ...top.map((x) => h('li', {}, h('span', { class: 'term' }, x.term), h('span', { class: 'num' }, fmtNumber(x.n)))));
    el.append(card(t(label), { facts: ['terms'], note, id: `terms-${kind}` }, top.length ? list : emptyNote()));
  }
}
