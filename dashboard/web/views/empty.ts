/** An empty data folder: what to do next, not a page of empty charts. */
import { h, type Child } from '../dom';
import { t } from '../i18n';

/** A step's text with its `commands` (between backticks in the translations) as code, copyable at a glance. */
export function withCode(text: string): Child[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? h('code', {}, part) : part));
}

export function renderEmpty(el: HTMLElement): void {
  const steps = (['emptyStep1', 'emptyStep2', 'emptyStep3', 'emptyStep4'] as const).map((k) => h('li', {}, ...withCode(t(k))));
  el.append(h('section', { class: 'card wide empty-state', id: 'empty-state' }, h('h2', {}, t('emptyTitle')), h('p', {}, t('emptyIntro')), h('ol', {}, ...steps)));
}
