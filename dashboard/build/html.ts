/**
 * One self-contained HTML file: the bundled code and styles inline, the data model packed in a script
 * element the code inflates and parses. Texts, names and titles are data: packed as base64 nothing in
 * them can close the element (`</script>`, `<!--`), and the page only ever puts them in with textContent.
 */
import { deflateRawSync } from 'node:zlib';
import type { DashboardData } from '../model';
import type { WebBundle } from './bundle';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Keeps inline code from closing its element. */
const inlineCode = (code: string, tag: 'script' | 'style'): string => code.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);

/**
 * The data model as the page carries it: JSON, deflated (raw DEFLATE, which the browser's
 * DecompressionStream inflates offline) and base64-encoded. Arrays of small integers shrink about sevenfold
 * (level 6: level 9 took ten times as long, 5 s for a large group's year, for 4% less),
 * and base64 has no character that could end the element.
 */
export function packData(data: DashboardData): string {
  return deflateRawSync(Buffer.from(JSON.stringify(data)), { level: 6 }).toString('base64');
}

/** A bar-chart icon inlined, so the page (a file or served) never asks for /favicon.ico. */
const ICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2563eb"/><rect x="3" y="8" width="2.5" height="5" fill="#fff"/><rect x="6.75" y="4" width="2.5" height="9" fill="#fff"/><rect x="10.5" y="6" width="2.5" height="7" fill="#fff"/></svg>')}`;

export function renderHtml(data: DashboardData, web: WebBundle): string {
  const titles = data.chats.map((c) => c.title);
  const title = titles.length === 0 ? 'Telegram group analytics' : titles.length <= 3 ? titles.join(' · ') : `${titles.slice(0, 2).join(' · ')} +${titles.length - 2}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tgpipe dashboard">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="${ICON}">
<title>${escapeHtml(title)} — tgpipe</title>
<style>${inlineCode(web.css, 'style')}</style>
</head>
<body>
<div id="app"><noscript>This dashboard needs JavaScript.</noscript></div>
<script id="tgpipe-data" type="application/octet-stream" data-encoding="deflate-raw base64">${packData(data)}</script>
<script type="module">${inlineCode(web.js, 'script')}</script>
</body>
</html>
`;
}
