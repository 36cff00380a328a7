/**
 * `tgpipe doctor`'s results and how they are shown. Each check is pure: facts in (gathered by
 * adapters/aws/doctor*.ts or local/doctor.ts), a result out, so every verdict is testable without AWS.
 */

/** `warn` is shown but does not fail the run (nothing is broken, something may be); `skip`: a prerequisite failed. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable id for --format json and scripts, e.g. `webhook`, `glue.telegram`. */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** One line: what was found. */
  readonly detail: string;
  /** What to do about it (a command when there is one). */
  readonly fix?: string;
  /** Further lines (per day, per alarm, ...). */
  readonly lines?: readonly string[];
}

/** What was gathered, or why it could not be: a failed call is a fact too, shown with its check. */
export type Fact<T> = { readonly value: T } | { readonly error: string };

export const factError = <T>(fact: Fact<T> | undefined): string | undefined => (fact && 'error' in fact ? fact.error : undefined);
export const factValue = <T>(fact: Fact<T> | undefined): T | undefined => (fact && 'value' in fact ? fact.value : undefined);

/** Exit status: 1 when any check failed; a warning does not, nor a skip (it follows a failure, or has nothing to check). */
export const exitCodeOf = (results: readonly CheckResult[]): number => (results.some((r) => r.status === 'fail') ? 1 : 0);

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };
const COLOUR: Record<CheckStatus, string> = { pass: '\x1b[32m', warn: '\x1b[33m', fail: '\x1b[31m', skip: '\x1b[2m' };
const RESET = '\x1b[0m';

/** The terminal report: a mark per check, the fix under each that did not pass, then the counts. */
export function renderText(results: readonly CheckResult[], options: { readonly colour: boolean; readonly heading?: string }): string {
  const paint = (status: CheckStatus, text: string) => (options.colour ? `${COLOUR[status]}${text}${RESET}` : text);
  const out: string[] = [];
  if (options.heading) out.push(options.heading);
  for (const r of results) {
    out.push(`${paint(r.status, MARK[r.status])} ${r.title}: ${r.detail}`);
    for (const line of r.lines ?? []) out.push(`    ${line}`);
    if (r.fix && r.status !== 'pass') out.push(`    ${paint(r.status, 'fix:')} ${r.fix}`);
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const parts = [`${count('pass')} passed`];
  if (count('warn')) parts.push(`${count('warn')} warning${count('warn') === 1 ? '' : 's'}`);
  if (count('fail')) parts.push(`${count('fail')} failed`);
  if (count('skip')) parts.push(`${count('skip')} not checked`);
  out.push('', parts.join(', '));
  return `${out.join('\n')}\n`;
}

export function renderJson(results: readonly CheckResult[], extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...extra, ok: exitCodeOf(results) === 0, checks: results }, null, 2)}\n`;
}

/** `3 min`, `5 h`, `2 d`: how long ago, for a reader. */
export function describeAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** A range of days as the fix commands take it. */
export function dayRange(days: readonly string[]): { from: string; to: string } {
  const sorted = [...days].sort();
  return { from: sorted[0]!, to: sorted.at(-1)! };
}
