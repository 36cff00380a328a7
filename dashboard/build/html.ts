/**
 * One self-contained HTML file: the bundled code and styles inline, the data model as a JSON script
 * element the code parses. Texts, names and titles are data: the JSON is escaped so that nothing in it
 * can close the element (`</script>`, `<!--`) and the page only ever puts them in with textContent.
 */
import type { DashboardData } from '../model';
import type { WebBundle } from './bundle';

/** JSON that cannot end or alter the script element holding it. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Keeps inline code from closing its element. */
const inlineCode = (code: string, tag: 'script' | 'style'): string => code.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);

export function renderHtml(data: DashboardData, web: WebBundle): string {
  const title = data.chats.length ? data.chats.map((c) => c.title).join(' · ') : 'Telegram group analytics';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tgpipe dashboard">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} — tgpipe</title>
<style>${inlineCode(web.css, 'style')}</style>
</head>
<body>
<div id="app"><noscript>This dashboard needs JavaScript.</noscript></div>
<script id="tgpipe-data" type="application/json">${scriptJson(data)}</script>
<script>${inlineCode(web.js, 'script')}</script>
</body>
</html>
`;
}
