/**
 * Term counting (telegram_terms) in the enrichment: the same day enriched with and without it, each run
 * in its own process (peak RSS is its own), runs alternated, median time and largest peak RSS. Two days:
 *   synthetic   the enrichment bench's 1M-message day (8 texts: a tiny vocabulary)
 *   varied      1M messages from 1,000 members drawing words from a 40,000-word skewed vocabulary
 *               (Latin, Cyrillic and 5% Chinese through Intl.Segmenter), emoji, hashtag and URL entities:
 *               about 4M distinct (member, term) keys, the counter's hard case
 *
 *   node --import tsx bench/terms.ts [--messages N] [--rounds R]
 */
import { join } from 'node:path';
import { measure, type Measurement } from './enrichment';
import { BENCH_DAY, ensureSyntheticDay, syntheticUpdate } from './synthetic';

const SYLLABLES = ['ba', 'ne', 'ti', 'lo', 'ru', 'ma', 'se', 'ko', 'di', 'pa', 'vo', 'li', 'ga', 'me', 'tu', 'ra', 'zo', 'fi', 'ca', 'no'];
const CYRILLIC = ['ба', 'не', 'ти', 'ло', 'ру', 'ма', 'се', 'ко', 'ди', 'па', 'во', 'ли', 'га', 'ме', 'ту', 'ра', 'зо', 'фи', 'ка', 'но'];
const HAN = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严';
const EMOJI = ['😂', '👍', '👍🏽', '❤️', '🔥', '🙏', '😍', '👨‍👩‍👧', '🇧🇷', '🚀'];
const VOCABULARY = 40_000;

/** A deterministic pseudo-random number in [0, 1) for (i, salt). */
function rand(i: number, salt: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2f);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/** The w-th word of the vocabulary, in Latin or Cyrillic syllables. */
function word(w: number, script: string[]): string {
  let out = '';
  for (let n = w + 1; n > 0; n = Math.floor(n / 20)) out += script[n % 20];
  return out;
}

/** The i-th message of the varied day (deterministic). */
export function variedUpdate(i: number): string {
  const user = 1000 + ((i * 7919) % 1000);
  const date = Date.parse(`${BENCH_DAY}T03:00:00Z`) / 1000 + Math.floor((i / 1_000_000) * 86_000);
  const kind = rand(i, 0);
  const parts: string[] = [];
  const count = 4 + Math.floor(rand(i, 1) * 12);
  if (kind < 0.05) {
    for (let k = 0; k < count; k += 1) parts.push(HAN[Math.floor(rand(i, 10 + k) ** 2 * HAN.length)]!);
  } else {
    const script = kind < 0.2 ? CYRILLIC : SYLLABLES;
    // A skewed draw: a few words are very common, most are rare (as in any language).
    for (let k = 0; k < count; k += 1) parts.push(word(Math.floor(rand(i, 10 + k) ** 3 * VOCABULARY), script));
  }
  let text = parts.join(kind < 0.05 ? '' : ' ');
  const entities: string[] = [];
  if (rand(i, 2) < 0.3) text += ` ${EMOJI[Math.floor(rand(i, 3) * EMOJI.length)]}`;
  if (rand(i, 4) < 0.1) {
    const tag = `#${word(Math.floor(rand(i, 5) ** 2 * 500), SYLLABLES)}`;
    entities.push(`{"type":"hashtag","offset":${text.length + 1},"length":${tag.length}}`);
    text += ` ${tag}`;
  }
  if (rand(i, 6) < 0.05) {
    const url = `https://site${Math.floor(rand(i, 7) * 300)}.example.com/p/${i}`;
    entities.push(`{"type":"url","offset":${text.length + 1},"length":${url.length}}`);
    text += ` ${url}`;
  }
  return `{"update_id":${200_000_000 + i},"message":{"message_id":${i + 1},"from":{"id":${user},"is_bot":false,"first_name":"U${user}"},"chat":{"id":-1001987654321,"title":"Data Crew","type":"supergroup"},"date":${date},"text":${JSON.stringify(text)},"entities":[${entities.join(',')}]}}`;
}

export interface TermsDayResult {
  day: 'synthetic' | 'varied';
  messages: number;
  termRows: number;
  /** Median over the rounds; peak RSS the largest. */
  with: Measurement;
  without: Measurement;
  addedMs: number;
  addedPercent: number;
  addedRssMiB: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measureDay(day: TermsDayResult['day'], dir: string, messages: number, rounds: number): Promise<TermsDayResult> {
  const withRuns: (Measurement & { termRows?: number })[] = [];
  const withoutRuns: Measurement[] = [];
  for (let r = 0; r < rounds; r += 1) {
    withoutRuns.push(await measure('no-terms', dir, messages));
    withRuns.push(await measure('ours', dir, messages));
  }
  const summarise = (runs: Measurement[]): Measurement => ({ ms: median(runs.map((m) => m.ms)), maxRssMiB: Math.max(...runs.map((m) => m.maxRssMiB)), rows: runs[0]!.rows });
  const w = summarise(withRuns);
  const wo = summarise(withoutRuns);
  return { day, messages, termRows: withRuns[0]!.termRows ?? 0, with: w, without: wo, addedMs: w.ms - wo.ms, addedPercent: Math.round(((w.ms - wo.ms) / wo.ms) * 1000) / 10, addedRssMiB: w.maxRssMiB - wo.maxRssMiB };
}

export async function runTermsBench({ messages, rounds = 2, outDir = join(import.meta.dirname, 'out') }: { messages: number; rounds?: number; outDir?: string }): Promise<TermsDayResult[]> {
  const synthetic = join(outDir, `day-${messages}`);
  await ensureSyntheticDay(synthetic, messages, undefined, syntheticUpdate);
  const varied = join(outDir, `terms-day-${messages}`);
  await ensureSyntheticDay(varied, messages, undefined, variedUpdate);
  return [await measureDay('synthetic', synthetic, messages, rounds), await measureDay('varied', varied, messages, rounds)];
}

export function formatTermsBench(results: TermsDayResult[]): string {
  const lines = [`${'day'.padEnd(10)} ${'messages'.padStart(10)} ${'term rows'.padStart(10)} ${'without'.padStart(16)} ${'with terms'.padStart(16)}  added`];
  for (const r of results) {
    const m = (x: Measurement) => `${(x.ms / 1000).toFixed(1)} s ${x.maxRssMiB} MiB`;
    lines.push(`${r.day.padEnd(10)} ${r.messages.toLocaleString('en').padStart(10)} ${r.termRows.toLocaleString('en').padStart(10)} ${m(r.without).padStart(16)} ${m(r.with).padStart(16)}  +${(r.addedMs / 1000).toFixed(1)} s (+${r.addedPercent}%), +${r.addedRssMiB} MiB`);
  }
  return lines.join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const arg = (name: string, fallback: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
  const results = await runTermsBench({ messages: arg('--messages', 1_000_000), rounds: arg('--rounds', 2) });
  console.log(formatTermsBench(results));
  console.log(JSON.stringify(results, null, 2));
}
