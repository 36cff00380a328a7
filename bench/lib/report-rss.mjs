// Preloaded into a measured child (`node --import ./bench/lib/report-rss.mjs ...`): at exit, writes the
// process's peak resident set size (KiB) to $REPORT_RSS_FILE, so the bench measures the real command.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.REPORT_RSS_FILE) writeFileSync(process.env.REPORT_RSS_FILE, String(process.resourceUsage().maxRSS));
});
