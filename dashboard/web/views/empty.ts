/** An empty data folder: what to do next, not a page of empty charts. */
import { h } from '../dom';
import { t } from '../i18n';

export function renderEmpty(el: HTMLElement): void {
  el.append(
    h(
      'section',
      { class: 'card wide empty-state', id: 'empty-state' },
      h('h2', {}, t('emptyTitle')),
      h('p', {}, t('emptyIntro')),
      h('ol', {}, h('li', {}, t('emptyStep1')), h('li', {}, t('emptyStep2')), h('li', {}, t('emptyStep3')), h('li', {}, t('emptyStep4'))),
    ),
  );
}
