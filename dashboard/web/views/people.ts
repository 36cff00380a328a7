/** People: the leaderboard and the languages; with a member picked, that member's own page. */
import { draw } from '../charts';
import { memberColor, SERIES } from '../colors';
import { activitySeries, kindCounts, languageCounts, leaderboard, memberWeekHourGrid, repliesFrom } from '../data';
import { h } from '../dom';
import { fmtDecimal, fmtNumber, fmtPercent } from '../format';
import { kindName, languageName, t } from '../i18n';
import { TOP_MEMBERS_DETAIL } from '../../model';
import { card, chartBox, emptyNote, table } from '../ui';
import { chartHeight, memberBars, shareBars, timeAxis, valueAxis, zoom } from './common';
import type { ViewContext } from './index';

const LEADERBOARD_ROWS = 100;

export function renderPeople(ctx: ViewContext): void {
  if (ctx.f.member >= 0) {
    renderMember(ctx);
    return;
  }
  const { m, f, el, pickMember } = ctx;
  const rows = leaderboard(m, f);
  const body = rows.slice(0, LEADERBOARD_ROWS).map((r, i) => {
    const who = m.d.members[r.member]!;
    const b = h('button', { type: 'button', class: 'member-link', 'data-member': r.member }, h('span', { class: 'dot', style: `background:${memberColor(r.member)}` }), who.name);
    b.addEventListener('click', () => pickMember(r.member));
    return [
      String(i + 1),
      h('span', {}, b, who.username ? h('span', { class: 'muted' }, ` @${who.username}`) : null),
      fmtNumber(r.messages),
      fmtPercent(r.share),
      fmtNumber(r.activeDays),
      r.avgLength === null ? '—' : fmtDecimal(r.avgLength),
      fmtNumber(r.repliesReceived),
      fmtNumber(r.reactionsReceived),
    ];
  });
  el.append(
    card(
      t('leaderboard'),
      { wide: true, facts: ['activity', 'repliesIn', 'reactions', 'members'], note: `${t('granularityExact')} ${rows.length > LEADERBOARD_ROWS ? `${LEADERBOARD_ROWS} / ${fmtNumber(rows.length)}` : ''}`, id: 'leaderboard' },
      rows.length
        ? table([t('rank'), t('name'), t('messages'), t('share'), t('activeDays'), t('avgLength'), t('repliesReceived'), t('reactionsReceived')], body, [true, false, true, true, true, true, true, true])
        : emptyNote(),
    ),
  );
  const langs = languageCounts(m, rows);
  const box = chartBox('medium');
  box.style.height = chartHeight(Math.min(langs.length, 15));
  el.append(card(t('languages'), { facts: ['members', 'activity'], id: 'languages' }, langs.length ? box : emptyNote()));
  if (langs.length) draw(box, 'languages', shareBars(langs.slice(0, 15).map((l) => languageName(l.lang)), langs.slice(0, 15).map((l) => l.members), t('membersCount'), SERIES.neutral));
}

function renderMember({ m, f, el, gran, pickMember }: ViewContext): void {
  const who = m.d.members[f.member]!;
  const all = leaderboard(m, { ...f, member: -1 });
  const mine = all.find((r) => r.member === f.member);
  const rank = mine ? all.indexOf(mine) + 1 : null;
  const clearButton = h('button', { type: 'button', class: 'clear' }, t('clearMember'));
  clearButton.addEventListener('click', () => pickMember(-1));
  const facts = h(
    'dl',
    { class: 'member-facts' },
    ...([
      [t('messages'), mine ? fmtNumber(mine.messages) : '0'],
      [t('share'), mine ? fmtPercent(mine.share) : '—'],
      [t('rankLabel'), rank ? `${rank} / ${fmtNumber(all.length)}` : '—'],
      [t('activeDays'), mine ? fmtNumber(mine.activeDays) : '0'],
      [t('avgLength'), mine?.avgLength ? fmtDecimal(mine.avgLength) : '—'],
      [t('repliesReceived'), mine ? fmtNumber(mine.repliesReceived) : '0'],
      [t('reactionsReceived'), mine ? fmtNumber(mine.reactionsReceived) : '0'],
      [t('language'), languageName(who.lang)],
    ] as Array<[string, string]>).map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
  );
  el.append(
    card(
      `${t('memberPage')}: ${who.name}`,
      { wide: true, facts: ['activity', 'repliesIn', 'reactions', 'members'], id: 'member' },
      h('p', { class: 'member-head' }, h('span', { class: 'dot big', style: `background:${memberColor(f.member)}` }), who.username ? `@${who.username}` : `#${who.id}`, ' ', clearButton),
      facts,
    ),
  );
  const s = activitySeries(m, f, gran);
  const box = chartBox('medium');
  el.append(card(t('memberActivity', { name: who.name }), { wide: true, facts: ['activity'], id: 'member-activity' }, box));
  draw(box, 'member-activity', {
    grid: { left: 64, right: 24, top: 24, bottom: 64 },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: timeAxis(m, gran),
    yAxis: valueAxis(t('messages')),
    dataZoom: zoom(),
    series: [{ name: t('messages'), type: 'bar', itemStyle: { color: memberColor(f.member) }, data: s.starts.map((d, i) => [m.dayMs(d), s.messages[i]]) }],
  });
  const grid = memberWeekHourGrid(m, f.chat, f.member);
  const hoursBox = chartBox('small');
  el.append(card(t('memberHoursTitle', { name: who.name }), { facts: ['memberHours'], note: grid ? t('heatmapMember', { name: who.name }) : undefined, id: 'member-hours' }, grid ? hoursBox : emptyNote(t('heatmapMemberMissing', { n: TOP_MEMBERS_DETAIL, name: who.name }))));
  if (grid) {
    const perHour = Array.from({ length: 24 }, (_, hour) => grid.reduce((sum, row) => sum + row[hour]!, 0));
    draw(hoursBox, 'member-hours', {
      grid: { left: 56, right: 16, top: 16, bottom: 48 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'category', name: t('hour'), nameLocation: 'middle', nameGap: 28, data: perHour.map((_, i) => String(i)) },
      yAxis: valueAxis(t('messages'), { nameGap: 40 }),
      series: [{ name: t('messages'), type: 'bar', itemStyle: { color: memberColor(f.member) }, data: perHour }],
    });
  }
  const kinds = kindCounts(m, f).slice(0, 10);
  const kindsBox = chartBox('small');
  kindsBox.style.height = chartHeight(kinds.length);
  el.append(card(t('memberKinds', { name: who.name }), { facts: ['activity'], id: 'member-kinds' }, kinds.length ? kindsBox : emptyNote()));
  if (kinds.length) draw(kindsBox, 'member-kinds', shareBars(kinds.map((k) => kindName(m.d.kinds[k.kind]!)), kinds.map((k) => k.messages), t('messages'), memberColor(f.member)));
  const to = repliesFrom(m, f, f.member).map((r) => ({ member: r.to, n: r.n }));
  const toBox = chartBox('small');
  toBox.style.height = chartHeight(Math.min(15, to.length));
  el.append(card(t('memberRepliesTo', { name: who.name }), { facts: ['replyPairs'], note: t('replyNetworkNote', { n: TOP_MEMBERS_DETAIL }), id: 'member-replies' }, to.length ? toBox : emptyNote()));
  if (to.length) draw(toBox, 'member-replies', memberBars(m, to, t('reply')));
}
