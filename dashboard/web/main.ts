/**
 * The dashboard page: reads the embedded data model, draws the header, the filters and the selected view,
 * and redraws the view when a filter changes, all in the page (no server, also offline). The state lives in
 * the URL's hash, so a view with its filters can be bookmarked or sent.
 */
import type { DashboardData } from '../model';
import { chartsByName, disposeAll, resizeAll, setDark } from './charts';
import { model, type Filter, type Granularity, type Model } from './data';
import { clear, h } from './dom';
import { fmtDay, setLocale } from './format';
import { LANGUAGES, language, pickLanguage, setLanguage, t, type Lang, type StringKey } from './i18n';
import { setFacts } from './ui';
import { VIEWS, type ViewContext, type ViewName } from './views';
import { renderEmpty } from './views/empty';

type Preset = '7d' | '30d' | '90d' | '365d' | 'all' | 'custom';
type Theme = 'auto' | 'light' | 'dark';

interface State {
  view: ViewName;
  preset: Preset;
  from: number;
  to: number;
  chat: number;
  member: number;
  gran: Granularity;
}

const PRESETS: Array<[Preset, StringKey]> = [['7d', 'last7'], ['30d', 'last30'], ['90d', 'last90'], ['365d', 'last365'], ['all', 'all'], ['custom', 'custom']];
const PRESET_DAYS: Partial<Record<Preset, number>> = { '7d': 7, '30d': 30, '90d': 90, '365d': 365 };

declare global {
  interface Window {
    tgpipeDashboard?: { ready: boolean; renders: number; lastRenderMs: number; data: DashboardData; charts: typeof chartsByName; state: () => State & { lang: Lang; theme: Theme } };
  }
}

/** The embedded data model: base64 of deflated JSON (dashboard/build/html.ts), inflated by the browser itself. */
async function loadData(): Promise<DashboardData> {
  const packed = document.getElementById('tgpipe-data')!.textContent!.trim();
  const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
  const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'))).text();
  return JSON.parse(text) as DashboardData;
}

const data = await loadData();
const m: Model = model(data);
setFacts(data.facts);
const lastDay = Math.max(0, data.days - 1);
const dayIndexOf = (iso: string): number | null => (/^\d{4}-\d{2}-\d{2}$/.test(iso) && data.firstDay ? Math.round((Date.parse(`${iso}T00:00:00Z`) - m.firstMs) / 86_400_000) : null);
const isoOf = (day: number): string => new Date(m.dayMs(day)).toISOString().slice(0, 10);

function store(key: string, value?: string): string | null {
  try {
    if (value !== undefined) localStorage.setItem(`tgpipe.${key}`, value);
    return localStorage.getItem(`tgpipe.${key}`);
  } catch {
    return null; // storage refused (some file:// settings): the choice lasts for the page
  }
}

const params = new URLSearchParams(location.search);
let lang: Lang = pickLanguage([params.get('lang'), store('lang'), ...(navigator.languages ?? []), navigator.language]);
let theme: Theme = ((): Theme => {
  const v = params.get('theme') ?? store('theme');
  return v === 'light' || v === 'dark' ? v : 'auto';
})();

function presetRange(p: Preset): [number, number] {
  const n = PRESET_DAYS[p];
  return n === undefined ? [0, lastDay] : [Math.max(0, lastDay - n + 1), lastDay];
}

function readHash(): State {
  const q = new URLSearchParams(location.hash.slice(1));
  const view = (q.get('view') as ViewName) ?? 'overview';
  let preset = (q.get('range') as Preset) ?? (data.days > 90 ? '90d' : 'all');
  if (!PRESETS.some(([p]) => p === preset)) preset = 'all';
  let [from, to] = presetRange(preset);
  if (preset === 'custom') {
    from = Math.max(0, Math.min(lastDay, dayIndexOf(q.get('from') ?? '') ?? 0));
    to = Math.max(from, Math.min(lastDay, dayIndexOf(q.get('to') ?? '') ?? lastDay));
  }
  const int = (v: string | null, max: number) => {
    const n = v === null ? -1 : Number(v);
    return Number.isInteger(n) && n >= 0 && n < max ? n : -1;
  };
  const gran = q.get('by');
  return {
    view: view in VIEWS ? view : 'overview',
    preset,
    from,
    to,
    chat: int(q.get('chat'), data.chats.length),
    member: int(q.get('member'), data.members.length),
    gran: gran === 'week' || gran === 'month' ? gran : 'day',
  };
}

let state = readHash();

function writeHash(): void {
  const q = new URLSearchParams();
  q.set('view', state.view);
  q.set('range', state.preset);
  if (state.preset === 'custom') {
    q.set('from', isoOf(state.from));
    q.set('to', isoOf(state.to));
  }
  if (state.chat >= 0) q.set('chat', String(state.chat));
  if (state.member >= 0) q.set('member', String(state.member));
  if (state.gran !== 'day') q.set('by', state.gran);
  history.replaceState(null, '', `#${q.toString()}`);
}

const dark = (): boolean => theme === 'dark' || (theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);

function applyTheme(): void {
  document.documentElement.dataset.theme = dark() ? 'dark' : 'light';
  setDark(dark());
}

const app = document.getElementById('app')!;
let renders = 0;
let lastRenderMs = 0;

function select(label: string, name: string, options: Array<[string, string]>, value: string, onChange: (v: string) => void): HTMLElement {
  const s = h('select', { name, 'aria-label': label });
  for (const [v, text] of options) s.append(h('option', { value: v, selected: v === value }, text));
  s.addEventListener('change', () => onChange(s.value));
  return h('label', { class: 'control' }, h('span', {}, label), s);
}

function dateInput(label: string, name: string, day: number, onChange: (day: number) => void): HTMLElement {
  const input = h('input', { type: 'date', name, value: isoOf(day), min: isoOf(0), max: isoOf(lastDay), 'aria-label': label });
  input.addEventListener('change', () => {
    const d = dayIndexOf(input.value);
    if (d !== null) onChange(Math.max(0, Math.min(lastDay, d)));
  });
  return h('label', { class: 'control date' }, h('span', {}, label), input);
}

function update(patch: Partial<State>): void {
  state = { ...state, ...patch };
  if (state.from > state.to) state = { ...state, to: state.from };
  writeHash();
  renderAll(false);
}

function header(): HTMLElement {
  const built = new Date(data.generatedAt);
  const controls = h(
    'div',
    { class: 'filters', role: 'group', 'aria-label': t('range') },
    select(t('range'), 'range', PRESETS.map(([p, k]) => [p, t(k)]), state.preset, (v) => {
      const preset = v as Preset;
      const [from, to] = preset === 'custom' ? [state.from, state.to] : presetRange(preset);
      update({ preset, from, to });
    }),
    dateInput(t('from'), 'from', state.from, (d) => update({ preset: 'custom', from: d, to: Math.max(d, state.to) })),
    dateInput(t('to'), 'to', state.to, (d) => update({ preset: 'custom', to: d, from: Math.min(d, state.from) })),
    data.chats.length > 1 || state.chat >= 0
      ? select(t('chat'), 'chat', [['-1', t('allChats')], ...data.chats.map((c, i): [string, string] => [String(i), c.title])], String(state.chat), (v) => update({ chat: Number(v) }))
      : null,
    select(t('member'), 'member', [['-1', t('allMembers')], ...data.members.map((mm, i): [string, string] => [String(i), mm.username ? `${mm.name} (@${mm.username})` : mm.name])], String(state.member), (v) =>
      update({ member: Number(v) }),
    ),
  );
  const prefs = h(
    'div',
    { class: 'prefs' },
    select(t('language'), 'lang', Object.entries(LANGUAGES) as Array<[string, string]>, lang, (v) => {
      lang = v as Lang;
      store('lang', lang);
      applyLanguage();
      renderAll();
    }),
    select(t('theme'), 'theme', [['auto', t('themeAuto')], ['light', t('themeLight')], ['dark', t('themeDark')]], theme, (v) => {
      theme = v as Theme;
      store('theme', theme);
      applyTheme();
      renderAll();
    }),
    ((): HTMLElement => {
      const b = h('button', { type: 'button', class: 'print' }, t('print'));
      b.addEventListener('click', () => window.print());
      return b;
    })(),
  );
  const first = data.firstDay ? fmtDay(m.dayMs(0)) : '';
  const last = data.firstDay ? fmtDay(m.dayMs(lastDay)) : '';
  return h(
    'header',
    { class: 'top' },
    h('div', { class: 'title-row' }, h('h1', {}, chatTitle()), prefs),
    data.chats.some((c) => c.demo) ? h('div', { class: 'demo', id: 'demo-banner' }, t('demoBanner')) : null,
    h('p', { class: 'data-line', id: 'data-range' }, t(data.firstDay ? 'dataLine' : 'dataLineEmpty', { from: first, to: last, zone: data.timeZone, built: built.toLocaleString(lang) })),
    data.days ? controls : null,
  );
}

function nav(): HTMLElement {
  const bar = h('nav', { class: 'views', 'aria-label': 'views' });
  for (const [name, view] of Object.entries(VIEWS) as Array<[ViewName, (typeof VIEWS)[ViewName]]>) {
    const b = h('button', { type: 'button', 'data-view': name, 'aria-current': name === state.view ? 'page' : undefined, class: name === state.view ? 'active' : '' }, t(view.label));
    b.addEventListener('click', () => update({ view: name }));
    bar.append(b);
  }
  return bar;
}

/** The heading: the chosen chat, or the chats watched (a deployment with many names its first two and counts the rest). */
function chatTitle(): string {
  if (state.chat >= 0) return data.chats[state.chat]!.title;
  const titles = data.chats.map((c) => c.title);
  if (titles.length === 0) return t('appTitle');
  if (titles.length <= 3) return titles.join(' · ');
  return t('chatsAndMore', { titles: titles.slice(0, 2).join(' · '), n: titles.length - 2 });
}

/** After a filter or view change: the controls show the state (the header is built once per language and theme). */
function syncShell(top: HTMLElement, bar: HTMLElement | null): void {
  top.querySelector('h1')!.textContent = chatTitle();
  const set = (selector: string, value: string) => {
    const el = top.querySelector<HTMLInputElement | HTMLSelectElement>(selector);
    if (el && el.value !== value) el.value = value;
  };
  set('select[name=range]', state.preset);
  set('input[name=from]', isoOf(state.from));
  set('input[name=to]', isoOf(state.to));
  set('select[name=chat]', String(state.chat));
  set('select[name=member]', String(state.member));
  bar?.querySelectorAll<HTMLButtonElement>('button[data-view]').forEach((b) => {
    const on = b.dataset.view === state.view;
    b.classList.toggle('active', on);
    if (on) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  });
}

/**
 * On a phone the view tabs scroll sideways: the current one is scrolled into the bar (opened on People from
 * a link, it was off the right edge). Only the bar scrolls, never the page.
 */
function showActiveTab(bar: HTMLElement): void {
  const b = bar.querySelector<HTMLElement>('button.active');
  if (!b || bar.scrollWidth <= bar.clientWidth) return;
  const left = b.offsetLeft - bar.offsetLeft;
  if (left < bar.scrollLeft || left + b.offsetWidth > bar.scrollLeft + bar.clientWidth) bar.scrollLeft = left - (bar.clientWidth - b.offsetWidth) / 2;
}

let shell: { top: HTMLElement; bar: HTMLElement | null } | undefined;

/** Redraws the page: the whole shell when `full` (start, language, theme), else only the view. */
function renderAll(full = true): void {
  const started = performance.now();
  disposeAll();
  if (full || !shell) {
    clear(app);
    shell = { top: header(), bar: data.days ? nav() : null };
    app.append(shell.top);
    if (shell.bar) app.append(shell.bar);
  } else syncShell(shell.top, shell.bar);
  if (shell.bar) showActiveTab(shell.bar);
  app.querySelector('main')?.remove();
  if (!data.days) {
    const main = h('main', { class: 'view', 'data-view': 'empty' });
    app.append(main);
    renderEmpty(main);
  } else {
    const f: Filter = { from: state.from, to: state.to, chat: state.chat, member: state.member };
    const main = h('main', { class: 'view', 'data-view': state.view });
    app.append(main);
    const ctx: ViewContext = {
      m,
      f,
      el: main,
      gran: state.gran,
      setGran: (gran) => update({ gran }),
      pickMember: (member) => update({ member, view: 'people' }),
    };
    const periodDays = f.to - f.from + 1;
    main.append(h('p', { class: 'period', id: 'period' }, t('periodLine', { from: fmtDay(m.dayMs(f.from)), to: fmtDay(m.dayMs(f.to)), days: periodDays })));
    VIEWS[state.view].render(ctx);
  }
  renders += 1;
  lastRenderMs = performance.now() - started;
  document.body.dataset.renders = String(renders);
  document.body.dataset.renderMs = lastRenderMs.toFixed(1);
}

function applyLanguage(): void {
  setLanguage(lang);
  setLocale(lang);
  document.documentElement.lang = lang;
}

applyLanguage();
applyTheme();
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  if (theme !== 'auto') return;
  applyTheme();
  renderAll();
});
window.addEventListener('hashchange', () => {
  state = readHash();
  renderAll(false);
});
let resizing = 0;
window.addEventListener('resize', () => {
  cancelAnimationFrame(resizing);
  resizing = requestAnimationFrame(resizeAll);
});
window.addEventListener('beforeprint', resizeAll);
renderAll();
window.tgpipeDashboard = {
  ready: true,
  get renders() {
    return renders;
  },
  get lastRenderMs() {
    return lastRenderMs;
  },
  data,
  charts: chartsByName,
  state: () => ({ ...state, lang: language(), theme }),
};
document.body.dataset.readyAt = performance.now().toFixed(1);
document.body.dataset.ready = 'true';
