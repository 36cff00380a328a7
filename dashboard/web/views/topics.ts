/** Topics: messages per topic of forum supergroups, named by their forum_topic_created / _edited messages. */
import { draw } from '../charts';
import { SERIES } from '../colors';
import { topicCounts } from '../data';
import { t } from '../i18n';
import { card, chartBox, emptyNote } from '../ui';
import { chartHeight, shareBars } from './common';
import type { ViewContext } from './index';

export function renderTopics({ m, f, el }: ViewContext): void {
  const counts = topicCounts(m, f).slice(0, 30);
  const names = counts.map(({ topic }) => {
    const info = m.d.topics[topic]!;
    const label = info.thread === '' ? t('general') : info.name ?? `${t('topic')} #${info.thread}`;
    return f.chat < 0 && m.d.chats.length > 1 ? `${m.d.chats[info.chat]!.title} · ${label}` : label;
  });
  const notes = [t('granularityChat')];
  if (!m.d.parts.topicNames.ok) notes.push(t('topicsNamesMissing'));
  if (f.member >= 0) notes.push(t('notPerMember'));
  const box = chartBox('medium');
  box.style.height = chartHeight(counts.length);
  el.append(card(t('topicsTitle'), { wide: true, facts: ['topics', 'topicNames'], note: notes.join(' '), id: 'topics' }, counts.length ? box : emptyNote(t('topicsNone'))));
  if (counts.length) draw(box, 'topics', shareBars(names, counts.map((c) => c.messages), t('messages'), SERIES.messages));
}
