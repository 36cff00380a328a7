/** Numbers and dates in the reader's locale. */
let locale = 'en';
let numbers = new Intl.NumberFormat('en');
let compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
let percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
let signedPercent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0, signDisplay: 'exceptZero' });
let decimal1 = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const dates = new Map<string, Intl.DateTimeFormat>();

export function setLocale(tag: string): void {
  locale = tag;
  numbers = new Intl.NumberFormat(tag);
  compact = new Intl.NumberFormat(tag, { notation: 'compact', maximumFractionDigits: 1 });
  percent = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1 });
  signedPercent = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 0, signDisplay: 'exceptZero' });
  decimal1 = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
  dates.clear();
}

export const fmtNumber = (n: number): string => numbers.format(n);
export const fmtCompact = (n: number): string => compact.format(n);
export const fmtPercent = (share: number): string => percent.format(share);
export const fmtChange = (share: number): string => signedPercent.format(share);
export const fmtDecimal = (n: number): string => decimal1.format(n);

function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = dates.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options });
    dates.set(key, f);
  }
  return f;
}

/** A calendar day (UTC midnight ms of a context date). */
export const fmtDay = (ms: number): string => dateFormat('day', { day: 'numeric', month: 'short', year: 'numeric' }).format(ms);
export const fmtDayShort = (ms: number): string => dateFormat('dayShort', { day: 'numeric', month: 'short' }).format(ms);
export const fmtMonth = (ms: number): string => dateFormat('month', { month: 'short', year: 'numeric' }).format(ms);
export const fmtWeekday = (isoDay: number): string => dateFormat('weekday', { weekday: 'short' }).format(Date.UTC(2024, 0, isoDay)); // 2024-01-01 is a Monday

/** Seconds as a short duration: 45 s, 12 min, 3.5 h, 2 d. */
export function fmtDuration(seconds: number): string {
  const unit = (value: number, u: 'second' | 'minute' | 'hour' | 'day') =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: value < 10 ? 1 : 0 }).format(value);
  if (seconds < 90) return unit(seconds, 'second');
  if (seconds < 90 * 60) return unit(seconds / 60, 'minute');
  if (seconds < 36 * 3600) return unit(seconds / 3600, 'hour');
  return unit(seconds / 86400, 'day');
}
